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
  // Over [2026-01-01T00:00Z, 2027-01-01T00:00Z], both ends included, counted by hand.
  it.each([
    // 9 a UTC hour (:00 to :56), and the window's last instant, 2027-01-01 00:00.
    ['*/7 * * * *', 'UTC', 365 * 24 * 9 + 1],
    // One a day: the spring day's 02:30 runs once, shifted; the autumn one is not repeated.
    ['30 2 * * *', 'America/New_York', 365],
    ['30 1 * * *', 'Europe/London', 365],
    // 12 a day by elapsed time: the spring gap loses 02:00, the autumn fold repeats it; the 6 runs
    // before 11:00 AEDT on 2026-01-01 are outside, the same 6 of 2027-01-01 inside.
    ['0 */2 * * *', 'Australia/Sydney', 365 * 12],
    ['0 0 29 2 *', 'UTC', 0],
    // The 31st of the seven long months.
    ['45 23 31 * *', 'Pacific/Auckland', 7],
  ])('%s in %s over 2026 has %i instants, rising, each once', (text, zone, count) => {
    const from = Date.parse('2026-01-01T00:00:00Z');
    const to = Date.parse('2027-01-01T00:00:00Z');
    const instants = instantsInWindow(schedule(text), zone, from, to, 1_000_000);
    expect(instants).toHaveLength(count);
    expect(instants.every((t, i) => t >= from && t <= to && (i === 0 || t > (instants[i - 1] ?? 0)))).toBe(true);
    expect(instantsBetween(schedule(text), zone, from, to, 1_000_000)).toEqual(instants);
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
