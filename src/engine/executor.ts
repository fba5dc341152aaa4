import type { Job, Jobfile } from '../jobfile/types.js';
import type { Gate } from './gate.js';
import type { RunRecord, Trigger } from '../ledger/records.js';
import type { PlannedRun } from './plan.js';
import type { EngineDeps, NeedKey, RunRequest } from './run-context.js';
import { runJob } from './run-job.js';
import type { Ending } from './run-scope.js';
import { RunScope } from './run-scope.js';
import type { Slots } from './slots.js';
import { skipOf } from './when.js';

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
  /** Jobs paused by `tock pause` (the daemon only): recorded skipped `paused`, with what they start. */
  paused?: ReadonlySet<string>;
  /** Pre-armed ahead of its instant (the daemon): no run of the plan spawns before the gate opens. */
  armed?: Gate;
}

/**
 * Runs a plan for one logical time: each job once its needs in the plan have finished and its
 * `when` holds, independent branches in parallel up to the free `slots`. Jobs whose `when` does not
 * hold are recorded `skipped` with the reason, so `status` shows what a failure blocked.
 * After a stop nothing new starts; jobs not yet started are left out of the result.
 */
export async function executePlan(deps: EngineDeps, plan: readonly PlannedRun[], options: ExecuteOptions): Promise<RunRecord[]> {
  const ended = new Map<string, RunRecord>();
  const results: RunRecord[] = [];
  const pending = [...plan];
  const running = new Map<string, Promise<void>>();
  const done = (run: RunRecord): void => {
    ended.set(run.job, run);
    results.push(run);
  };

  const startReady = (): void => {
    for (let i = 0; i < pending.length; i++) {
      const item = pending[i];
      if (item === undefined || deps.stop.aborted) return;
      if (!item.waitsFor.every((need) => ended.has(need))) continue;
      pending.splice(i--, 1);
      const needs = item.waitsFor.flatMap((need) => ended.get(need) ?? []);
      // A disabled job is never scheduled: in a firing, or pulled into `tock run` by --upstream
      // or --downstream, it is recorded skipped, so its dependents show why they did not run.
      // Named by hand (`tock run JOB`), it runs.
      const skip = skipOf(item.job, needs, options.trigger === 'manual' && item.named, options.paused);
      if (skip !== undefined) {
        done(recordNotRun(deps, options, item.job, { outcome: 'skipped', ...skip }));
        i = -1; // a skip can make its dependents ready: look again from the start
        continue;
      }
      const request = requestOf(options, item.job);
      const name = item.job.name;
      running.set(name, (async () => {
        // Wait in line for one of max_parallel slots; a stop while waiting starts nothing.
        const release = await options.slots.acquire(deps.stop);
        if (release !== undefined) {
          try {
            done(await runJob(deps, request));
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

function requestOf(options: ExecuteOptions, job: Job): RunRequest {
  const joins = options.joinsOf?.(job) ?? [];
  return {
    job, logicalMs: options.logicalMs, trigger: options.trigger, jobfilePath: options.jobfile.path, jobfileHash: options.jobfile.hash,
    ...(options.dedupe === true ? { dedupe: true } : {}),
    ...(options.rerun === true ? { rerun: true } : {}),
    ...(options.waitForLock === true ? { waitForLock: true } : {}),
    ...(joins.length > 0 ? { joins } : {}),
    ...(options.armed !== undefined ? { armed: options.armed } : {}),
  };
}

/** Records a run that never started (skipped, missed): one `run-finished` line, no attempts. */
export function recordNotRun(
  deps: EngineDeps, options: Pick<ExecuteOptions, 'jobfile' | 'logicalMs' | 'trigger'>, job: Job, ending: Ending & { message: string },
): RunRecord {
  const request = { job, logicalMs: options.logicalMs, trigger: options.trigger, jobfilePath: options.jobfile.path, jobfileHash: options.jobfile.hash };
  return new RunScope(deps, request).end(ending);
}
