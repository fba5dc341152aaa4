import { renderTemplate } from '../jobfile/templates.js';
import type { RunReason } from '../ledger/records.js';
import { runHook } from './hooks.js';
import { templateValues } from './logical-time.js';
import type { RunSetup } from './run-context.js';
import type { Ending, RunScope } from './run-scope.js';

// A join waits this long for its needs when the job has no deadline (SPEC 3), looking this often.
const JOIN_WAIT_MS = 3_600_000;
const JOIN_POLL_MS = 5_000;

/**
 * A job with both a schedule and needs joins two schedules: it waits (up to its deadline, else
 * 1h) until each need has a success for the need's latest logical time at or before this one.
 */
export async function waitForNeeds(scope: RunScope): Promise<Ending | undefined> {
  const joins = scope.request.joins ?? [];
  if (joins.length === 0) return undefined;
  const { clock, ledger } = scope.deps;
  const giveUpAt = scope.deadlineAt ?? clock.now() + JOIN_WAIT_MS;
  for (;;) {
    const missing = joins.filter((need) => !ledger.hasSuccess(need.job, need.logicalTime));
    if (missing.length === 0) return undefined;
    if (scope.stop.aborted) return { outcome: 'killed', reason: scope.stop.reason as RunReason, message: 'stopped while waiting for its needs' };
    if (clock.now() >= giveUpAt) {
      return { outcome: 'failed', reason: 'upstream-missing', message: `no success of ${missing.map((n) => `${n.job} for ${n.logicalTime}`).join(', ')}` };
    }
    await clock.sleep(Math.min(JOIN_POLL_MS, giveUpAt - clock.now()), scope.stop);
  }
}

/** `wait_for`: polls for the path; undefined when it appeared, else how the run ends. */
export async function waitForPath(scope: RunScope, setup: RunSetup): Promise<Ending | undefined> {
  const { job, deadlineAt } = scope;
  if (job.waitFor === undefined) return undefined;
  const { clock, host } = scope.deps;
  const target = renderTemplate(job.waitFor.path, templateValues(job.name, job.timezone, scope.request.logicalMs, setup.runId, 1));
  const path = target.startsWith('/') ? target : `${job.workdir}/${target}`;
  const giveUpAt = Math.min(clock.now() + job.waitFor.timeoutMs, deadlineAt ?? Infinity);
  let announced = false;
  while (!host.pathExists(path)) {
    if (scope.stop.aborted) return { outcome: 'killed', reason: scope.stop.reason as RunReason, message: `stopped while waiting for ${path}` };
    if (clock.now() >= giveUpAt) {
      return giveUpAt === deadlineAt
        ? { outcome: 'deadline', message: `the deadline passed while waiting for ${path}` }
        : { outcome: 'failed', reason: 'wait-for-timeout', message: `${path} did not appear within ${String(job.waitFor.timeoutMs / 1000)}s` };
    }
    if (!announced) scope.notify({ type: 'waiting-for-path', at: scope.now(), job: job.name, run_id: setup.runId, path });
    announced = true;
    await clock.sleep(Math.min(job.waitFor.pollMs, giveUpAt - clock.now()), scope.stop);
  }
  return undefined;
}

/**
 * `sla`: for a scheduled run, alert once if it has not succeeded by logical time + sla. The
 * watch is a cleanup of the scope: however the run ends, it stops watching before the record.
 */
export function watchSla(scope: RunScope): void {
  const { job, request } = scope;
  const slaMs = job.slaMs;
  if (slaMs === undefined || !scope.onTime) return;
  const { clock } = scope.deps;
  const done = new AbortController();
  const at = request.logicalMs + slaMs;
  const failed: { error?: unknown } = {};
  const watching = (async () => {
    while (!done.signal.aborted && clock.now() < at) await clock.sleep(at - clock.now(), done.signal);
    if (done.signal.aborted) return;
    scope.record({ v: 1, type: 'sla-missed', at: scope.now(), job: job.name, run_id: scope.runId, sla_ms: slaMs });
    await runHook(scope, 'on_sla', scope.snapshot({ outcome: 'failed', message: 'still running when the sla passed' }));
  })().catch((error: unknown) => { failed.error = error; });
  scope.defer(async () => {
    done.abort();
    await watching;
    if ('error' in failed) throw failed.error;
  });
}
