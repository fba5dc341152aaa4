import { describe, expect, it } from 'vitest';

import type { BackfillInstant } from '../../src/backfill/plan.js';
import { distinctTimes } from '../../src/backfill/plan.js';
import { planJson } from '../../src/backfill/plan-json.js';

describe('planJson', () => {
  it('writes what JSON.stringify writes of the summary and the runs, in pieces, over a megabyte', () => {
    const instants: BackfillInstant[] = [];
    for (let i = 0; i < 30_000; i++) {
      const logicalMs = Date.UTC(2025, 0, 1) + Math.floor(i / 2) * 60_000 + (i % 7 === 0 ? 123 : 0);
      const job = i % 2 === 0 ? 'etl' : 'odd "name"\\ü';
      instants.push(i % 3 === 0 ? { job, logicalMs, action: 'skip', reason: 'succeeded-before' } : { job, logicalMs, action: 'run' });
    }
    const summary = { planned: instants.length, ran: 0, succeeded: 0, failed: 0, skipped: 10_000, duration_ms: 12 };
    const pieces = [...planJson(summary, instants)];
    expect(pieces.length).toBeGreaterThan(1);
    const runs = instants.map((i) => ({ job: i.job, logical_time: new Date(i.logicalMs).toISOString(), action: i.action, ...(i.reason !== undefined ? { reason: i.reason } : {}) }));
    expect(pieces.join('')).toBe(JSON.stringify({ summary, runs }));
    expect([...planJson(summary, [])].join('')).toBe(JSON.stringify({ summary, runs: [] }));
  });

  it('counts the distinct times of a plan sorted either way', () => {
    const at = (job: string, logicalMs: number): BackfillInstant => ({ job, logicalMs, action: 'run' });
    expect(distinctTimes([at('a', 1), at('b', 1), at('a', 2), at('a', 5), at('b', 5)])).toBe(3);
    expect(distinctTimes([at('a', 5), at('b', 5), at('a', 1)])).toBe(2);
    expect(distinctTimes([])).toBe(0);
  });
});
