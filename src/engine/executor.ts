import type { RunRecord, Outcome } from '../ledger/records.js';
import { isFailure } from '../ledger/records.js';
import type { Jobfile } from '../jobfile/types.js';
import { isoUtc } from './logical-time.js';
import type { PlannedRun } from './plan.js';
import type { EngineDeps } from './run-context.js';
import { runJob } from './run-job.js';
import type { Trigger } from '../ledger/records.js';

export interface ExecuteOptions {
  jobfile: Jobfile;
  logicalMs: number;
  trigger: Trigger;
  maxParallel: number;
}

/**
 * Runs a plan for one logical time: each job once its needs in the plan have finished and its
 * `when` holds, independent branches in parallel up to `maxParallel`. Jobs whose `when` does not
 * hold are recorded `skipped` with the reason, so `status` shows what a failure blocked.
 * After a stop nothing new starts; jobs not yet started are left out of the result.
 */
export async function executePlan(deps: EngineDeps, plan: readonly PlannedRun[], options: ExecuteOptions): Promise<RunRecord[]> {
  const outcomes = new Map<string, Outcome>();
  const results: RunRecord[] = [];
  const pending = [...plan];
  const running = new Map<string, Promise<void>>();

  const startReady = (): void => {
    for (let i = 0; i < pending.length; i++) {
      const item = pending[i];
      if (item === undefined || running.size >= options.maxParallel || deps.stop.aborted) return;
      if (!item.waitsFor.every((need) => outcomes.has(need))) continue;
      pending.splice(i--, 1);
      const needOutcomes = item.waitsFor.map((need) => outcomes.get(need) ?? 'skipped');
      const skip = skipReason(item.job.when, needOutcomes);
      if (skip !== undefined) {
        const run = skippedRun(deps, options, item, skip);
        outcomes.set(item.job.name, run.outcome);
        results.push(run);
        i = -1; // a skip can make its dependents ready: look again from the start
        continue;
      }
      const request = { job: item.job, logicalMs: options.logicalMs, trigger: options.trigger, jobfilePath: options.jobfile.path, jobfileHash: options.jobfile.hash };
      running.set(item.job.name, runJob(deps, request).then((run) => {
        outcomes.set(item.job.name, run.outcome);
        results.push(run);
        running.delete(item.job.name);
      }));
    }
  };

  startReady();
  while (running.size > 0) {
    await Promise.race(running.values());
    startReady();
  }
  return results;
}

/** SPEC 3 `when`: success needs every need to succeed; failure needs one to fail; always runs. */
function skipReason(when: 'success' | 'failure' | 'always', needs: readonly Outcome[]): 'upstream-failed' | 'not-triggered' | undefined {
  switch (when) {
    case 'success':
      return needs.every((o) => o === 'success') ? undefined : 'upstream-failed';
    case 'failure':
      return needs.some(isFailure) ? undefined : 'not-triggered';
    case 'always':
      return undefined;
  }
}

function skippedRun(deps: EngineDeps, options: ExecuteOptions, item: PlannedRun, reason: 'upstream-failed' | 'not-triggered'): RunRecord {
  const now = isoUtc(deps.clock.now());
  const runId = deps.newRunId(item.job.name, options.logicalMs);
  const run: RunRecord = {
    run_id: runId,
    job: item.job.name,
    logical_time: isoUtc(options.logicalMs),
    trigger: options.trigger,
    outcome: 'skipped',
    reason,
    message: reason === 'upstream-failed' ? `a need did not succeed: ${item.waitsFor.join(', ')}` : 'every need succeeded and when is failure',
    started_at: now,
    ended_at: now,
    duration_ms: 0,
    exit_code: null,
    signal: null,
    attempts: [],
    log: deps.host.logPath(item.job.name, runId),
    host: deps.host.hostname,
    pid: deps.host.pid,
    ...(deps.host.pidStart !== undefined ? { pid_start: deps.host.pidStart } : {}),
    job_hash: item.job.hash,
    jobfile_hash: options.jobfile.hash,
  };
  deps.ledger.append({ v: 1, type: 'run-finished', at: now, job: run.job, run });
  deps.emit({ type: 'run-finished', run });
  return run;
}
