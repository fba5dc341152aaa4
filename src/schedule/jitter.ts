import { createHash } from 'node:crypto';

/**
 * A job's jitter (SPEC 2): a delay in [0, jitterMs), whole milliseconds, from a hash of its
 * name. The same on every start and every host, so jobs sharing a schedule stay spread out
 * and a job's start time is predictable (`tock next` shows it).
 */
export function jitterOffsetMs(jobName: string, jitterMs: number): number {
  if (jitterMs <= 0) return 0;
  const fraction = createHash('sha256').update(jobName).digest().readUInt32BE(0) / 2 ** 32;
  return Math.floor(fraction * jitterMs);
}
