import { describe, expect, it } from 'vitest';

import { jitterOffsetMs } from '../../src/schedule/jitter.js';

const TEN_MINUTES = 600_000;

describe('jitterOffsetMs', () => {
  it('is the sha256 of the name, first 4 bytes as a fraction of the jitter, floored', () => {
    // sha256("extract") starts f1cf2fd5: 0xf1cf2fd5 / 2^32 * 600000 = 566740.60 -> 566740.
    expect(jitterOffsetMs('extract', TEN_MINUTES)).toBe(566_740);
    // sha256("train") starts 116f54c4: 0x116f54c4 / 2^32 * 600000 = 40863.02 -> 40863.
    expect(jitterOffsetMs('train', TEN_MINUTES)).toBe(40_863);
  });

  it('is the same every time (so across restarts and hosts)', () => {
    expect(jitterOffsetMs('nightly-report', TEN_MINUTES)).toBe(jitterOffsetMs('nightly-report', TEN_MINUTES));
  });

  it('is whole milliseconds in [0, jitter)', () => {
    for (let i = 0; i < 1000; i++) {
      const offset = jitterOffsetMs(`job-${String(i)}`, TEN_MINUTES);
      expect(Number.isInteger(offset)).toBe(true);
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThan(TEN_MINUTES);
    }
    expect(jitterOffsetMs('x', 1)).toBe(0);
  });

  it('spreads jobs with similar names across the range', () => {
    // 1000 names into ten 1-minute buckets: each should get roughly 100; a herd would not.
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 1000; i++) {
      const bucket = Math.floor(jitterOffsetMs(`backup-${String(i)}`, TEN_MINUTES) / 60_000);
      buckets[bucket] = (buckets[bucket] ?? 0) + 1;
    }
    for (const count of buckets) expect(count).toBeGreaterThan(50);
    expect(new Set(['a', 'b', 'c', 'd'].map((n) => jitterOffsetMs(n, TEN_MINUTES))).size).toBe(4);
  });

  it('is 0 when the job has no jitter', () => {
    expect(jitterOffsetMs('extract', 0)).toBe(0);
  });
});
