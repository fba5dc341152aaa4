import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { Rig, waitFor } from '../helpers/rig.js';

const rigs: Rig[] = [];
function rig(yaml: string): Rig {
  const r = new Rig(yaml);
  rigs.push(r);
  return r;
}
afterEach(() => {
  for (const r of rigs.splice(0)) r.cleanup();
});

function lines(r: Rig, name: string): string[] {
  try {
    return readFileSync(path.join(r.dir, name), 'utf8').trim().split('\n').filter((l) => l !== '');
  } catch {
    return [];
  }
}

interface Summary { planned: number; ran: number; succeeded: number; failed: number; skipped: number }

async function backfill(r: Rig, args: string[]): Promise<{ code: number | null; summary: Summary; runs: { job: string; logical_time: string; outcome: string; trigger: string }[]; stderr: string }> {
  const result = await r.run(['backfill', ...args, '--json']);
  const doc = JSON.parse(result.stdout === '' ? '{}' : result.stdout) as { summary: Summary; runs: { job: string; logical_time: string; outcome: string; trigger: string }[] };
  return { code: result.code, summary: doc.summary, runs: doc.runs, stderr: result.stderr };
}

const DAILY = `
  version: 1
  timezone: Asia/Tokyo
  jobs:
    daily:
      schedule: "0 3 * * *"
      concurrency: allow
      command: 'if [ "$TOCK_DS" = 2026-11-03 ] && [ ! -e fixed ]; then exit 1; fi; echo "$TOCK_DS $TOCK_TRIGGER" >> days'
    report: { needs: [daily], command: 'echo "$TOCK_DS" >> reports' }
`;

describe('tock backfill', () => {
  it('runs five daily instants with the right ds each, and a rerun runs only what failed', async () => {
    const r = rig(DAILY);
    const first = await backfill(r, ['daily', '--from', '2026-11-01', '--to', '2026-11-05']);
    expect(first.code).toBe(1);
    expect(first.summary).toMatchObject({ planned: 5, ran: 5, succeeded: 4, failed: 1, skipped: 0 });
    expect(lines(r, 'days')).toEqual(['2026-11-01 backfill', '2026-11-02 backfill', '2026-11-04 backfill', '2026-11-05 backfill']);
    // 03:00 in Tokyo is 18:00 UTC the day before: the logical time is the instant, ds its local date.
    expect(first.runs.map((x) => x.logical_time)).toContain('2026-10-31T18:00:00.000Z');
    expect(first.runs.every((x) => x.trigger === 'backfill')).toBe(true);

    writeFileSync(path.join(r.dir, 'fixed'), '');
    const second = await backfill(r, ['daily', '--from', '2026-11-01', '--to', '2026-11-05']);
    expect(second.code).toBe(0);
    expect(second.summary).toMatchObject({ planned: 5, ran: 1, succeeded: 1, skipped: 4 });
    expect(lines(r, 'days').at(-1)).toBe('2026-11-03 backfill');

    const third = await backfill(r, ['daily', '--from', '2026-11-01', '--to', '2026-11-05']);
    expect(third.code).toBe(0);
    expect(third.summary).toMatchObject({ ran: 0, skipped: 5 });
    expect(lines(r, 'days')).toHaveLength(5);

    const forced = await backfill(r, ['daily', '--from', '2026-11-04', '--to', '2026-11-05', '--force']);
    expect(forced.summary).toMatchObject({ planned: 2, ran: 2, succeeded: 2 });
    expect(lines(r, 'days')).toHaveLength(7);
  }, 30_000);

  it('--dry-run lists each instant and what would happen, and runs nothing', async () => {
    const r = rig(DAILY);
    writeFileSync(path.join(r.dir, 'fixed'), '');
    await backfill(r, ['daily', '--from', '2026-11-02', '--to', '2026-11-02']);
    const dry = await r.run(['backfill', 'daily', '--from', '2026-11-01', '--to', '2026-11-03', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expect((JSON.parse(dry.stdout) as { runs: unknown[] }).runs).toEqual([
      { job: 'daily', logical_time: '2026-10-31T18:00:00.000Z', action: 'run' },
      { job: 'daily', logical_time: '2026-11-01T18:00:00.000Z', action: 'skip', reason: 'succeeded-before' },
      { job: 'daily', logical_time: '2026-11-02T18:00:00.000Z', action: 'run' },
    ]);
    const human = await r.run(['backfill', 'daily', '--from', '2026-11-01', '--to', '2026-11-03', '--dry-run']);
    expect(human.stdout).toContain('skip  daily  2026-11-02 03:00 +0900  (succeeded-before)');
    expect(lines(r, 'days')).toEqual(['2026-11-02 backfill']);
  }, 20_000);

  it('--backwards runs newest first, --downstream runs each instant\'s dependents for it', async () => {
    const r = rig(DAILY);
    writeFileSync(path.join(r.dir, 'fixed'), '');
    const result = await backfill(r, ['daily', '--from', '2026-11-01', '--to', '2026-11-03', '--backwards', '--downstream']);
    expect(result.code).toBe(0);
    expect(lines(r, 'days')).toEqual(['2026-11-03 backfill', '2026-11-02 backfill', '2026-11-01 backfill']);
    expect(lines(r, 'reports')).toEqual(['2026-11-03', '2026-11-02', '2026-11-01']);
  }, 20_000);

  it('--parallel 2 runs two instants at once and never more', async () => {
    const r = rig(`
      version: 1
      jobs:
        part:
          schedule: "@daily"
          concurrency: allow
          command: 'echo "start $(date +%s%N)" >> spans; sleep 0.6; echo "end $(date +%s%N)" >> spans'
    `);
    const result = await backfill(r, ['part', '--from', '2026-11-01', '--to', '2026-11-06', '--parallel', '2']);
    expect(result.summary).toMatchObject({ planned: 6, succeeded: 6 });
    let open = 0;
    let most = 0;
    const events = lines(r, 'spans').map((l) => l.split(' ')).sort((a, b) => Number(a[1]) - Number(b[1]));
    for (const [kind] of events) {
      open += kind === 'start' ? 1 : -1;
      most = Math.max(most, open);
    }
    expect(most).toBe(2);
  }, 20_000);

  it('stops on SIGINT (runs killed, summary printed, exit 1), and a rerun resumes where it stopped', async () => {
    const r = rig(`
      version: 1
      jobs:
        slow: { schedule: "@daily", kill_grace: 1s, command: 'echo "$TOCK_DS" >> started; sleep 1; echo "$TOCK_DS" >> done' }
    `);
    const run = r.start(['backfill', 'slow', '--from', '2026-11-01', '--to', '2026-11-06']);
    await waitFor(() => (lines(r, 'started').length >= 3 ? true : undefined), 15_000, 'three instants to start');
    run.child.kill('SIGINT');
    const stopped = await run.done;
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toMatch(/backfill: 6 instants x 1 job = 6 runs: 2 succeeded, 1 failed, 3 not run/);
    expect(r.runs('slow').map((x) => x.outcome)).toEqual(['success', 'success', 'killed']);
    const resumed = await backfill(r, ['slow', '--from', '2026-11-01', '--to', '2026-11-06']);
    expect(resumed.code).toBe(0);
    expect(resumed.summary).toMatchObject({ ran: 4, skipped: 2 });
    expect(lines(r, 'done')).toEqual(['2026-11-01', '2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05', '2026-11-06']);
  }, 30_000);

  it('racing the daemon on the same job never runs a run key twice', async () => {
    const r = rig(`
      version: 1
      jobs:
        tick: { schedule: "* * * * * *", concurrency: allow, command: 'echo "$TOCK_LOGICAL_TIME $TOCK_TRIGGER" >> ticks' }
    `);
    const daemon = r.start(['daemon']);
    await waitFor(() => (lines(r, 'ticks').length >= 1 ? true : undefined), 10_000, 'the daemon to run');
    const now = Date.now();
    const from = new Date(now - 3_000).toISOString();
    const to = new Date(now + 4_000).toISOString();
    await r.run(['backfill', 'tick', '--from', from, '--to', to, '--parallel', '4']);
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    daemon.child.kill('SIGTERM');
    await daemon.done;
    const times = lines(r, 'ticks').map((l) => l.split(' ')[0]);
    expect(new Set(times).size).toBe(times.length);
    expect(lines(r, 'ticks').some((l) => l.endsWith('backfill'))).toBe(true);
    const successes = r.runs('tick').filter((x) => x.outcome === 'success').map((x) => x.logical_time);
    expect(new Set(successes).size).toBe(successes.length);
  }, 30_000);

  it.each([
    [['--from', '2026-11-05', '--to', '2026-11-01'], /--from must be before --to/],
    [['--from', 'last tuesday', '--to', '2026-11-01'], /--from: expected an ISO 8601 date/],
    [['--from', '2026-11-01T03:01:10', '--to', '2026-11-01T03:01:50'], /at least one scheduled instant/],
    [['--from', '2000-01-01', '--to', '2026-01-01'], /at most 100000 instants without --yes/],
  ])('refuses %j with exit 2', async (args, message) => {
    const r = rig(`
      version: 1
      jobs:
        m: { schedule: "* * * * *", command: "true" }
    `);
    const result = await r.run(['backfill', 'm', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect((await r.run(['backfill', 'nope', '--from', '2026-11-01', '--to', '2026-11-02'])).code).toBe(2);
  }, 20_000);
});
