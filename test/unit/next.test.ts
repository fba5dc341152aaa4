import { describe, expect, it } from 'vitest';

import { expandFields } from '../../src/schedule/cron/expression.js';
import { describeSchedule } from '../../src/schedule/describe.js';
import { instantsBetween, iterateInstants, nextInstants, previousInstant } from '../../src/schedule/next.js';
import type { Schedule } from '../../src/schedule/parse.js';
import { parseSchedule } from '../../src/schedule/parse.js';

const NY = 'America/New_York';
const LONDON = 'Europe/London';
const SYDNEY = 'Australia/Sydney';

function schedule(text: string): Schedule {
  const parsed = parseSchedule(text);
  if (!parsed.ok) throw new Error(`bad schedule in test: ${text}`);
  return parsed.schedule;
}

const ms = (iso: string): number => Date.parse(iso);
const isos = (instants: readonly number[]): string[] => instants.map((t) => new Date(t).toISOString().replace('.000Z', 'Z'));
const next = (text: string, zone: string, after: string, count: number): string[] => isos(nextInstants(schedule(text), zone, ms(after), count));

// Offsets used below. New York: EST = UTC-5, EDT = UTC-4; it springs forward Sun 2026-03-08 at
// 02:00 EST (07:00Z) to 03:00 EDT and falls back Sun 2026-11-01 at 02:00 EDT (06:00Z) to 01:00 EST.
// London: GMT = UTC+0, BST = UTC+1; forward Sun 2026-03-29 01:00 GMT (01:00Z) to 02:00 BST, back
// Sun 2026-10-25 02:00 BST (01:00Z) to 01:00 GMT. Sydney: AEST = UTC+10, AEDT = UTC+11; back Sun
// 2026-04-05 03:00 AEDT (04-04 16:00Z) to 02:00 AEST, forward Sun 2026-10-04 02:00 AEST (10-03 16:00Z)
// to 03:00 AEDT.

describe('nextInstants across DST (SPEC 3)', () => {
  it('New York spring forward: 02:30 does not exist on 03-08, so it runs once at 03:30 EDT', () => {
    // 03-07 12:00Z is 07:00 EST, after that day's 02:30. 03-08 02:30 is in the gap: shifted by the
    // gap's hour to 03:30 EDT = 07:30Z. 03-09 02:30 EDT = 06:30Z.
    expect(next('30 2 * * *', NY, '2026-03-07T12:00:00Z', 2)).toEqual(['2026-03-08T07:30:00Z', '2026-03-09T06:30:00Z']);
  });

  it('New York fall back: 01:30 happens twice on 11-01 and runs only at the first, EDT', () => {
    // 01:30 EDT = 05:30Z; 01:30 EST = 06:30Z must not appear; 11-02 01:30 EST = 06:30Z.
    expect(next('30 1 * * *', NY, '2026-10-31T12:00:00Z', 2)).toEqual(['2026-11-01T05:30:00Z', '2026-11-02T06:30:00Z']);
  });

  it('New York: a time outside the changed hour keeps its wall clock (02:30 on 11-01 is 02:30 EST)', () => {
    expect(next('30 2 * * *', NY, '2026-10-31T12:00:00Z', 1)).toEqual(['2026-11-01T07:30:00Z']);
  });

  it('New York */30: runs by elapsed time, every 30 real minutes through both changes', () => {
    // Spring: 01:30 EST (06:30Z), then 30 minutes later the clock reads 03:00 EDT (07:00Z).
    expect(next('*/30 * * * *', NY, '2026-03-08T06:15:00Z', 3)).toEqual(['2026-03-08T06:30:00Z', '2026-03-08T07:00:00Z', '2026-03-08T07:30:00Z']);
    // Fall: 01:00 EDT (05:00Z), 01:30 EDT, then 01:00 EST (06:00Z), 01:30 EST, 02:00 EST (07:00Z).
    expect(next('*/30 * * * *', NY, '2026-11-01T04:45:00Z', 5)).toEqual([
      '2026-11-01T05:00:00Z', '2026-11-01T05:30:00Z', '2026-11-01T06:00:00Z', '2026-11-01T06:30:00Z', '2026-11-01T07:00:00Z',
    ]);
  });

  it('London spring forward: 01:30 on 03-29 runs at 02:30 BST (01:30Z)', () => {
    // Next day 01:30 BST = 00:30Z.
    expect(next('30 1 * * *', LONDON, '2026-03-28T12:00:00Z', 2)).toEqual(['2026-03-29T01:30:00Z', '2026-03-30T00:30:00Z']);
  });

  it('London fall back: 01:30 on 10-25 runs once, at 01:30 BST (00:30Z), not at 01:30 GMT (01:30Z)', () => {
    expect(next('30 1 * * *', LONDON, '2026-10-24T12:00:00Z', 2)).toEqual(['2026-10-25T00:30:00Z', '2026-10-26T01:30:00Z']);
  });

  it('Sydney fall back (April, southern hemisphere): 02:30 on 04-05 runs once, at 02:30 AEDT', () => {
    // 02:30 AEDT = 04-04 15:30Z; 02:30 AEST (16:30Z) is the repeat; 04-06 02:30 AEST = 04-05 16:30Z.
    expect(next('30 2 * * *', SYDNEY, '2026-04-04T00:00:00Z', 2)).toEqual(['2026-04-04T15:30:00Z', '2026-04-05T16:30:00Z']);
  });

  it('Sydney spring forward (October): 02:30 on 10-04 runs at 03:30 AEDT', () => {
    // 03:30 AEDT = 10-03 16:30Z; 10-05 02:30 AEDT = 10-04 15:30Z.
    expect(next('30 2 * * *', SYDNEY, '2026-10-03T00:00:00Z', 2)).toEqual(['2026-10-03T16:30:00Z', '2026-10-04T15:30:00Z']);
  });

  it('Sydney: an hour field of * runs in both copies of the repeated hour', () => {
    // 01:30 AEDT (14:30Z), 02:30 AEDT (15:30Z), 02:30 AEST (16:30Z), 03:30 AEST (17:30Z).
    expect(next('30 * * * *', SYDNEY, '2026-04-04T14:00:00Z', 4)).toEqual([
      '2026-04-04T14:30:00Z', '2026-04-04T15:30:00Z', '2026-04-04T16:30:00Z', '2026-04-04T17:30:00Z',
    ]);
  });

  it('Sydney: a stepped hour field runs by elapsed time too: both copies of a fold, nothing in a gap', () => {
    // */2 is 0,2,4...: 00:30 AEDT (13:30Z), 02:30 AEDT (15:30Z), 02:30 AEST (16:30Z), 04:30 AEST (18:30Z).
    expect(next('30 */2 * * *', SYDNEY, '2026-04-04T13:00:00Z', 4)).toEqual([
      '2026-04-04T13:30:00Z', '2026-04-04T15:30:00Z', '2026-04-04T16:30:00Z', '2026-04-04T18:30:00Z',
    ]);
    // New York's repeated hour is 01: 1-23/2 runs at 01:30 EDT (05:30Z) and 01:30 EST (06:30Z).
    expect(next('30 1-23/2 * * *', NY, '2026-11-01T05:00:00Z', 3)).toEqual(['2026-11-01T05:30:00Z', '2026-11-01T06:30:00Z', '2026-11-01T08:30:00Z']);
    // Spring: 00:30 AEST (10-03 14:30Z); 02:30 is in the gap and an elapsed-time schedule does not
    // run it; then 04:30 AEDT (17:30Z), 06:30 AEDT (19:30Z).
    expect(next('30 */2 * * *', SYDNEY, '2026-10-03T13:00:00Z', 3)).toEqual(['2026-10-03T14:30:00Z', '2026-10-03T17:30:00Z', '2026-10-03T19:30:00Z']);
  });

  it('a range or list of hours counts as fixed: the repeated 01:30 runs once', () => {
    // 0-3: 00:30 EDT (04:30Z), 01:30 EDT (05:30Z), 02:30 EST (07:30Z), 03:30 EST (08:30Z).
    expect(next('30 0-3 * * *', NY, '2026-11-01T04:00:00Z', 4)).toEqual([
      '2026-11-01T04:30:00Z', '2026-11-01T05:30:00Z', '2026-11-01T07:30:00Z', '2026-11-01T08:30:00Z',
    ]);
    // Spring: 02:30 shifts to 03:30 EDT, which 03:30 itself also is: one run, not two.
    expect(next('30 0-3 * * *', NY, '2026-03-08T04:00:00Z', 4)).toEqual([
      '2026-03-08T05:30:00Z', '2026-03-08T06:30:00Z', '2026-03-08T07:30:00Z', '2026-03-09T04:30:00Z',
    ]);
  });

  it('gives the same answer whatever instant it starts from (daemon, catch-up and `next` start anywhere)', () => {
    // A walk that applies the DST rule only while crossing the change (cron-parser did) would,
    // started inside the changed hour, skip the shifted run or add the repeat. Compare starts every 5 minutes
    // (on the instants themselves, and half a second after) against one walk begun a day before.
    const cases: [string, string, string][] = [
      ['30 2 * * *', NY, '2026-03-08T03:00:00Z'], ['0 2 * * *', NY, '2026-03-08T03:00:00Z'],
      ['30 1 * * *', NY, '2026-11-01T02:00:00Z'], ['0,30 1 * * *', NY, '2026-11-01T02:00:00Z'],
      ['*/30 * * * *', NY, '2026-11-01T02:00:00Z'], ['30 1 * * *', LONDON, '2026-03-28T22:00:00Z'],
      ['30 1 * * *', LONDON, '2026-10-24T22:00:00Z'], ['30 2 * * *', SYDNEY, '2026-04-04T12:00:00Z'],
      ['30 */2 * * *', SYDNEY, '2026-04-04T12:00:00Z'], ['30 2 * * *', SYDNEY, '2026-10-03T12:00:00Z'],
    ];
    for (const [text, zone, start] of cases) {
      const s = schedule(text);
      const from = ms(start);
      const reference = nextInstants(s, zone, from - 86_400_000, 200);
      for (let at = from; at < from + 8 * 3_600_000; at += 300_000) {
        for (const t of [at, at + 500]) {
          const label = `${text} ${zone} after ${new Date(t).toISOString()}`;
          expect(nextInstants(s, zone, t, 1)[0], label).toBe(reference.find((r) => r > t));
          expect(previousInstant(s, zone, t), label).toBe(reference.filter((r) => r <= t).at(-1));
        }
      }
    }
  }, 30_000);
});

describe('nextInstants, other schedules', () => {
  it('@every 90m: multiples of 5400 s since the epoch, whatever the zone', () => {
    // 2026-03-08 is day 20520 since 1970 (20440 + 14 leap days + 66), so its UTC midnight is
    // 20520 * 86400 s, and 86400 = 16 * 5400: every UTC midnight is an instant, then each 01:30.
    expect(next('@every 90m', NY, '2026-03-08T06:59:00Z', 3)).toEqual(['2026-03-08T07:30:00Z', '2026-03-08T09:00:00Z', '2026-03-08T10:30:00Z']);
    expect(next('@every 90m', 'UTC', '2026-03-08T07:30:00Z', 1)).toEqual(['2026-03-08T09:00:00Z']);
    for (const t of nextInstants(schedule('@every 90m'), SYDNEY, ms('2026-10-03T15:00:00Z'), 10)) expect(t % 5_400_000).toBe(0);
  });

  it('6-field schedules count seconds', () => {
    expect(next('*/20 * * * * *', 'UTC', '2026-05-01T12:00:05Z', 3)).toEqual(['2026-05-01T12:00:20Z', '2026-05-01T12:00:40Z', '2026-05-01T12:01:00Z']);
    // 02:30:15 on the spring-forward day shifts like 02:30: 03:30:15 EDT = 07:30:15Z.
    expect(next('15 30 2 * * *', NY, '2026-03-07T12:00:00Z', 1)).toEqual(['2026-03-08T07:30:15Z']);
  });

  it('@weekly is Sunday 00:00 in the zone', () => {
    // Wed 2026-03-04: the next Sunday is 03-08, midnight EST = 05:00Z; then 03-15 midnight EDT = 04:00Z.
    expect(next('@weekly', NY, '2026-03-04T12:00:00Z', 2)).toEqual(['2026-03-08T05:00:00Z', '2026-03-15T04:00:00Z']);
  });

  it('the leap day: 2026 and 2027 have no Feb 29, so the next is 2028-02-29', () => {
    expect(next('0 0 29 2 *', 'UTC', '2026-01-01T00:00:00Z', 2)).toEqual(['2028-02-29T00:00:00Z', '2032-02-29T00:00:00Z']);
  });

  it('is strictly after the given time, to the millisecond', () => {
    expect(next('30 * * * *', 'UTC', '2026-05-01T07:29:59.999Z', 1)).toEqual(['2026-05-01T07:30:00Z']);
    expect(next('30 * * * *', 'UTC', '2026-05-01T07:30:00.000Z', 1)).toEqual(['2026-05-01T08:30:00Z']);
    expect(next('30 * * * *', 'UTC', '2026-05-01T07:30:00.001Z', 1)).toEqual(['2026-05-01T08:30:00Z']);
  });

  it('a schedule no date matches (Feb 30) has no instants rather than an error', () => {
    // Validation refuses it (parseSchedule); a Schedule built by hand must still not throw here.
    const expanded = expandFields(['0', '0', '30', '2', '*'], 'jobfile');
    if (!expanded.ok) throw new Error('test: 0 0 30 2 * should expand');
    const never: Schedule = { kind: 'cron', text: '0 0 30 2 *', expression: '0 0 0 30 2 *', fields: expanded.fields };
    expect(nextInstants(never, 'UTC', ms('2026-01-01T00:00:00Z'), 3)).toEqual([]);
    expect(previousInstant(never, 'UTC', ms('2026-01-01T00:00:00Z'))).toBeUndefined();
  });

  it('a count of 0 asks for nothing', () => {
    expect(next('* * * * *', 'UTC', '2026-01-01T00:00:00Z', 0)).toEqual([]);
  });

  it('iterateInstants streams the same instants', () => {
    const it6: number[] = [];
    for (const t of iterateInstants(schedule('*/30 * * * *'), NY, ms('2026-11-01T04:45:00Z'))) {
      if (it6.push(t) === 5) break;
    }
    expect(it6).toEqual(nextInstants(schedule('*/30 * * * *'), NY, ms('2026-11-01T04:45:00Z'), 5));
  });
});

describe('instantsBetween', () => {
  const hourly = schedule('0 * * * *');

  it('includes both ends', () => {
    expect(isos(instantsBetween(hourly, 'UTC', ms('2026-05-01T10:00:00Z'), ms('2026-05-01T13:00:00Z'), 100)))
      .toEqual(['2026-05-01T10:00:00Z', '2026-05-01T11:00:00Z', '2026-05-01T12:00:00Z', '2026-05-01T13:00:00Z']);
    expect(isos(instantsBetween(hourly, 'UTC', ms('2026-05-01T10:00:00.001Z'), ms('2026-05-01T12:59:59Z'), 100)))
      .toEqual(['2026-05-01T11:00:00Z', '2026-05-01T12:00:00Z']);
  });

  it('stops at the limit, oldest first', () => {
    expect(isos(instantsBetween(hourly, 'UTC', ms('2026-05-01T10:00:00Z'), ms('2026-05-02T10:00:00Z'), 2)))
      .toEqual(['2026-05-01T10:00:00Z', '2026-05-01T11:00:00Z']);
  });

  it('is empty for an empty range', () => {
    expect(instantsBetween(hourly, 'UTC', ms('2026-05-01T10:30:00Z'), ms('2026-05-01T10:59:00Z'), 100)).toEqual([]);
    expect(instantsBetween(hourly, 'UTC', ms('2026-05-01T12:00:00Z'), ms('2026-05-01T10:00:00Z'), 100)).toEqual([]);
  });

  it('counts the repeated hour twice for an hourly job in New York on 11-01', () => {
    // 00:00 EDT (04Z), 01:00 EDT (05Z), 01:00 EST (06Z), 02:00 EST (07Z), 03:00 EST (08Z).
    expect(instantsBetween(hourly, NY, ms('2026-11-01T04:00:00Z'), ms('2026-11-01T08:00:00Z'), 100)).toHaveLength(5);
  });

  it('@every includes an end that is a multiple', () => {
    expect(isos(instantsBetween(schedule('@every 90m'), 'UTC', ms('2026-03-08T00:00:00Z'), ms('2026-03-08T03:00:00Z'), 100)))
      .toEqual(['2026-03-08T00:00:00Z', '2026-03-08T01:30:00Z', '2026-03-08T03:00:00Z']);
  });
});

describe('previousInstant', () => {
  it('is the latest instant at or before the time', () => {
    const hourly = schedule('0 * * * *');
    expect(previousInstant(hourly, 'UTC', ms('2026-05-01T10:00:00Z'))).toBe(ms('2026-05-01T10:00:00Z'));
    expect(previousInstant(hourly, 'UTC', ms('2026-05-01T10:59:59.999Z'))).toBe(ms('2026-05-01T10:00:00Z'));
    expect(previousInstant(hourly, 'UTC', ms('2026-05-01T09:59:59.999Z'))).toBe(ms('2026-05-01T09:00:00Z'));
  });

  it('skips the repeat of a fixed time and finds the shifted one', () => {
    // At 11-01 08:00Z the latest 01:30 run is 01:30 EDT (05:30Z), not the repeat at 06:30Z.
    expect(previousInstant(schedule('30 1 * * *'), NY, ms('2026-11-01T08:00:00Z'))).toBe(ms('2026-11-01T05:30:00Z'));
    // Just before it, the day before's 01:30 EDT.
    expect(previousInstant(schedule('30 1 * * *'), NY, ms('2026-11-01T05:29:59Z'))).toBe(ms('2026-10-31T05:30:00Z'));
    // On 03-08 the 02:30 run was shifted to 03:30 EDT (07:30Z).
    expect(previousInstant(schedule('30 2 * * *'), NY, ms('2026-03-08T09:00:00Z'))).toBe(ms('2026-03-08T07:30:00Z'));
  });

  it('reaches back years for the leap day, and works for @every', () => {
    expect(previousInstant(schedule('0 0 29 2 *'), 'UTC', ms('2027-06-01T00:00:00Z'))).toBe(ms('2024-02-29T00:00:00Z'));
    expect(previousInstant(schedule('@every 90m'), 'UTC', ms('2026-03-08T07:29:59Z'))).toBe(ms('2026-03-08T06:00:00Z'));
    expect(previousInstant(schedule('@every 90m'), 'UTC', ms('2026-03-08T07:30:00Z'))).toBe(ms('2026-03-08T07:30:00Z'));
  });
});

describe('describeSchedule', () => {
  it('says a schedule in words, without "0 seconds"', async () => {
    expect(await describeSchedule(schedule('15 2 * * *'))).toBe('At 02:15');
    expect(await describeSchedule(schedule('*/20 * * * * *'))).toBe('Every 20 seconds');
    expect(await describeSchedule(schedule('@weekly'))).toBe('At 00:00, only on Sunday');
    expect(await describeSchedule(schedule('@every 1h30m'))).toBe('Every 1h30m');
  });
});
