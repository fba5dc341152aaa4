import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { liveGroupMembers, Rig, waitFor } from '../helpers/rig.js';

const rigs: Rig[] = [];
const daemons: { child: { kill: (s: NodeJS.Signals) => boolean } }[] = [];
function rig(yaml: string): Rig {
  const r = new Rig(yaml);
  rigs.push(r);
  return r;
}
afterEach(() => {
  for (const d of daemons.splice(0)) d.child.kill('SIGKILL');
  for (const r of rigs.splice(0)) r.cleanup();
});

function startDaemon(r: Rig, args: string[] = []) {
  const d = r.start(['daemon', ...args]);
  daemons.push(d);
  return d;
}

/** Lines of a file the jobs append to, or [] before the first. */
function lines(r: Rig, name: string): string[] {
  try {
    return readFileSync(path.join(r.dir, name), 'utf8').trim().split('\n').filter((l) => l !== '');
  } catch {
    return [];
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('tock daemon', () => {
  it('fires on the instant with the right logical time, a pipeline per tick, and stops on SIGTERM with exit 0', async () => {
    const r = rig(`
      version: 1
      jobs:
        tick: { schedule: "*/2 * * * * *", command: 'echo "$TOCK_LOGICAL_TIME $(date +%s.%N)" >> ticks' }
        after: { needs: [tick], command: 'echo "$TOCK_LOGICAL_TIME" >> afters' }
    `);
    const d = startDaemon(r);
    await waitFor(() => (lines(r, 'afters').length >= 2 ? true : undefined), 10_000, 'two ticks');
    d.child.kill('SIGTERM');
    const result = await d.done;
    expect(result.code).toBe(0);
    const ticks = lines(r, 'ticks').map((l) => l.split(' '));
    for (const [logical, started] of ticks) {
      const instant = Date.parse(logical ?? '');
      expect(new Date(instant).getUTCSeconds() % 2).toBe(0);
      const late = Number(started) * 1000 - instant;
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThan(1000);
    }
    // Each tick's downstream ran for the same logical time.
    expect(lines(r, 'afters').slice(0, 2)).toEqual(ticks.slice(0, 2).map(([logical]) => logical));
    expect(result.stderr).toMatch(/ started jobs=2 pid=\d+/);
    expect(result.stderr).toMatch(/ run-finished job=tick run=\S+ logical_time="[^"]+ UTC" outcome=success/);
    expect(result.stderr).toMatch(/ stopped\n$/);
    const runs = r.runs('tick');
    expect(runs.every((run) => run.trigger === 'schedule' && run.outcome === 'success')).toBe(true);
  }, 20_000);

  it('on SIGTERM during a long job TERMs it, records it killed, leaves no process, exits 0', async () => {
    const r = rig(`
      version: 1
      jobs:
        long: { schedule: "* * * * * *", kill_grace: 1s, command: "sleep 30" }
    `);
    const d = startDaemon(r, ['--log-format', 'json']);
    const pid = await waitFor(() => r.ledger('long').find((e) => e.type === 'attempt-started')?.pid as number | undefined, 10_000, 'the job');
    const t0 = Date.now();
    d.child.kill('SIGTERM');
    const result = await d.done;
    expect(result.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(r.runs('long').map((run) => [run.outcome, run.reason])).toContainEqual(['killed', 'shutdown']);
    expect(liveGroupMembers(pid)).toEqual([]);
    const events = result.stderr.trim().split('\n').map((l) => JSON.parse(l) as { event: string; job?: string; run?: string });
    expect(events.find((e) => e.event === 'stopping')).toBeDefined();
    expect(events.filter((e) => e.event.startsWith('run-') || e.event.startsWith('attempt-')).every((e) => e.job === 'long' && typeof e.run === 'string')).toBe(true);
  }, 20_000);

  it('SIGHUP adds a job; an invalid jobfile is logged and the old one keeps running', async () => {
    const r = rig(`
      version: 1
      jobs:
        a: { schedule: "* * * * * *", concurrency: allow, command: "echo a >> out" }
    `);
    const d = startDaemon(r);
    await waitFor(() => (lines(r, 'out').includes('a') ? true : undefined), 10_000, 'a');
    r.write(`
      version: 1
      jobs:
        a: { schedule: "* * * * * *", concurrency: allow, command: "echo a >> out" }
        b: { schedule: "* * * * * *", concurrency: allow, command: "echo b >> out" }
    `);
    d.child.kill('SIGHUP');
    await waitFor(() => (lines(r, 'out').includes('b') ? true : undefined), 10_000, 'b after the reload');
    writeFileSync(r.jobfile, 'version: 1\njobs:\n  a: { schedule: "61 * * * *", command: x }\n');
    d.child.kill('SIGHUP');
    await waitFor(() => (d.output().stderr.includes('reload-failed') ? true : undefined), 10_000, 'the failed reload');
    const before = lines(r, 'out').length;
    await sleep(2_500);
    expect(lines(r, 'out').length).toBeGreaterThan(before);
    expect(d.output().stderr).toMatch(/reload-failed .*tock\.yaml:3:\d+: error: jobs\.a\.schedule/);
    d.child.kill('SIGTERM');
    expect((await d.done).code).toBe(0);
  }, 25_000);

  it('refuses a second daemon on the same state dir', async () => {
    const r = rig(`
      version: 1
      jobs:
        a: { schedule: "0 0 1 1 *", command: "true" }
    `);
    const d = startDaemon(r);
    await waitFor(() => (d.output().stderr.includes(' started ') ? true : undefined), 10_000, 'the first daemon');
    const second = await r.run(['daemon']);
    expect(second.code).toBe(75);
    expect(second.stderr).toMatch(/another tock daemon \(pid \d+\) is running on /);
    d.child.kill('SIGTERM');
    expect((await d.done).code).toBe(0);
  }, 20_000);

  it.each([
    ['none', { ran: 0, missed: true }],
    ['latest', { ran: 1, missed: true }],
    ['all', { ran: 3, missed: false }],
  ] as const)('after being stopped, catches up with catchup: %s', async (policy, expected) => {
    const r = rig(`
      version: 1
      jobs:
        j: { schedule: "* * * * * *", catchup: ${policy}, concurrency: allow, command: 'echo "$TOCK_TRIGGER $TOCK_LOGICAL_TIME" >> out' }
    `);
    const first = startDaemon(r);
    await waitFor(() => (lines(r, 'out').length >= 1 ? true : undefined), 10_000, 'a first run');
    first.child.kill('SIGTERM');
    await first.done;
    const before = lines(r, 'out').length;
    await sleep(3_300);
    const second = startDaemon(r);
    // Wait for what the policy does at start (not a fixed time: a loaded machine starts slower),
    // then a little longer, so that a second catch-up would have shown.
    const catchupsNow = (): string[] => lines(r, 'out').slice(before).filter((l) => l.startsWith('catchup'));
    const missedNow = (): unknown[] => r.runs('j').filter((run) => run.outcome === 'missed');
    await waitFor(() => ((expected.ran === 0 ? missedNow().length > 0 : catchupsNow().length >= expected.ran) ? true : undefined), 15_000, 'the catch-up');
    await sleep(700);
    second.child.kill('SIGTERM');
    await second.done;
    const catchups = catchupsNow();
    const missed = missedNow();
    if (expected.ran === 3) expect(catchups.length).toBeGreaterThanOrEqual(3);
    else expect(catchups).toHaveLength(expected.ran);
    expect(missed.length > 0).toBe(expected.missed);
    // No logical time ran twice.
    const times = lines(r, 'out').map((l) => l.split(' ')[1]);
    expect(new Set(times).size).toBe(times.length);
  }, 40_000);

  it('shares its locks with tock run from a shell: a forbid job never overlaps', async () => {
    const r = rig(`
      version: 1
      jobs:
        slow: { schedule: "*/3 * * * * *", command: "sleep 2" }
    `);
    const d = startDaemon(r);
    await waitFor(() => r.ledger('slow').find((e) => e.type === 'attempt-started'), 10_000, 'the daemon run');
    const shell = await r.run(['run', 'slow']);
    expect(shell.code).toBe(75);
    d.child.kill('SIGTERM');
    await d.done;
  }, 20_000);

  it('serves /metrics and /status over HTTP', async () => {
    const r = rig(`
      version: 1
      jobs:
        ok: { schedule: "* * * * * *", concurrency: allow, command: "true" }
    `);
    const d = startDaemon(r, ['--listen', '127.0.0.1:0']);
    const address = await waitFor(() => / listen=(\S+)/.exec(d.output().stderr)?.[1], 10_000, 'the listening address');
    await waitFor(() => (r.runs('ok').length > 0 ? true : undefined), 10_000, 'a run');
    const metrics = await (await fetch(`http://${address}/metrics`)).text();
    expect(metrics).toMatch(/^tock_runs_total\{job="ok",outcome="success"\} [1-9]\d*$/m);
    expect(metrics).toContain('# TYPE tock_running gauge');
    const status = (await (await fetch(`http://${address}/status`)).json()) as { jobs: { name: string; last: { outcome: string } | null }[] };
    expect(status.jobs[0]).toMatchObject({ name: 'ok', last: { outcome: 'success' } });
    d.child.kill('SIGTERM');
    expect((await d.done).code).toBe(0);
  }, 20_000);

  it('refuses a bad --listen address with a clear error', async () => {
    const r = rig(`
      version: 1
      jobs:
        ok: { schedule: "@daily", command: "true" }
    `);
    const result = await r.run(['daemon', '--listen', 'nowhere']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--listen: expected HOST:PORT/);
  }, 15_000);
});
