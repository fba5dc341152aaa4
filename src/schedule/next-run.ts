import type { Job } from '../jobfile/types.js';
import { jitterOffsetMs } from './jitter.js';
import { nextInstants } from './next.js';

/**
 * When a job will next start after `afterMs`: its next logical instant plus its jitter.
 * Undefined for a disabled job or one without a schedule (it runs after its needs).
 */
export function nextRun(job: Job, afterMs: number): number | undefined {
  if (!job.enabled || job.schedule === undefined) return undefined;
  const jitter = jitterOffsetMs(job.name, job.jitterMs);
  // The instant whose jittered start is after `afterMs` may itself be up to `jitter` earlier.
  const [instant] = nextInstants(job.schedule, job.timezone, afterMs - jitter, 1);
  return instant === undefined ? undefined : instant + jitter;
}
