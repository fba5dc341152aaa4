import type { Attempt, Outcome, RunReason, RunRecord, RunStart } from '../ledger/records.js';
import { renderTemplate } from '../jobfile/templates.js';
import { runAttempt } from './attempt.js';
import { runHook } from './hooks.js';
import type { WaitLimit } from './locking.js';
import { acquireLocks } from './locking.js';
import { isoUtc, templateValues } from './logical-time.js';
import type { Lease } from './ports.js';
import { isRetryable, retryDelayMs } from './retry.js';
import type { EngineDeps, RunRequest, RunSetup } from './run-context.js';
import { prepareRun } from './run-context.js';

// A join waits this long for its needs when the job has no deadline (SPEC 3), looking this often.
const JOIN_WAIT_MS = 3_600_000;
const JOIN_POLL_MS = 5_000;

interface Ending {
  outcome: Outcome;
  reason?: RunReason;
  message?: string;
}

/**
 * One run, start to finish: lock (per `concurrency`), record it in flight, wait_for, attempts
 * with retries and backoff, record the outcome, hooks, then release in reverse (STYLE habit 6).
 * A job's failure is an outcome in the returned record, never an exception.
 */
export async function runJob(deps: EngineDeps, request: RunRequest): Promise<RunRecord> {
  const { job, logicalMs, trigger } = request;
  const { clock, host } = deps;
  const runId = deps.newRunId(job.name, logicalMs);
  const start: RunStart = {
    run_id: runId,
    job: job.name,
    logical_time: isoUtc(logicalMs),
    trigger,
    started_at: isoUtc(clock.now()),
    log: host.logPath(job.name, runId),
    host: host.hostname,
    pid: host.pid,
    ...(host.pidStart !== undefined ? { pid_start: host.pidStart } : {}),
    job_hash: job.hash,
    jobfile_hash: request.jobfileHash,
  };
  // A scheduled run's deadline counts from its logical time; a run asked for by hand (or a
  // backfill of last week) counts from when it was asked, or it would be over before it began.
  const onTime = trigger === 'schedule' || trigger === 'catchup';
  const deadlineAt = job.deadlineMs === undefined ? undefined : (onTime ? logicalMs : clock.now()) + job.deadlineMs;
  const limit = waitLimit(deadlineAt, onTime && job.startDeadlineMs !== undefined ? logicalMs + job.startDeadlineMs : undefined);

  if (onTime && job.startDeadlineMs !== undefined && clock.now() > logicalMs + job.startDeadlineMs) {
    return finish(deps, request, undefined, start, [], { outcome: 'missed', message: `could not start within start_deadline (${String(job.startDeadlineMs / 1000)}s after its time)` }, false);
  }
  const key = request.dedupe === true ? await claimRunKey(deps, request, runId) : { ok: true as const, leases: [] };
  if (!key.ok) return finish(deps, request, undefined, start, [], key, false);
  const locks = await acquireLocks(deps, request.waitForLock === true && job.concurrency !== 'allow' ? { ...job, concurrency: 'queue' } : job, runId, limit);
  if (!locks.ok) {
    for (const lease of key.leases) await lease.release();
    return finish(deps, request, undefined, start, [], locks, false);
  }
  const leases = [...key.leases, ...locks.leases];
  try {
    deps.ledger.rememberDefinition(job.hash, job);
    deps.ledger.append({ v: 1, type: 'run-started', at: start.started_at, job: job.name, run: start });
    deps.emit({ type: 'run-started', run: start });
    let setup: RunSetup;
    try {
      setup = prepareRun(request, host, runId);
    } catch (error) {
      return await finish(deps, request, undefined, start, [], { outcome: 'failed', reason: 'setup-failed', message: (error as Error).message }, true);
    }
    const stop = AbortSignal.any([deps.stop, ...leases.map((l) => l.lost)]);
    const slaDone = new AbortController();
    const sla = watchSla(deps, request, setup, start, slaDone.signal);
    const attempts: Attempt[] = [];
    const ending = (await waitForNeeds(deps, request, deadlineAt, stop))
      ?? (await waitForPath(deps, request, setup, deadlineAt, stop))
      ?? (await attemptAll(deps, request, setup, start, locks.leases[0], attempts, deadlineAt, stop));
    slaDone.abort();
    await sla;
    return await finish(deps, request, setup, start, attempts, ending, true);
  } finally {
    for (const lease of [...leases].reverse()) await lease.release();
  }
}

async function attemptAll(deps: EngineDeps, request: RunRequest, setup: RunSetup, start: RunStart, jobLease: Lease | undefined, attempts: Attempt[], deadlineAt: number | undefined, stop: AbortSignal): Promise<Ending> {
  const { job } = request;
  const { clock } = deps;
  const lease = job.concurrency === 'allow' ? undefined : jobLease;
  for (let n = 1; ; n++) {
    if (deadlineAt !== undefined && clock.now() >= deadlineAt) return { outcome: 'deadline', message: 'the deadline passed before the attempt could start' };
    const timeoutAt = job.timeoutMs === undefined ? undefined : clock.now() + job.timeoutMs;
    const attempt = await runAttempt(deps, request, setup, lease, n, {
      ...(timeoutAt !== undefined ? { timeoutAt } : {}),
      ...(deadlineAt !== undefined ? { deadlineAt } : {}),
      stop,
    });
    attempts.push(attempt);
    deps.ledger.append({ v: 1, type: 'attempt-finished', at: attempt.ended_at, job: job.name, run_id: setup.runId, attempt });
    deps.emit({ type: 'attempt-finished', job: job.name, run_id: setup.runId, attempt });
    if (attempt.outcome === 'killed') return { outcome: 'killed', reason: stop.reason as RunReason };
    if (attempt.outcome === 'success' || n > job.retries || !isRetryable(job, attempt)) return { outcome: attempt.outcome };

    const delay = retryDelayMs(job, n);
    deps.emit({ type: 'retry-scheduled', job: job.name, run_id: setup.runId, next: n + 1, delay_ms: delay });
    await runHook(deps, request, setup, 'on_retry', record(deps, start, attempts, { outcome: attempt.outcome }));
    const wakeAt = Math.min(clock.now() + delay, deadlineAt ?? Infinity);
    await clock.sleep(Math.max(0, wakeAt - clock.now()), stop);
    if (stop.aborted) return { outcome: 'killed', reason: stop.reason as RunReason, message: 'stopped while waiting to retry' };
    if (deadlineAt !== undefined && clock.now() >= deadlineAt) return { outcome: 'deadline', message: 'the deadline passed while waiting to retry' };
  }
}

/**
 * SPEC 3: a run key is never started twice by the daemon, catch-up or backfill, whichever process
 * asks. A lock per key keeps two from running at once (even under `concurrency: allow`); the
 * ledger says whether one already succeeded.
 */
async function claimRunKey(deps: EngineDeps, request: RunRequest, runId: string): Promise<{ ok: true; leases: Lease[] } | ({ ok: false } & Ending)> {
  const { job, logicalMs } = request;
  const owner = { pid: deps.host.pid, host: deps.host.hostname, run_id: runId, job: job.name };
  const lease = await deps.locks.tryAcquire(`key.${job.name}.${String(logicalMs)}`, owner);
  if (lease === null) return { ok: false, outcome: 'skipped', reason: 'overlap', message: `a run for ${isoUtc(logicalMs)} is already in flight` };
  if (request.rerun !== true && deps.ledger.hasSuccess(job.name, isoUtc(logicalMs))) {
    await lease.release();
    return { ok: false, outcome: 'skipped', reason: 'succeeded-before', message: `${isoUtc(logicalMs)} already succeeded` };
  }
  return { ok: true, leases: [lease] };
}

/**
 * A job with both a schedule and needs joins two schedules: it waits (up to its deadline, else
 * 1h) until each need has a success for the need's latest logical time at or before this one.
 */
async function waitForNeeds(deps: EngineDeps, request: RunRequest, deadlineAt: number | undefined, stop: AbortSignal): Promise<Ending | undefined> {
  const joins = request.joins ?? [];
  if (joins.length === 0) return undefined;
  const { clock } = deps;
  const giveUpAt = deadlineAt ?? clock.now() + JOIN_WAIT_MS;
  for (;;) {
    const missing = joins.filter((need) => !deps.ledger.hasSuccess(need.job, need.logicalTime));
    if (missing.length === 0) return undefined;
    if (stop.aborted) return { outcome: 'killed', reason: stop.reason as RunReason, message: 'stopped while waiting for its needs' };
    if (clock.now() >= giveUpAt) {
      return { outcome: 'failed', reason: 'upstream-missing', message: `no success of ${missing.map((n) => `${n.job} for ${n.logicalTime}`).join(', ')}` };
    }
    await clock.sleep(Math.min(JOIN_POLL_MS, giveUpAt - clock.now()), stop);
  }
}

/** `wait_for`: polls for the path; undefined when it appeared, else how the run ends. */
async function waitForPath(deps: EngineDeps, request: RunRequest, setup: RunSetup, deadlineAt: number | undefined, stop: AbortSignal): Promise<Ending | undefined> {
  const { job, logicalMs } = request;
  if (job.waitFor === undefined) return undefined;
  const { clock } = deps;
  const target = renderTemplate(job.waitFor.path, templateValues(job.name, job.timezone, logicalMs, setup.runId, 1));
  const path = target.startsWith('/') ? target : `${job.workdir}/${target}`;
  const giveUpAt = Math.min(clock.now() + job.waitFor.timeoutMs, deadlineAt ?? Infinity);
  let announced = false;
  while (!deps.host.pathExists(path)) {
    if (stop.aborted) return { outcome: 'killed', reason: stop.reason as RunReason, message: `stopped while waiting for ${path}` };
    if (clock.now() >= giveUpAt) {
      return giveUpAt === deadlineAt
        ? { outcome: 'deadline', message: `the deadline passed while waiting for ${path}` }
        : { outcome: 'failed', reason: 'wait-for-timeout', message: `${path} did not appear within ${String(job.waitFor.timeoutMs / 1000)}s` };
    }
    if (!announced) deps.emit({ type: 'waiting-for-path', job: job.name, run_id: setup.runId, path });
    announced = true;
    await clock.sleep(Math.min(job.waitFor.pollMs, giveUpAt - clock.now()), stop);
  }
  return undefined;
}

/** `sla`: for a scheduled run, alert once if it has not succeeded by logical time + sla. */
async function watchSla(deps: EngineDeps, request: RunRequest, setup: RunSetup, start: RunStart, done: AbortSignal): Promise<void> {
  const { job, logicalMs, trigger } = request;
  if (job.slaMs === undefined || (trigger !== 'schedule' && trigger !== 'catchup')) return;
  const { clock } = deps;
  const at = logicalMs + job.slaMs;
  while (!done.aborted && clock.now() < at) await clock.sleep(at - clock.now(), done);
  if (done.aborted) return;
  deps.ledger.append({ v: 1, type: 'sla-missed', at: isoUtc(clock.now()), job: job.name, run_id: setup.runId, sla_ms: job.slaMs });
  deps.emit({ type: 'sla-missed', job: job.name, run_id: setup.runId, sla_ms: job.slaMs });
  await runHook(deps, request, setup, 'on_sla', record(deps, start, [], { outcome: 'failed', message: 'still running when the sla passed' }));
}

async function finish(deps: EngineDeps, request: RunRequest, setup: RunSetup | undefined, start: RunStart, attempts: Attempt[], ending: Ending, started: boolean): Promise<RunRecord> {
  const run = record(deps, start, attempts, ending);
  if (!started) run.started_at = run.ended_at;
  deps.ledger.append({ v: 1, type: 'run-finished', at: run.ended_at, job: run.job, run });
  deps.emit({ type: 'run-finished', run });
  const hookSetup = setup ?? { runId: start.run_id, log: start.log, env: { ...deps.host.baseEnv }, templated: {} };
  if (run.outcome === 'success') await runHook(deps, request, hookSetup, 'on_success', run);
  else if (run.outcome !== 'skipped') await runHook(deps, request, hookSetup, 'on_failure', run);
  return run;
}

function record(deps: EngineDeps, start: RunStart, attempts: Attempt[], ending: Ending): RunRecord {
  const endedMs = deps.clock.now();
  const last = attempts.at(-1);
  return {
    ...start,
    outcome: ending.outcome,
    ...(ending.reason !== undefined ? { reason: ending.reason } : {}),
    ...(ending.message !== undefined ? { message: ending.message } : last?.error !== undefined && ending.outcome !== 'success' ? { message: last.error } : {}),
    ended_at: isoUtc(endedMs),
    duration_ms: Math.max(0, endedMs - Date.parse(start.started_at)),
    exit_code: last?.exit_code ?? null,
    signal: last?.signal ?? null,
    attempts: [...attempts],
  };
}

function waitLimit(deadlineAt: number | undefined, startBy: number | undefined): WaitLimit | undefined {
  if (startBy !== undefined && (deadlineAt === undefined || startBy < deadlineAt)) return { at: startBy, outcome: 'missed' };
  return deadlineAt === undefined ? undefined : { at: deadlineAt, outcome: 'deadline' };
}
