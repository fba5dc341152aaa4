import { describe, expect, it } from 'vitest';

import { renderDaemonLine } from '../../src/cli/render/daemon-log.js';
import { renderRunEvent } from '../../src/cli/render/run-events.js';
import { plainPaint } from '../../src/cli/render/style.js';
import { runJob } from '../../src/engine/run-job.js';
import type { Job } from '../../src/jobfile/types.js';
import { FakeSpawner } from '../helpers/fake-spawner.js';
import { jobfileFrom, testEngine } from '../helpers/engine.js';

const job = jobfileFrom(`
  version: 1
  jobs:
    flaky: { schedule: "@daily", command: flaky, retries: 1, retry_delay: 5s }
`).jobs.get('flaky') as Job;

async function events() {
  const engine = testEngine({ spawner: new FakeSpawner((_r, i) => (i === 0 ? 2 : 0)) });
  const done = runJob(engine.deps, { job, logicalMs: Date.parse('2026-11-21T00:00:00Z'), trigger: 'manual', jobfilePath: '/jobs/tock.yaml', jobfileHash: 'h' });
  await engine.clock.advance(6_000);
  await done;
  return engine.events;
}

describe('renderers read the ledger\'s own shapes', () => {
  it('tock run: one line per attempt, retry and end, from the events the ledger holds', async () => {
    const lines = (await events()).flatMap((e) => renderRunEvent(e, plainPaint) ?? []);
    expect(lines.map((l) => l.replace(/\(pid \d+, run [^)]+\)/, '(pid, run)'))).toEqual([
      '▶ flaky attempt 1/2 started (pid, run)',
      '✗ flaky attempt 1 failed (exit 2)',
      '↻ flaky retrying in 5.0s (attempt 2)',
      '▶ flaky attempt 2/2 started (pid, run)',
      '✓ flaky success in 5.0s',
    ]);
  });

  it('tock daemon: every line about a run names its job and run', async () => {
    const now = new Date('2026-11-21T00:00:06Z');
    const lines = (await events()).flatMap((e) => renderDaemonLine({ type: 'run', event: e }, { format: 'text', level: 'debug' }, now) ?? []);
    expect(lines.map((l) => l.split(' ')[1])).toEqual(['run-started', 'attempt-started', 'attempt-finished', 'retry-scheduled', 'attempt-started', 'attempt-finished', 'run-finished']);
    for (const line of lines) expect(line).toMatch(/ job=flaky run=flaky-1( |$)/);
    expect(lines[1]).toContain('attempt=1/2');
  });
});
