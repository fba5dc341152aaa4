// SPEC 4 "Overlap and locks" and the `run` exit codes of SPEC 6, on real processes: several
// `tock run` processes share one state dir, as shell invocations and the daemon do.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { Result, RunRecordLike } from '../helpers/rig.js';
import { FIXTURE_BIN, liveGroupMembers, Rig, alive, waitFor } from '../helpers/rig.js';

const INTERVAL = path.join(FIXTURE_BIN, 'conc-interval.sh');
const BARRIER = path.join(FIXTURE_BIN, 'conc-barrier.sh');

let rig: Rig | undefined;
/** Process groups a test left running on purpose; killed after the test whatever happened. */
const leftovers: number[] = [];

afterEach(() => {
  for (const pgid of leftovers.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rig?.cleanup();
  rig = undefined;
});

function newRig(yaml: string): Rig {
  rig = new Rig(yaml);
  return rig;
}

/** A YAML flow sequence for an argv `command`. */
function argv(...args: string[]): string {
  return `[${args.map((a) => JSON.stringify(a)).join(', ')}]`;
}

/** The first `run-started` event of a job (the run holds its locks by then), as its run record. */
function inFlight(r: Rig, job: string): RunRecordLike | undefined {
  const event = r.ledger(job).find((e) => e.type === 'run-started');
  return event === undefined ? undefined : (event.run as RunRecordLike);
}

interface Interval {
  run: string;
  start: number;
  end: number;
}

/** The intervals conc-interval.sh / conc-barrier.sh wrote, in ms, ordered by start. */
function intervals(file: string): Interval[] {
  const byRun = new Map<string, Partial<Interval>>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [what, run, ns] = line.split(' ');
    if ((what !== 'start' && what !== 'end') || run === undefined || ns === undefined) continue;
    const entry = byRun.get(run) ?? { run };
    entry[what] = Number(BigInt(ns) / 1_000_000n);
    byRun.set(run, entry);
  }
  return [...byRun.values()]
    .map((i) => {
      if (i.run === undefined || i.start === undefined || i.end === undefined) throw new Error(`incomplete interval in ${file}: ${JSON.stringify(i)}`);
      return { run: i.run, start: i.start, end: i.end };
    })
    .sort((a, b) => a.start - b.start);
}

function expectNoOverlap(list: readonly Interval[]): void {
  for (let i = 1; i < list.length; i++) {
    const before = list[i - 1];
    const after = list[i];
    if (before === undefined || after === undefined) throw new Error('unreachable');
    expect(after.start, `run ${after.run} started before run ${before.run} ended`).toBeGreaterThanOrEqual(before.end);
  }
}

function describeResult(result: Result): string {
  return `exit ${String(result.code)} signal ${String(result.signal)}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
}

function expectExit(result: Result, code: number): void {
  expect(result.code, describeResult(result)).toBe(code);
}

describe('tock run: overlap and locks (SPEC 4)', () => {
  it('forbid: a second run while one is in flight is refused with 75, recorded skipped (overlap), and spawns nothing', async () => {
    const r = newRig(`
      version: 1
      jobs:
        slow:
          schedule: "@daily"
          command: sleep 3
    `);
    const first = r.start(['run', 'slow']);
    const running = await waitFor(() => inFlight(r, 'slow'), 10_000, 'the first run to be in flight');

    const second = await r.run(['run', 'slow']);
    expectExit(second, 75);
    expect(second.stderr).toMatch(/already running/i);

    // The refusal is in the ledger while the first run is still going.
    const skipped = r.runs('slow');
    expect(skipped).toHaveLength(1);
    const refused = skipped[0];
    expect(refused?.outcome).toBe('skipped');
    expect(refused?.reason).toBe('overlap');
    expect(refused?.run_id).not.toBe(running.run_id);
    expect(refused?.attempts).toEqual([]);
    expect(r.ledger('slow').filter((e) => e.type === 'attempt-started' && e.run_id === refused?.run_id)).toEqual([]);

    const firstResult = await first.done;
    expectExit(firstResult, 0);
    const runs = r.runs('slow');
    expect(runs.map((run) => [run.run_id, run.outcome])).toEqual([
      [refused?.run_id, 'skipped'],
      [running.run_id, 'success'],
    ]);
    // Only the first run ever started an attempt.
    expect(r.ledger('slow').filter((e) => e.type === 'attempt-started').map((e) => e.run_id)).toEqual([running.run_id]);
  }, 30_000);

  it('queue: two concurrent runs both succeed, one after the other', async () => {
    const r = newRig(`
      version: 1
      jobs:
        q:
          schedule: "@daily"
          concurrency: queue
          command: ${argv(INTERVAL, 'times', '2')}
    `);
    const a = r.start(['run', 'q']);
    const b = r.start(['run', 'q']);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expectExit(ra, 0);
    expectExit(rb, 0);

    const runs = r.runs('q');
    expect(runs.map((run) => run.outcome)).toEqual(['success', 'success']);
    const list = intervals(path.join(r.dir, 'times'));
    expect(list.map((i) => i.run).sort()).toEqual(runs.map((run) => run.run_id).sort());
    expectNoOverlap(list);
  }, 30_000);

  it('replace: the holder is stopped and recorded killed (replaced); the new run runs and succeeds', async () => {
    // The first run (no `started` marker yet) writes its shell's pid and sleeps; the second
    // finds the marker and exits at once. Both append their run id to `attempts`.
    const r = newRig(`
      version: 1
      jobs:
        r:
          schedule: "@daily"
          concurrency: replace
          kill_grace: 1s
          command: 'echo "$TOCK_RUN_ID" >> attempts; if [ -e started ]; then exit 0; fi; echo $$ > pid; touch started; sleep 30'
    `);
    const first = r.start(['run', 'r']);
    const pid = await waitFor(() => {
      const text = existsSync(path.join(r.dir, 'pid')) ? readFileSync(path.join(r.dir, 'pid'), 'utf8').trim() : '';
      return text === '' ? undefined : Number(text);
    }, 10_000, 'the first run to write its pid');
    leftovers.push(pid);
    const firstRun = await waitFor(() => inFlight(r, 'r'), 10_000, 'the first run to be in flight');

    const startedAt = Date.now();
    const second = await r.run(['run', 'r']);
    const firstResult = await first.done;
    expectExit(second, 0);
    expectExit(firstResult, 1);
    // TERM, kill_grace 1s: well under the 30 s sleep.
    expect(Date.now() - startedAt).toBeLessThan(10_000);

    const runs = r.runs('r');
    const killed = runs.find((run) => run.run_id === firstRun.run_id);
    expect(killed?.outcome).toBe('killed');
    expect(killed?.reason).toBe('replaced');
    const replacement = runs.find((run) => run.run_id !== firstRun.run_id);
    expect(replacement?.outcome).toBe('success');
    expect(runs).toHaveLength(2);

    // Both runs ran their command: the first, then the one that replaced it.
    const attempts = readFileSync(path.join(r.dir, 'attempts'), 'utf8').trim().split('\n');
    expect(attempts).toEqual([firstRun.run_id, replacement?.run_id]);
    // The first run's shell and its whole process group (the sleep) are gone.
    expect(alive(pid)).toBe(false);
    expect(liveGroupMembers(pid)).toEqual([]);
  }, 30_000);

  it('allow: two runs are in flight at once and both succeed', async () => {
    // conc-barrier.sh only succeeds when both runs have started before either ends.
    const r = newRig(`
      version: 1
      jobs:
        free:
          schedule: "@daily"
          concurrency: allow
          command: ${argv(BARRIER, 'times', '2', '10')}
    `);
    const a = r.start(['run', 'free']);
    const b = r.start(['run', 'free']);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expectExit(ra, 0);
    expectExit(rb, 0);

    expect(r.runs('free').map((run) => run.outcome)).toEqual(['success', 'success']);
    const list = intervals(path.join(r.dir, 'times'));
    expect(list).toHaveLength(2);
    const [one, two] = list;
    expect(two?.start).toBeLessThan(one?.end ?? -Infinity);
  }, 30_000);

  it('locks: two jobs sharing a resource lock never overlap, from separate processes or one', async () => {
    const r = newRig(`
      version: 1
      jobs:
        a:
          schedule: "@daily"
          locks: [db]
          command: ${argv(INTERVAL, 'times', '2')}
        b:
          schedule: "@daily"
          locks: [db]
          command: ${argv(INTERVAL, 'times', '2')}
    `);
    const pa = r.start(['run', 'a']);
    const pb = r.start(['run', 'b']);
    const [ra, rb] = await Promise.all([pa.done, pb.done]);
    expectExit(ra, 0);
    expectExit(rb, 0);
    expect(r.runs('a').map((run) => run.outcome)).toEqual(['success']);
    expect(r.runs('b').map((run) => run.outcome)).toEqual(['success']);
    const list = intervals(path.join(r.dir, 'times'));
    expect(list).toHaveLength(2);
    expectNoOverlap(list);

    // One invocation running both jobs in parallel (max_parallel 4) honours the lock too.
    const both = await r.run(['run', 'a', 'b']);
    expectExit(both, 0);
    expect(r.runs('a').map((run) => run.outcome)).toEqual(['success', 'success']);
    expect(r.runs('b').map((run) => run.outcome)).toEqual(['success', 'success']);
    const all = intervals(path.join(r.dir, 'times'));
    expect(all).toHaveLength(4);
    expectNoOverlap(all);
  }, 30_000);

  it('locks: jobs naming the same locks in opposite orders both finish (no deadlock)', async () => {
    const r = newRig(`
      version: 1
      jobs:
        c:
          schedule: "@daily"
          locks: [db, cache]
          command: ${argv(INTERVAL, 'times', '1')}
        d:
          schedule: "@daily"
          locks: [cache, db]
          command: ${argv(INTERVAL, 'times', '1')}
    `);
    const startedAt = Date.now();
    const pc = r.start(['run', 'c']);
    const pd = r.start(['run', 'd']);
    const [rc, rd] = await Promise.all([pc.done, pd.done]);
    expectExit(rc, 0);
    expectExit(rd, 0);
    // Two 1 s runs one after the other, plus start-up and lock polling: a few seconds.
    expect(Date.now() - startedAt).toBeLessThan(8_000);
    expect(r.runs('c').map((run) => run.outcome)).toEqual(['success']);
    expect(r.runs('d').map((run) => run.outcome)).toEqual(['success']);
    const list = intervals(path.join(r.dir, 'times'));
    expect(list).toHaveLength(2);
    expectNoOverlap(list);
  }, 30_000);

  it('forbid: the lock of a tock that stalls (SIGSTOP: it might be alive) is refused at first, then taken over within 30 s, its run interrupted and its job stopped', async () => {
    const r = newRig(`
      version: 1
      jobs:
        slow:
          schedule: "@daily"
          command: sleep 60
    `);
    const first = r.start(['run', 'slow']);
    const tockPid = first.child.pid;
    if (tockPid === undefined) throw new Error('tock did not start');
    await waitFor(() => inFlight(r, 'slow'), 10_000, 'the first run to be in flight');
    // The attempt runs in its own process group, which outlives tock: note it to clean up.
    const ownerFile = path.join(r.stateDir, 'locks', 'job.slow.owner.json');
    const pgid = await waitFor(() => {
      try {
        return (JSON.parse(readFileSync(ownerFile, 'utf8')) as { pgid?: number }).pgid;
      } catch {
        return undefined;
      }
    }, 10_000, 'the lock owner file to name the attempt process group');
    leftovers.push(pgid);

    // A stopped holder is alive on this host: only staleness lets another run in (a dead one is
    // taken over at once: test/e2e/faults-locks.e2e.test.ts).
    process.kill(tockPid, 'SIGSTOP');
    const killedAt = Date.now();

    r.write(`
      version: 1
      jobs:
        slow:
          schedule: "@daily"
          command: "true"
    `);
    // Right after the stall began the lock is still fresh: refused as an overlap.
    const refused = await r.run(['run', 'slow']);
    expectExit(refused, 75);
    expect(refused.stderr).toMatch(/already running/i);

    // Then, within 30 s of the stall, a run takes the lock over and succeeds.
    let result: Result | undefined;
    const codes: (number | null)[] = [];
    const unexpected: string[] = [];
    while (Date.now() - killedAt < 30_000) {
      result = await r.run(['run', 'slow']);
      codes.push(result.code);
      if (result.code !== 0 && result.code !== 75) unexpected.push(describeResult(result));
      if (result.code === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const tookOverAfter = Date.now() - killedAt;
    if (result === undefined) throw new Error('no run was tried');
    expectExit(result, 0);
    expect(tookOverAfter).toBeLessThan(30_000);
    // Every run before the takeover was refused as an overlap, never failed otherwise.
    expect(codes.slice(0, -1).every((code) => code === 75), `exit codes: ${codes.join(', ')}\n${unexpected.join('\n')}`).toBe(true);
    expect(result.stderr).toMatch(/took over job\.slow from run \S+ \(pid \d+\), which died holding it/);
    // The stalled tock's run is recorded interrupted, once (by the run that took its lock over),
    // and its attempt was stopped at the takeover so the job never overlaps itself.
    const killedRunId = r.ledger('slow').find((e) => e.type === 'run-started')?.run as { run_id: string } | undefined;
    const runs = r.runs('slow');
    const interrupted = runs.filter((run) => run.outcome === 'interrupted');
    expect(interrupted.map((run) => run.run_id)).toEqual([killedRunId?.run_id]);
    expect(interrupted[0]?.message).toMatch(/died or stalled during the run/);
    expect(liveGroupMembers(pgid)).toEqual([]);
    process.kill(tockPid, 'SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    expect(runs.at(-1)?.outcome).toBe('success');
    expect(runs.filter((run) => run.outcome !== 'interrupted').slice(0, -1).every((run) => run.outcome === 'skipped' && run.reason === 'overlap')).toBe(true);
  }, 45_000);

  it('an unknown job exits 2, names the job and the known jobs, and writes no ledger', async () => {
    const r = newRig(`
      version: 1
      jobs:
        alpha:
          schedule: "@daily"
          command: "true"
        beta:
          schedule: "@daily"
          command: "true"
    `);
    const result = await r.run(['run', 'gamma']);
    expectExit(result, 2);
    expect(result.stderr).toContain('gamma');
    expect(result.stderr).toContain('alpha');
    expect(result.stderr).toContain('beta');
    expect(existsSync(path.join(r.stateDir, 'ledger', 'gamma'))).toBe(false);
    expect(r.ledger('gamma')).toEqual([]);
    expect(r.ledger('alpha')).toEqual([]);
    expect(r.ledger('beta')).toEqual([]);
  }, 15_000);
});
