import { describe, expect, it } from 'vitest';

import { instantsBetween } from '../../src/schedule/next.js';
import { parseSchedule } from '../../src/schedule/parse.js';
import type { Schedule } from '../../src/schedule/parse.js';
import { offsetAt } from '../../src/schedule/cron/zone.js';
import { instantsInWindow } from '../../src/schedule/window.js';

function schedule(text: string): Schedule {
  const parsed = parseSchedule(text);
  if (!parsed.ok) throw new Error(`bad schedule ${text}`);
  return parsed.schedule;
}

describe('instantsInWindow', () => {
  // The fast path must give exactly what the exact (DST-corrected) walk gives.
  it.each([
    ['*/7 * * * *', 'UTC'], ['30 2 * * *', 'America/New_York'], ['30 1 * * *', 'Europe/London'],
    ['*/30 * * * *', 'America/New_York'], ['0 */2 * * *', 'Australia/Sydney'], ['15 9 1,15 * mon', 'Europe/Paris'],
    ['0 0 * * 0,7', 'Asia/Kolkata'], ['*/20 * * * * *', 'America/Sao_Paulo'], ['0 0 29 2 *', 'UTC'], ['45 23 31 * *', 'Pacific/Auckland'],
  ])('%s in %s over 2026 equals the exact walk', (text, zone) => {
    const from = Date.parse('2026-01-01T00:00:00Z');
    const to = text.split(' ').length === 6 ? Date.parse('2026-01-08T00:00:00Z') : Date.parse('2027-01-01T00:00:00Z');
    const s = schedule(text);
    expect(instantsInWindow(s, zone, from, to, 1_000_000)).toEqual(instantsBetween(s, zone, from, to, 1_000_000));
  });

  it('includes both ends, stops at the limit, and does @every by arithmetic', () => {
    const from = Date.parse('2026-11-20T00:00:00Z');
    expect(instantsInWindow(schedule('0 * * * *'), 'UTC', from, from + 2 * 3_600_000, 10)).toEqual([from, from + 3_600_000, from + 7_200_000]);
    expect(instantsInWindow(schedule('* * * * *'), 'UTC', from, from + 86_400_000, 5)).toHaveLength(5);
    expect(instantsInWindow(schedule('@every 90m'), 'UTC', from, from + 3 * 5_400_000, 100)).toEqual([from, from + 5_400_000, from + 10_800_000, from + 16_200_000]);
  });

  it('gives a minutely job one instant per real minute through a whole DST year', () => {
    // The wildcard hour runs by elapsed time: the spring gap has no minutes, the autumn
    // repeat has them twice, and a year of real time has 525,600 minutes.
    const instants = instantsInWindow(schedule('* * * * *'), 'America/New_York', Date.parse('2026-01-01T05:00:00Z'), Date.parse('2027-01-01T04:59:59Z'), 1_000_000);
    expect(instants).toHaveLength(525_600);
    expect(new Set(instants).size).toBe(525_600);
  });

  it('knows zone offsets', () => {
    expect(offsetAt('Asia/Kolkata', Date.parse('2026-06-01T00:00:00Z'))).toBe(5.5 * 3_600_000);
    expect(offsetAt('America/New_York', Date.parse('2026-01-01T00:00:00Z'))).toBe(-5 * 3_600_000);
  });
});
