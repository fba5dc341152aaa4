import type { Attempt } from '../ledger/records.js';
import { isoUtc, templateValues } from './logical-time.js';
import type { EngineDeps, RunSetup } from './run-context.js';
import { attemptArgv, attemptEnv } from './run-context.js';
import type { ExitInfo, SpawnedProcess } from './ports.js';
import type { RunScope } from './run-scope.js';

/** Why an attempt was stopped from outside, if it was. */
export type StopCause = 'timeout' | 'deadline' | 'shutdown' | 'replaced' | 'lock-lost';

export interface AttemptLimits {
  /** Absolute ms: the attempt's timeout, the run's deadline. */
  timeoutAt?: number;
  deadlineAt?: number;
  /** Aborts when the run must stop (shutdown, replaced, lock lost); its reason is a StopCause. */
  stop: AbortSignal;
}

/**
 * Runs one attempt in its own process group and waits for it. On timeout, deadline or stop the
 * whole group gets SIGTERM, then SIGKILL after `kill_grace` (or at once on a hard stop), and
 * the attempt records which of those ended it.
 */
export async function runAttempt(scope: RunScope, setup: RunSetup, n: number, limits: AttemptLimits): Promise<Attempt> {
  const { deps, job, request } = scope;
  const { clock } = deps;
  const lease = scope.jobLease;
  const startedAt = clock.now();
  const values = templateValues(job.name, job.timezone, request.logicalMs, setup.runId, n);
  const output = deps.output?.(job.name, setup.runId);
  const child = deps.spawner.spawn({
    argv: attemptArgv(job, values),
    cwd: job.workdir,
    env: attemptEnv(request, setup, n),
    ...(setup.account !== undefined ? { uid: setup.account.uid } : {}),
    ...(setup.gid !== undefined ? { gid: setup.gid } : {}),
    logFile: setup.log,
    logMax: job.logMax,
    ...(output !== undefined ? { output } : {}),
    killGraceMs: job.killGraceMs,
    tree: { runId: setup.runId, attempt: n },
  });
  // Should the run unwind while this attempt lives (a bug), its process group goes with it.
  const forget = scope.defer(() => { child.signalGroup('SIGKILL'); });
  // A pre-armed run's first attempt: what is written once the process runs (fsync'd) waits for a
  // turn of the event loop, so other runs let go at the same instant spawn first (their way from
  // the gate to the spawn has no I/O to wait for).
  if (request.armed !== undefined && n === 1) await new Promise((resolve) => setImmediate(resolve));
  lease?.setAttemptGroup(child.pid ?? undefined);
  // Nothing waits on this record (the process runs already): its fsync runs off the event loop.
  scope.recordSoon({
    v: 1, type: 'attempt-started', at: isoUtc(startedAt), job: job.name, run_id: setup.runId, n, of: job.retries + 1, pid: child.pid,
    ...(child.pidStart !== undefined ? { pid_start: child.pidStart } : {}),
    ...(child.cgroup !== undefined ? { cgroup: child.cgroup } : {}),
  });

  const { info, cause, forced } = await waitOrStop(deps, child, job.killGraceMs, limits);
  forget();
  if (info.logError !== undefined) scope.notify({ type: 'storage-failed', at: scope.now(), job: job.name, run_id: setup.runId, what: 'log', error: info.logError });
  lease?.setAttemptGroup(undefined);
  return {
    n,
    started_at: isoUtc(startedAt),
    ended_at: isoUtc(clock.now()),
    exit_code: info.exitCode,
    // The group leader may be a shell that died of the TERM while the job's own processes
    // needed the KILL: what ended the attempt is the KILL.
    signal: forced ? 'SIGKILL' : info.signal,
    ...withEscaped(describeEnd(info, cause, forced, job.timeoutMs), info.escaped),
  };
}

/** Says that processes escaped the process group and were killed, in the attempt's own words. */
function withEscaped(end: Pick<Attempt, 'outcome' | 'error'>, escaped: number | undefined): Pick<Attempt, 'outcome' | 'error' | 'escaped'> {
  if (escaped === undefined || escaped === 0) return end;
  const note = escapedNote(escaped);
  return { ...end, escaped, error: end.error !== undefined ? `${end.error}; ${note}` : note };
}

export function escapedNote(escaped: number): string {
  return `${String(escaped)} process${escaped === 1 ? '' : 'es'} escaped the process group and ${escaped === 1 ? 'was' : 'were'} killed`;
}

async function waitOrStop(deps: EngineDeps, child: SpawnedProcess, graceMs: number, limits: AttemptLimits): Promise<{ info: ExitInfo; cause?: StopCause; forced: boolean }> {
  const { clock } = deps;
  // Set from the promise callback, so read through an object the compiler does not narrow.
  const state: { exited?: ExitInfo } = {};
  const hasExited = (): boolean => state.exited !== undefined;
  const settled = new AbortController();
  const exitedPromise = child.exited.then((info) => {
    state.exited = info;
    settled.abort();
    return info;
  });
  const stopAt = Math.min(limits.timeoutAt ?? Infinity, limits.deadlineAt ?? Infinity);
  const wake = AbortSignal.any([settled.signal, limits.stop]);
  await clock.sleep(stopAt === Infinity ? 2 ** 31 - 1 : Math.max(0, stopAt - clock.now()), wake);
  while (state.exited === undefined && !limits.stop.aborted && clock.now() < stopAt) {
    // A sleep longer than a timer can hold wakes early; go back to waiting.
    await clock.sleep(Math.min(2 ** 31 - 1, stopAt - clock.now()), wake);
  }
  if (state.exited !== undefined) return { info: state.exited, forced: false };

  const cause: StopCause = limits.stop.aborted
    ? (limits.stop.reason as StopCause)
    : clock.now() >= (limits.deadlineAt ?? Infinity) ? 'deadline' : 'timeout';
  child.signalGroup('SIGTERM');
  const graceOver = AbortSignal.any([settled.signal, deps.hardStop]);
  if (!deps.hardStop.aborted) await clock.sleep(graceMs, graceOver);
  let forced = false;
  if (!hasExited()) {
    child.signalGroup('SIGKILL');
    forced = true;
  }
  const info = await exitedPromise;
  // The leader died of the TERM, but what it left needed the KILL.
  return { info, cause, forced: forced || info.forced === true };
}

function describeEnd(info: ExitInfo, cause: StopCause | undefined, forced: boolean, timeoutMs: number | undefined): Pick<Attempt, 'outcome' | 'error'> {
  const how = forced ? 'SIGTERM, then SIGKILL after the grace' : 'SIGTERM';
  switch (cause) {
    case 'timeout':
      return { outcome: 'timeout', error: `timed out after ${String((timeoutMs ?? 0) / 1000)}s; stopped with ${how}` };
    case 'deadline':
      return { outcome: 'deadline', error: `the run's deadline passed; stopped with ${how}` };
    case 'shutdown':
      return { outcome: 'killed', error: `tock was asked to stop; stopped with ${how}` };
    case 'replaced':
      return { outcome: 'killed', error: `replaced by a newer run (concurrency: replace); stopped with ${how}` };
    case 'lock-lost':
      return { outcome: 'killed', error: `the job's lock was lost; stopped with ${how}` };
    case undefined:
      break;
  }
  if (info.exitCode === 0) return { outcome: 'success' };
  if (info.error !== undefined) return { outcome: 'failed', error: info.error };
  if (info.signal !== null) return { outcome: 'failed', error: `killed by ${info.signal}` };
  if (info.exitCode === 127) return { outcome: 'failed', error: 'exit 127: command not found' };
  if (info.exitCode === 126) return { outcome: 'failed', error: 'exit 126: command not executable' };
  return { outcome: 'failed' };
}
