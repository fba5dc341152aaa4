import type { Job, Jobfile } from '../jobfile/types.js';
import type { Outcome, RunRecord, Trigger } from '../ledger/records.js';
import { isFailure } from '../ledger/records.js';
import { isoUtc } from './logical-time.js';
import type { PlannedRun } from './plan.js';
import type { EngineDeps, NeedKey } from './run-context.js';
import { runJob } from './run-job.js';
import type { Slots } from './slots.js';

export interface ExecuteOptions {
  jobfile: Jobfile;
  logicalMs: number;
  trigger: Trigger;
  /** Shared by every plan of the process: `max_parallel`. */
  slots: Slots;
  /** Skip a run whose (job, logical time) already succeeded or is running (daemon, catch-up, backfill). */
  dedupe?: boolean;
  /** With dedupe: run even what succeeded before (`backfill --force`). */
  rerun?: boolean;
  /** Wait for job locks instead of skipping (backfill). */
  waitForLock?: boolean;
  /** For a job with both a schedule and needs: the runs of its needs it must wait for (SPEC 3). */
  joinsOf?: (job: Job) => readonly NeedKey[];
}

/**
 * Runs a plan for one logical time: each job once its needs in the plan have finished and its
 * `when` holds, independent branches in parallel up to the free `slots`. Jobs whose `when` does not
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
      if (item === undefined || deps.stop.aborted) return;
      if (!item.waitsFor.every((need) => outcomes.has(need))) continue;
      pending.splice(i--, 1);
      const needOutcomes = item.waitsFor.map((need) => outcomes.get(need) ?? 'skipped');
      // A disabled job is never scheduled: in a firing it is recorded skipped, so its
      // dependents show why they did not run. By hand (`tock run`) it runs.
      const skip = !item.job.enabled && options.trigger !== 'manual' ? 'disabled' : skipReason(item.job.when, needOutcomes);
      if (skip !== undefined) {
        const run = recordNotRun(deps, options, item.job, { outcome: 'skipped', reason: skip, message: skipMessage(skip, item.waitsFor) });
        outcomes.set(item.job.name, run.outcome);
        results.push(run);
        i = -1; // a skip can make its dependents ready: look again from the start
        continue;
      }
      const joins = options.joinsOf?.(item.job) ?? [];
      const request = {
        job: item.job, logicalMs: options.logicalMs, trigger: options.trigger, jobfilePath: options.jobfile.path, jobfileHash: options.jobfile.hash,
        ...(options.dedupe === true ? { dedupe: true } : {}),
        ...(options.rerun === true ? { rerun: true } : {}),
        ...(options.waitForLock === true ? { waitForLock: true } : {}),
        ...(joins.length > 0 ? { joins } : {}),
      };
      const name = item.job.name;
      running.set(name, (async () => {
        // Wait in line for one of max_parallel slots; a stop while waiting starts nothing.
        const release = await options.slots.acquire(deps.stop);
        if (release !== undefined) {
          try {
            const run = await runJob(deps, request);
            outcomes.set(name, run.outcome);
            results.push(run);
          } finally {
            release();
          }
        }
        running.delete(name);
      })());
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

function skipMessage(reason: 'upstream-failed' | 'not-triggered' | 'disabled', needs: readonly string[]): string {
  switch (reason) {
    case 'upstream-failed':
      return `a need did not succeed: ${needs.join(', ')}`;
    case 'not-triggered':
      return 'every need succeeded and when is failure';
    case 'disabled':
      return 'enabled: false';
  }
}

/** Records a run that never started (skipped, missed): one `run-finished` line, no attempts. */
export function recordNotRun(
  deps: EngineDeps, options: Pick<ExecuteOptions, 'jobfile' | 'logicalMs' | 'trigger'>, job: Job,
  ending: { outcome: Outcome; reason?: RunRecord['reason']; message: string },
): RunRecord {
  const now = isoUtc(deps.clock.now());
  const runId = deps.newRunId(job.name, options.logicalMs);
  const run: RunRecord = {
    run_id: runId,
    job: job.name,
    logical_time: isoUtc(options.logicalMs),
    trigger: options.trigger,
    outcome: ending.outcome,
    ...(ending.reason !== undefined ? { reason: ending.reason } : {}),
    message: ending.message,
    started_at: now,
    ended_at: now,
    duration_ms: 0,
    exit_code: null,
    signal: null,
    attempts: [],
    log: deps.host.logPath(job.name, runId),
    host: deps.host.hostname,
    pid: deps.host.pid,
    ...(deps.host.pidStart !== undefined ? { pid_start: deps.host.pidStart } : {}),
    job_hash: job.hash,
    jobfile_hash: options.jobfile.hash,
  };
  deps.ledger.append({ v: 1, type: 'run-finished', at: now, job: run.job, run });
  deps.emit({ type: 'run-finished', run });
  return run;
}
