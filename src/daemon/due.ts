import type { Catchup, Job } from '../jobfile/types.js';
import { jitterOffsetMs } from '../schedule/jitter.js';
import { instantsBetween, nextInstants, previousInstant } from '../schedule/next.js';

/** Like Kubernetes CronJobs: never more than this many missed instants per job are handled. */
export const CATCHUP_LIMIT = 100;
/** An instant noticed later than this after its time was missed (down, asleep, clock jump). */
export const LATE_MS = 60_000;

/** What to do with the instants of one job that are due at `now`. */
export interface DuePlan {
  /** Run now, in this order, with this trigger. */
  run: { logicalMs: number; trigger: 'schedule' | 'catchup' }[];
  /** Record as `missed`. */
  missed: number[];
  /** More than CATCHUP_LIMIT were missed: the older ones were dropped without a record. */
  dropped: boolean;
  /** The newest instant handled: the job's new watermark. */
  watermark: number;
}

/**
 * The instants of `job` after `watermark` whose start time (instant + jitter) is at or before
 * `now`, and what happens to each. One instant on time runs as `schedule`; anything else was
 * missed while tock was not looking and follows the job's `catchup` policy: `none` records
 * them missed, `latest` runs the newest (the others missed), `all` runs each in order.
 * Undefined when nothing is due.
 */
export function dueInstants(job: Job, watermark: number, now: number): DuePlan | undefined {
  if (job.schedule === undefined || !job.enabled) return undefined;
  const jitter = jitterOffsetMs(job.name, job.jitterMs);
  const until = now - jitter;
  if (until <= watermark) return undefined;
  let instants = instantsBetween(job.schedule, job.timezone, watermark + 1, until, CATCHUP_LIMIT + 1);
  if (instants.length === 0) return undefined;
  let dropped = false;
  if (instants.length > CATCHUP_LIMIT) {
    // Too many to handle: keep the newest CATCHUP_LIMIT, found walking back from now.
    dropped = true;
    instants = newest(job, until, CATCHUP_LIMIT);
  }
  const last = instants.at(-1) as number;
  const onTime = instants.length === 1 && now - (last + jitter) <= LATE_MS;
  if (onTime) return { run: [{ logicalMs: last, trigger: 'schedule' }], missed: [], dropped, watermark: last };
  return { ...applyCatchup(job.catchup, instants), dropped, watermark: last };
}

function applyCatchup(policy: Catchup, instants: readonly number[]): Pick<DuePlan, 'run' | 'missed'> {
  switch (policy) {
    case 'none':
      return { run: [], missed: [...instants] };
    case 'latest':
      return { run: [{ logicalMs: instants.at(-1) as number, trigger: 'catchup' }], missed: instants.slice(0, -1) };
    case 'all':
      return { run: instants.map((logicalMs) => ({ logicalMs, trigger: 'catchup' as const })), missed: [] };
  }
}

function newest(job: Job, until: number, count: number): number[] {
  const out: number[] = [];
  let at = until;
  while (out.length < count && job.schedule !== undefined) {
    const previous = previousInstant(job.schedule, job.timezone, at);
    if (previous === undefined) break;
    out.unshift(previous);
    at = previous - 1;
  }
  return out;
}

/** When the job's next instant after `watermark` starts (jitter applied), if it has one. */
export function nextFire(job: Job, watermark: number): { logicalMs: number; fireAt: number } | undefined {
  if (job.schedule === undefined || !job.enabled) return undefined;
  const jitter = jitterOffsetMs(job.name, job.jitterMs);
  const [instant] = nextInstants(job.schedule, job.timezone, watermark, 1);
  return instant === undefined ? undefined : { logicalMs: instant, fireAt: instant + jitter };
}
