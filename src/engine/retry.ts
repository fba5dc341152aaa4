import type { Job } from '../jobfile/types.js';
import type { Attempt } from '../ledger/records.js';

/** Delay before retry `n` (1-based): retry_delay * retry_backoff^(n-1), capped at max_retry_delay. */
export function retryDelayMs(job: Pick<Job, 'retryDelayMs' | 'retryBackoff' | 'maxRetryDelayMs'>, n: number): number {
  return Math.min(job.retryDelayMs * job.retryBackoff ** (n - 1), job.maxRetryDelayMs);
}

/**
 * Whether a failed attempt is retried. With `retry_on_exit`, only those exit codes are (a timeout
 * has no exit code, so it is not); with `no_retry_on_exit`, those codes never are.
 */
export function isRetryable(job: Pick<Job, 'retryOnExit' | 'noRetryOnExit'>, attempt: Attempt): boolean {
  if (attempt.outcome !== 'failed' && attempt.outcome !== 'timeout') return false;
  if (job.retryOnExit !== undefined) return attempt.exit_code !== null && job.retryOnExit.includes(attempt.exit_code);
  if (job.noRetryOnExit !== undefined && attempt.exit_code !== null) return !job.noRetryOnExit.includes(attempt.exit_code);
  return true;
}
