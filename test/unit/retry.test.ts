import { describe, expect, it } from 'vitest';

import { isRetryable, retryDelayMs } from '../../src/engine/retry.js';
import type { Attempt } from '../../src/ledger/records.js';

const attempt = (outcome: Attempt['outcome'], exit_code: number | null): Attempt => ({
  n: 1, started_at: '', ended_at: '', exit_code, signal: null, outcome,
});

describe('retryDelayMs', () => {
  const job = { retryDelayMs: 10_000, retryBackoff: 2, maxRetryDelayMs: 600_000 };

  it('doubles from retry_delay for each retry', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(job, n))).toEqual([10_000, 20_000, 40_000, 80_000]);
  });

  it('never waits longer than max_retry_delay', () => {
    expect(retryDelayMs({ ...job, maxRetryDelayMs: 25_000 }, 3)).toBe(25_000);
    expect(retryDelayMs(job, 20)).toBe(600_000);
  });

  it('keeps a constant delay with backoff 1', () => {
    expect(retryDelayMs({ ...job, retryBackoff: 1 }, 5)).toBe(10_000);
  });
});

describe('isRetryable', () => {
  it('retries every failure and timeout by default, never a success or a stop', () => {
    expect(isRetryable({}, attempt('failed', 1))).toBe(true);
    expect(isRetryable({}, attempt('timeout', null))).toBe(true);
    expect(isRetryable({}, attempt('success', 0))).toBe(false);
    expect(isRetryable({}, attempt('killed', null))).toBe(false);
    expect(isRetryable({}, attempt('deadline', null))).toBe(false);
  });

  it('with retry_on_exit retries only the listed codes (a timeout has none)', () => {
    const job = { retryOnExit: [75] };
    expect(isRetryable(job, attempt('failed', 75))).toBe(true);
    expect(isRetryable(job, attempt('failed', 1))).toBe(false);
    expect(isRetryable(job, attempt('timeout', null))).toBe(false);
  });

  it('with no_retry_on_exit retries everything but the listed codes', () => {
    const job = { noRetryOnExit: [2] };
    expect(isRetryable(job, attempt('failed', 2))).toBe(false);
    expect(isRetryable(job, attempt('failed', 1))).toBe(true);
    expect(isRetryable(job, attempt('timeout', null))).toBe(true);
  });
});
