// A run's scope end to end: `when: failure` across a pipeline, a disabled job pulled in by
// --downstream, and a workdir that does not exist, on the built CLI with real processes.
import { existsSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { rigsCleanedAfterEach } from '../helpers/rigs.js';

const rig = rigsCleanedAfterEach();

describe('tock run: the run scope', () => {
  it('a failure notifier at the end of a pipeline fires when the first job fails', async () => {
    const r = rig(`
      version: 1
      jobs:
        a: { schedule: "@daily", command: "exit 3" }
        b: { needs: [a], command: "touch b-ran" }
        notify: { needs: [b], when: failure, command: "touch notified" }
    `);
    const result = await r.run(['run', 'a', '--downstream']);
    expect(result.code, result.stderr).toBe(1);
    expect(r.runs('b')[0]).toMatchObject({ outcome: 'skipped', reason: 'upstream-failed', message: 'a need did not succeed: a failed' });
    expect(r.runs('notify')[0]?.outcome).toBe('success');
    expect(existsSync(path.join(r.dir, 'notified'))).toBe(true);
    expect(existsSync(path.join(r.dir, 'b-ran'))).toBe(false);
  });

  it('a failure notifier is skipped when nothing failed, and never says every need succeeded when one did not', async () => {
    const r = rig(`
      version: 1
      jobs:
        a: { schedule: "@daily", command: "true" }
        off: { needs: [a], enabled: false, command: "true" }
        notify: { needs: [off], when: failure, command: "touch notified" }
    `);
    const result = await r.run(['run', 'a', '--downstream']);
    expect(result.code, result.stderr).toBe(0);
    const run = r.runs('notify')[0];
    expect(run).toMatchObject({ outcome: 'skipped', reason: 'not-triggered' });
    expect(run?.message).toBe('no need failed (off skipped (disabled)) and when is failure');
    expect(existsSync(path.join(r.dir, 'notified'))).toBe(false);
  });

  it('a disabled job pulled in by --downstream is recorded skipped (disabled), not run', async () => {
    const r = rig(`
      version: 1
      jobs:
        a: { schedule: "@daily", command: "true" }
        off: { needs: [a], enabled: false, command: "touch off-ran" }
    `);
    const result = await r.run(['run', 'a', '--downstream', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const runs = (JSON.parse(result.stdout) as { runs: { job: string; outcome: string; reason?: string }[] }).runs;
    expect(runs.find((x) => x.job === 'off')).toMatchObject({ outcome: 'skipped', reason: 'disabled' });
    expect(r.runs('off')).toHaveLength(1);
    expect(existsSync(path.join(r.dir, 'off-ran'))).toBe(false);
  });

  it('a workdir that does not exist fails the run saying so, not "command not found: /bin/sh"', async () => {
    const r = rig(`
      version: 1
      jobs:
        lost: { schedule: "@daily", command: "true", workdir: /nonexistent/tock-workdir }
    `);
    const result = await r.run(['run', 'lost']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('workdir /nonexistent/tock-workdir does not exist');
    expect(result.stderr).not.toContain('command not found');
    expect(r.runs('lost')[0]).toMatchObject({ outcome: 'failed', reason: 'setup-failed', message: 'workdir /nonexistent/tock-workdir does not exist', attempts: [] });
  });
});
