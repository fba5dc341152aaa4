// Issue 11, "Never twice, never two daemons", on real processes and signals: a daemon that
// stalls loses its lock and stops; a holder provably gone (killed -9, or a zombie) is taken over
// at once, for the daemon lock and for job locks.
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { Result, Rig, RunRecordLike } from '../helpers/rig.js';
import { BIN, liveGroupMembers, waitFor } from '../helpers/rig.js';
import { rigsCleanedAfterEach } from '../helpers/rigs.js';

const rig = rigsCleanedAfterEach();
/** Processes and groups a test left behind on purpose: killed after it, whatever happened. */
const leftovers: number[] = [];

afterEach(() => {
  for (const id of leftovers.splice(0)) {
    for (const target of [id, -id]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

function describeResult(result: Result): string {
  return `exit ${String(result.code)} signal ${String(result.signal)}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
}

/** /proc/PID/stat's state letter, or undefined once the process is gone (reaped). */
function stateOf(pid: number): string | undefined {
  try {
    const text = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/** The process group of the attempt holding a job's lock, once its owner file names one. */
function attemptGroup(r: Rig, job: string): Promise<number> {
  const ownerFile = path.join(r.stateDir, 'locks', `job.${job}.owner.json`);
  return waitFor(() => {
    try {
      return (JSON.parse(readFileSync(ownerFile, 'utf8')) as { pgid?: number }).pgid;
    } catch {
      return undefined;
    }
  }, 10_000, `the lock owner file of ${job} to name the attempt's process group`);
}

/** Starts a daemon and waits for its "started" line; null when it exits first (refused). */
async function startDaemon(r: Rig): Promise<{ pid: number; done: Promise<Result>; stderr: () => string } | null> {
  const d = r.start(['daemon']);
  const pid = d.child.pid;
  if (pid === undefined) throw new Error('tock did not start');
  let exited = false;
  void d.done.then(() => { exited = true; });
  await waitFor(() => (exited || d.output().stderr.includes(' started ') ? true : undefined), 10_000, 'the daemon to start or exit');
  if (!d.output().stderr.includes(' started ')) return null;
  leftovers.push(pid);
  return { pid, done: d.done, stderr: () => d.output().stderr };
}

/** The logical times a job's command wrote to the file `ticks`, one line a run. */
function ticks(r: Rig): string[] {
  try {
    return readFileSync(path.join(r.dir, 'ticks'), 'utf8').split('\n').filter((l) => l !== '').map((l) => l.split(' ')[0] ?? '');
  } catch {
    return [];
  }
}

function duplicates(values: readonly string[]): string[] {
  return [...new Set(values.filter((v, i) => values.indexOf(v) !== i))];
}

const SLOW = `
  version: 1
  jobs:
    slow: { schedule: "@daily", command: sleep 60 }
`;

/**
 * After the holder of `slow`'s lock died, the next `tock run slow` (now a quick command) runs
 * at once, not skipped as an overlap: the dead run is recorded interrupted and its attempt's
 * process group (`pgid`) was stopped.
 */
async function expectRunsAgainAtOnce(r: Rig, pgid: number): Promise<void> {
  r.write(SLOW.replace('sleep 60', '"true"'));
  const again = await r.run(['run', 'slow']);
  expect(again.code, describeResult(again)).toBe(0);
  expect(r.runs('slow').map((run) => run.outcome)).toEqual(['interrupted', 'success']);
  expect(liveGroupMembers(pgid)).toEqual([]);
}

const EVERY_SECOND = `
  version: 1
  jobs:
    tick:
      schedule: "* * * * * *"
      command: echo "$TOCK_LOGICAL_TIME $TOCK_RUN_ID" >> ticks
`;

describe('a stalled daemon (SPEC 5)', () => {
  it('loses its lock to a second daemon, starts nothing more, exits non-zero; no instant runs or is missed twice', async () => {
    const r = rig(EVERY_SECOND);
    const a = await startDaemon(r);
    if (a === null) throw new Error('the first daemon was refused');
    await waitFor(() => (ticks(r).length >= 2 ? true : undefined), 10_000, 'daemon A to run the job');

    // A stalls (SIGSTOP) past its lock's staleness. Meanwhile a second daemon is started as
    // systemd would restart one: refused while A's lock is fresh, it takes over once it is stale.
    process.kill(a.pid, 'SIGSTOP');
    const stoppedAt = Date.now();
    let b: Awaited<ReturnType<typeof startDaemon>> = null;
    let refusals = 0;
    while (b === null && Date.now() - stoppedAt < 30_000) {
      b = await startDaemon(r);
      if (b === null) {
        refusals++;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    if (b === null) throw new Error('the second daemon never took over');
    expect(refusals).toBeGreaterThan(0);
    const bPid = b.pid;
    // B runs the job on its own while A is still stopped.
    await waitFor(() => (r.runs('tick').filter((run) => (run as { pid?: number }).pid === bPid).length >= 2 ? true : undefined), 10_000, 'daemon B to run the job');
    while (Date.now() - stoppedAt < 17_000) await new Promise((resolve) => setTimeout(resolve, 200));

    process.kill(a.pid, 'SIGCONT');
    const resultA = await a.done;
    expect(resultA.code, describeResult(resultA)).toBe(75);
    expect(resultA.stderr).toContain(`tock: lost the daemon lock on ${r.stateDir} to pid ${String(bPid)} after a stall; stopping`);
    // B goes on, alone.
    const after = ticks(r).length;
    await waitFor(() => (ticks(r).length >= after + 2 ? true : undefined), 10_000, 'daemon B to go on');
    process.kill(bPid, 'SIGTERM');
    const resultB = await b.done;
    expect(resultB.code, describeResult(resultB)).toBe(0);

    // No logical time ran twice: in the job's own output, in the ledger's starts, and in history.
    const written = ticks(r);
    expect(duplicates(written), written.join('\n')).toEqual([]);
    const started = r.ledger('tick').filter((e) => e.type === 'run-started').map((e) => (e.run as RunRecordLike).logical_time);
    expect(duplicates(started)).toEqual([]);
    const history = await r.run(['history', 'tick', '--json', '--limit', '10000']);
    const runs = (JSON.parse(history.stdout) as { runs: RunRecordLike[] }).runs;
    expect(duplicates(runs.map((run) => run.logical_time)), JSON.stringify(runs.map((run) => [run.logical_time, run.outcome, run.trigger]))).toEqual([]);
    // B caught up on the instants of the stall (catchup: latest, the older ones missed), once.
    const missed = runs.filter((run) => run.outcome === 'missed');
    expect(missed.length).toBeGreaterThan(0);
    expect(duplicates(missed.map((run) => run.logical_time))).toEqual([]);
  }, 60_000);
});

describe('a holder provably gone is taken over at once (SPEC 4, 5)', () => {
  it('a daemon killed -9 is replaced by the next one at once, while its lock is still fresh', async () => {
    const r = rig(EVERY_SECOND);
    const a = await startDaemon(r);
    if (a === null) throw new Error('the first daemon was refused');
    process.kill(a.pid, 'SIGKILL');
    expect((await a.done).signal).toBe('SIGKILL');
    // The dead daemon's lock is fresh (touched every 3 s, stale after 15 s): only its death lets the next one in.
    const lockDir = path.join(r.stateDir, 'locks', 'daemon.lock');
    expect(Date.now() - statSync(lockDir).mtimeMs).toBeLessThan(10_000);
    const b = await startDaemon(r);
    if (b === null) throw new Error('the second daemon was refused although the first is dead');
    const bPid = b.pid;
    await waitFor(() => (r.runs('tick').some((run) => (run as { pid?: number }).pid === bPid) ? true : undefined), 10_000, 'daemon B to run the job');
    process.kill(bPid, 'SIGTERM');
    expect((await b.done).code).toBe(0);
  }, 30_000);

  it('a forbid job whose `tock run` was killed -9 runs again at once: not an overlap; the dead run interrupted, its orphans stopped', async () => {
    const r = rig(SLOW);
    const first = r.start(['run', 'slow']);
    const pgid = await attemptGroup(r, 'slow');
    leftovers.push(pgid);
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');

    await expectRunsAgainAtOnce(r, pgid);
  }, 30_000);

  it('a tock killed -9 and left a zombie by its parent counts as dead: its lock is taken over at once and its run recorded interrupted', async () => {
    const r = rig(SLOW);
    // The shell backgrounds tock and then becomes `sleep`, which never reaps its child.
    const tockArgs = [process.execPath, BIN, 'run', 'slow', '-f', r.jobfile, '--state-dir', r.stateDir].map((a) => `'${a}'`).join(' ');
    const parent = spawn('/bin/sh', ['-c', `${tockArgs} >/dev/null 2>&1 & echo $!; exec sleep 120`], { cwd: r.dir, env: r.env(), stdio: ['ignore', 'pipe', 'ignore'] });
    if (parent.pid !== undefined) leftovers.push(parent.pid);
    let out = '';
    parent.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const tockPid = await waitFor(() => (/^\d+\n/.test(out) ? Number(out.trim()) : undefined), 10_000, 'the backgrounded tock pid');
    const pgid = await attemptGroup(r, 'slow');
    leftovers.push(pgid);

    process.kill(tockPid, 'SIGKILL');
    await waitFor(() => (stateOf(tockPid) === 'Z' ? true : undefined), 10_000, `tock ${String(tockPid)} to be a zombie`);

    await expectRunsAgainAtOnce(r, pgid);
    expect(stateOf(tockPid)).toBe('Z'); // still unreaped: it was taken for dead as a zombie
  }, 30_000);
});
