import { jitterOffsetMs } from './jitter.js';
import { nextInstants } from './next.js';
import type { Schedule } from './parse.js';

/** What `nextStarts` reads of a job (a jobfile's Job has all of it). */
export interface Scheduled {
  name: string;
  enabled: boolean;
  schedule?: Schedule | undefined;
  timezone: string;
  jitterMs: number;
}

/**
 * When a job will next start after `afterMs`, `count` times: each logical instant plus the job's
 * jitter. Empty for a disabled job or one without a schedule (it runs after its needs).
 */
export function nextStarts(job: Scheduled, afterMs: number, count: number): number[] {
  if (!job.enabled || job.schedule === undefined) return [];
  const jitter = jitterOffsetMs(job.name, job.jitterMs);
  // The first start after `afterMs` may belong to an instant up to the jitter before it.
  return nextInstants(job.schedule, job.timezone, afterMs - jitter, count).map((instant) => instant + jitter);
}

/** The job's next start after `afterMs`, if it has one. */
export function nextRun(job: Scheduled, afterMs: number): number | undefined {
  return nextStarts(job, afterMs, 1)[0];
}
