import type { Job } from '../jobfile/types.js';
import type { RunReason, RunRecord } from '../ledger/records.js';
import { isFailure } from '../ledger/records.js';
import { unreachable } from '../util/unreachable.js';

/** How a need ended, as far as its dependents' `when` cares. */
export type NeedEnd = Pick<RunRecord, 'job' | 'outcome' | 'reason'>;

export type SkipReason = Extract<RunReason, 'upstream-failed' | 'not-triggered' | 'disabled' | 'paused'>;

/**
 * Whether a job whose needs in the plan have ended runs, or is skipped and why (SPEC 3):
 * `success` runs when every need succeeded; `failure` when a need failed or was itself skipped
 * because its needs failed (Airflow's one_failed); `always` runs. A disabled job is recorded
 * skipped unless it was asked for by name (`tock run JOB`). A paused job (`tock pause`, given in
 * `paused` by the daemon) is skipped `paused`, and so is every job of the plan downstream of one,
 * whatever its `when`: pausing a job pauses the pipeline it starts, as pausing an Airflow DAG
 * pauses all its tasks (never `upstream-failed`, which would fire `when: failure` jobs).
 */
export function skipOf(
  job: Job, needs: readonly NeedEnd[], runsDisabled: boolean, paused: ReadonlySet<string> = NONE,
): { reason: SkipReason; message: string } | undefined {
  if (!job.enabled && !runsDisabled) return { reason: 'disabled', message: 'enabled: false' };
  if (paused.has(job.name)) return { reason: 'paused', message: `paused (tock resume ${job.name} to run it again)` };
  const pausedNeeds = needs.filter((n) => n.outcome === 'skipped' && n.reason === 'paused');
  if (pausedNeeds.length > 0) return { reason: 'paused', message: `upstream is paused: ${pausedNeeds.map((n) => n.job).join(', ')}` };
  switch (job.when) {
    case 'success': {
      const blocking = needs.filter((n) => n.outcome !== 'success');
      return blocking.length === 0 ? undefined : { reason: 'upstream-failed', message: `a need did not succeed: ${blocking.map(describe).join(', ')}` };
    }
    case 'failure':
      if (needs.some(failedForWhen)) return undefined;
      return { reason: 'not-triggered', message: needs.length === 0 ? 'no need ran before it and when is failure' : `no need failed (${needs.map(describe).join(', ')}) and when is failure` };
    case 'always':
      return undefined;
  }
  return unreachable(job.when);
}

const NONE: ReadonlySet<string> = new Set();

function failedForWhen(need: NeedEnd): boolean {
  return isFailure(need.outcome) || (need.outcome === 'skipped' && need.reason === 'upstream-failed');
}

function describe(need: NeedEnd): string {
  return `${need.job} ${need.outcome}${need.reason !== undefined ? ` (${need.reason})` : ''}`;
}
