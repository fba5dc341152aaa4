import type { RunReason, RunRecord } from '../ledger/records.js';
import { runAttempt } from './attempt.js';
import { runEndHooks, runHook } from './hooks.js';
import type { WaitLimit } from './locking.js';
import { acquireLocks, lockNames, takeLocksAhead } from './locking.js';
import { isoUtc } from './logical-time.js';
import { isRetryable, retryDelayMs } from './retry.js';
import type { EngineDeps, RunRequest, RunSetup } from './run-context.js';
import { prepareRun } from './run-context.js';
import type { Ending } from './run-scope.js';
import { RunScope } from './run-scope.js';
import { waitForNeeds, waitForPath, watchSla } from './waits.js';

/**
 * One run, start to finish: lock (per `concurrency`), record it in flight, wait_for, attempts
 * with retries and backoff, then unwind in reverse: the outcome recorded, the locks released,
 * then hooks (STYLE habit 6). A job's failure is an outcome in the returned record, never an
 * exception; a bug ends the run `failed` with reason internal-error.
 */
export function runJob(deps: EngineDeps, request: RunRequest): Promise<RunRecord> {
  const scope = new RunScope(deps, request);
  return scope.run(() => runInScope(scope), (run) => runEndHooks(scope, run));
}

async function runInScope(scope: RunScope): Promise<Ending> {
  const { deps, job, request } = scope;
  const { clock } = deps;
  const armingFrom = clock.now();
  const startBy = scope.onTime && job.startDeadlineMs !== undefined ? request.logicalMs + job.startDeadlineMs : undefined;
  if (startBy !== undefined && clock.now() > startBy) {
    return { outcome: 'missed', message: `could not start within start_deadline (${String((job.startDeadlineMs ?? 0) / 1000)}s after its time)` };
  }
  const claimed = request.dedupe === true ? await claimRunKey(scope) : undefined;
  if (claimed !== undefined) return claimed;
  const gate = request.armed;
  // Pre-armed: the locks free now, the in-flight record and the setup are done before the
  // instant, so that at the gate only the spawn is left. A lock held by another run is taken at
  // the instant, by its job's `concurrency`, as for a run not armed ahead.
  const ahead = gate !== undefined ? await takeLocksAhead(scope) : 0;
  let ready = gate !== undefined && ahead === lockNames(scope, false).length ? beginRun(scope) : undefined;
  if (gate !== undefined) {
    const call = await gate.wait(armingFrom, clock.now());
    if (call !== 'go') return { outcome: 'killed', reason: call, message: call === 'shutdown' ? 'tock was asked to stop before the run\'s time; nothing was started, and the next start handles this instant by its catchup' : 'tock lost the daemon lock before the run\'s time; nothing was started' };
  }
  if (ready === undefined) {
    const refused = await acquireLocks(scope, { queue: request.waitForLock === true, limit: waitLimit(scope.deadlineAt, startBy) }, ahead);
    if (refused !== undefined) return refused;
    ready = beginRun(scope);
  }
  if (!('setup' in ready)) return ready;
  watchSla(scope);
  return (await waitForNeeds(scope)) ?? (await waitForPath(scope, ready.setup)) ?? (await attemptAll(scope, ready.setup));
}

/** The run holds its locks: record it in flight and resolve its setup (or say why it cannot run). */
function beginRun(scope: RunScope): { setup: RunSetup } | Ending {
  scope.begin();
  try {
    scope.setup = prepareRun(scope.request, scope.deps.host, scope.runId);
    return { setup: scope.setup };
  } catch (error) {
    return { outcome: 'failed', reason: 'setup-failed', message: (error as Error).message };
  }
}

/** Attempts until one succeeds, the retries run out, or the run must stop. */
async function attemptAll(scope: RunScope, setup: RunSetup): Promise<Ending> {
  const { deps, job, deadlineAt } = scope;
  const { clock } = deps;
  for (let n = 1; ; n++) {
    if (deadlineAt !== undefined && clock.now() >= deadlineAt) return { outcome: 'deadline', message: 'the deadline passed before the attempt could start' };
    // A process that stalled past its locks' staleness may have lost one to another (and a daemon
    // that lost its own lock stops its runs): never spawn then.
    if (!scope.canGoOn()) {
      const why = scope.stop.reason === 'lock-lost' ? 'tock lost a lock of the run (it stalled past the 15 s staleness)' : 'stopped';
      return { outcome: 'killed', reason: scope.stop.reason as RunReason, message: `${why} before attempt ${String(n)} could start` };
    }
    const timeoutAt = job.timeoutMs === undefined ? undefined : clock.now() + job.timeoutMs;
    const attempt = await runAttempt(scope, setup, n, {
      ...(timeoutAt !== undefined ? { timeoutAt } : {}),
      ...(deadlineAt !== undefined ? { deadlineAt } : {}),
      stop: scope.stop,
    });
    scope.attempts.push(attempt);
    const last = attempt.outcome === 'killed' || attempt.outcome === 'success' || n > job.retries || !isRetryable(job, attempt);
    // The last attempt goes to the ledger with the run's final record, which follows at once.
    scope.record({ v: 1, type: 'attempt-finished', at: attempt.ended_at, job: job.name, run_id: scope.runId, attempt }, { withNext: last });
    if (attempt.outcome === 'killed') return { outcome: 'killed', reason: scope.stop.reason as RunReason };
    if (last) return { outcome: attempt.outcome };

    const delay = retryDelayMs(job, n);
    scope.notify({ type: 'retry-scheduled', at: scope.now(), job: job.name, run_id: scope.runId, next: n + 1, delay_ms: delay });
    await runHook(scope, 'on_retry', scope.snapshot({ outcome: attempt.outcome }));
    const wakeAt = Math.min(clock.now() + delay, deadlineAt ?? Infinity);
    await clock.sleep(Math.max(0, wakeAt - clock.now()), scope.stop);
    if (scope.stop.aborted) return { outcome: 'killed', reason: scope.stop.reason as RunReason, message: 'stopped while waiting to retry' };
    if (deadlineAt !== undefined && clock.now() >= deadlineAt) return { outcome: 'deadline', message: 'the deadline passed while waiting to retry' };
  }
}

/**
 * SPEC 3: a run key is never started twice by the daemon, catch-up or backfill, whichever process
 * asks. A lock per key keeps two from running at once (even under `concurrency: allow`); the
 * ledger, read once the key is held (so no run of it can start or end unseen meanwhile), says
 * whether one already succeeded or is in flight: a holder that stalled past the key lock's
 * staleness lost the lock but may still be running its attempt. Only a run whose tock is
 * provably gone from this host does not count. The key is held until the final record is written.
 */
async function claimRunKey(scope: RunScope): Promise<Ending | undefined> {
  const { deps, job, request } = scope;
  const at = isoUtc(request.logicalMs);
  const owner = { pid: deps.host.pid, host: deps.host.hostname, run_id: scope.runId, job: job.name };
  const lease = await deps.locks.tryAcquire(`key.${job.name}.${String(request.logicalMs)}`, owner);
  if (lease === null) return { outcome: 'skipped', reason: 'overlap', message: `a run for ${at} is already in flight` };
  scope.hold(lease);
  const runs = deps.ledger.successOrInFlight(job.name, at);
  const running = runs.find((r) => r.in_flight === true && (r.host !== deps.host.hostname || deps.host.isAlive(r.pid, r.pid_start)));
  if (running !== undefined) return { outcome: 'skipped', reason: 'overlap', message: `a run for ${at} is already in flight (run ${running.run_id}, pid ${String(running.pid)})` };
  if (request.rerun !== true && runs.some((r) => r.outcome === 'success')) return { outcome: 'skipped', reason: 'succeeded-before', message: `${at} already succeeded` };
  return undefined;
}

function waitLimit(deadlineAt: number | undefined, startBy: number | undefined): WaitLimit | undefined {
  if (startBy !== undefined && (deadlineAt === undefined || startBy < deadlineAt)) return { at: startBy, outcome: 'missed' };
  return deadlineAt === undefined ? undefined : { at: deadlineAt, outcome: 'deadline' };
}
