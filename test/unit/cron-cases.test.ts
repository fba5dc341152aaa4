import { describe, expect, it } from 'vitest';

import { auditCrontabs } from '../../src/crontab/audit.js';
import { parseCrontab } from '../../src/crontab/parse.js';
import { instantsInWindow } from '../../src/schedule/window.js';
import { nextInstants, previousInstant } from '../../src/schedule/next.js';
import { offsetChanges } from '../../src/schedule/cron/zone.js';
import { parseSchedule, type Schedule } from '../../src/schedule/parse.js';

// The cases issue 10 names, each as tock's users met them.

function schedule(text: string): Schedule {
  const parsed = parseSchedule(text);
  if (!parsed.ok) throw new Error(`bad schedule in test: ${text}`);
  return parsed.schedule;
}

const isos = (instants: readonly number[]): string[] => instants.map((t) => new Date(t).toISOString().replace('.000Z', 'Z'));
const next = (text: string, zone: string, after: string, count: number): string[] => isos(nextInstants(schedule(text), zone, Date.parse(after), count));

describe('Pacific/Chatham (+12:45 / +13:45)', () => {
  // Back on Sun 2026-04-05 at 03:45 CHADT (04-04 14:00Z) to 02:45 CHAST; forward on Sun
  // 2026-09-27 at 02:45 CHAST (09-26 14:00Z) to 03:45 CHADT.
  it('*/15 from 13:14Z returns 13:15Z (it used to never return)', () => {
    expect(next('*/15 * * * *', 'Pacific/Chatham', '2026-04-04T13:14:00Z', 1)).toEqual(['2026-04-04T13:15:00Z']);
  });

  it('*/15 runs every 15 real minutes through the repeated 02:45-03:45, both copies', () => {
    expect(next('*/15 * * * *', 'Pacific/Chatham', '2026-04-04T13:50:00Z', 5)).toEqual([
      '2026-04-04T14:00:00Z', '2026-04-04T14:15:00Z', '2026-04-04T14:30:00Z', '2026-04-04T14:45:00Z', '2026-04-04T15:00:00Z',
    ]);
  });

  it('*/15 runs every 15 real minutes through the spring gap, which has no wall times', () => {
    expect(next('*/15 * * * *', 'Pacific/Chatham', '2026-09-26T13:00:00Z', 5)).toEqual([
      '2026-09-26T13:15:00Z', '2026-09-26T13:30:00Z', '2026-09-26T13:45:00Z', '2026-09-26T14:00:00Z', '2026-09-26T14:15:00Z',
    ]);
  });
});

describe('Australia/Lord_Howe (a 30-minute DST: +10:30 / +11)', () => {
  // Back on Sun 2026-04-05 at 02:00 +11 (04-04 15:00Z) to 01:30 +10:30; forward on Sun
  // 2026-10-04 at 02:00 +10:30 (10-03 15:30Z) to 02:30 +11.
  const LH = 'Australia/Lord_Howe';

  it('0 2 * * * from 2026-12-01 gives 1,000 instants, one a day (it used to stop at 123)', () => {
    const instants = nextInstants(schedule('0 2 * * *'), LH, Date.parse('2026-12-01T00:00:00Z'), 1000);
    expect(instants).toHaveLength(1000);
    expect(new Set(instants.map((t) => Math.floor(t / 86_400_000))).size).toBe(1000);
  });

  it('0 * * * * from 2026-04-04T15:00Z is the next hour on the new offset, not "never"', () => {
    expect(next('0 * * * *', LH, '2026-04-04T15:00:00Z', 2)).toEqual(['2026-04-04T15:30:00Z', '2026-04-04T16:30:00Z']);
  });

  it('59 1 * * * runs once in the fold, at the first 01:59', () => {
    expect(next('59 1 * * *', LH, '2026-04-04T12:00:00Z', 2)).toEqual(['2026-04-04T14:59:00Z', '2026-04-05T15:29:00Z']);
  });

  it('0 2 * * * runs on the gap day, shifted by the 30-minute gap to 02:30', () => {
    expect(next('0 2 * * *', LH, '2026-10-03T00:00:00Z', 2)).toEqual(['2026-10-03T15:30:00Z', '2026-10-04T15:00:00Z']);
  });

  it('the backfill window has as many instants as the walk: one a day for 72 days', () => {
    const from = Date.parse('2026-09-01T00:00:00Z');
    expect(instantsInWindow(schedule('0 2 * * *'), LH, from, from + 72 * 86_400_000 - 1, 1000)).toHaveLength(72);
  });
});

describe('New York, elapsed time and cron\'s day rule', () => {
  it('0 */2 * * * runs by elapsed time: nothing in the gap (no 07:00Z = 03:00 EDT)', () => {
    expect(next('0 */2 * * *', 'America/New_York', '2026-03-08T04:30:00Z', 3)).toEqual(['2026-03-08T05:00:00Z', '2026-03-08T08:00:00Z', '2026-03-08T10:00:00Z']);
  });

  it('0 0 */2 * 1 ANDs the day fields (day of month starts with *): odd-dated Mondays', () => {
    expect(next('0 0 */2 * 1', 'UTC', '2026-01-01T00:00:00Z', 4)).toEqual(['2026-01-05T00:00:00Z', '2026-01-19T00:00:00Z', '2026-02-09T00:00:00Z', '2026-02-23T00:00:00Z']);
  });

  it('0 0 1,15 * 1 ORs them (both restricted): the 1st, the 15th and every Monday', () => {
    expect(next('0 0 1,15 * 1', 'UTC', '2026-01-01T00:00:00Z', 4)).toEqual(['2026-01-05T00:00:00Z', '2026-01-12T00:00:00Z', '2026-01-15T00:00:00Z', '2026-01-19T00:00:00Z']);
  });
});

describe('5/10: read once, said twice', () => {
  it('a jobfile reads 5/10 * * * * as 5-59/10: :05, :15, ...', () => {
    expect(next('5/10 * * * *', 'UTC', '2026-05-01T08:00:00Z', 4)).toEqual(['2026-05-01T08:05:00Z', '2026-05-01T08:15:00Z', '2026-05-01T08:25:00Z', '2026-05-01T08:35:00Z']);
  });

  it('the same line in a crontab is a syntax finding that says Vixie cron skips it', () => {
    const crontab = parseCrontab('5/10 * * * * /usr/bin/backup\n', 'crontab', 'user');
    const { findings } = auditCrontabs([crontab], Date.parse('2026-05-01T00:00:00Z'), 'UTC');
    const syntax = findings.find((f) => f.code === 'syntax');
    expect(syntax?.message).toMatch(/Vixie cron skips this line; a tock jobfile reads 5\/10 as 5-59\/10/);
  });
});

describe('every walk ends', () => {
  it('stops at the end of year 9999, as a fact', () => {
    expect(next('0 0 * * *', 'UTC', '9999-12-29T12:00:00Z', 5)).toEqual(['9999-12-30T00:00:00Z', '9999-12-31T00:00:00Z']);
    expect(nextInstants(schedule('* * * * *'), 'UTC', 8.64e15, 3)).toEqual([]);
    expect(previousInstant(schedule('0 0 29 2 *'), 'UTC', -8.64e15)).toBeUndefined();
  });

  it('@every stops with the Date range', () => {
    // The last day the Date range holds and the range's end itself, then nothing.
    expect(nextInstants(schedule('@every 1d'), 'UTC', 8.64e15 - 1.5 * 86_400_000, 5)).toEqual([8.64e15 - 86_400_000, 8.64e15]);
  });

  it('100,000 instants of 30 2 * * * in New York, each on its own day, none twice', () => {
    const instants = nextInstants(schedule('30 2 * * *'), 'America/New_York', Date.parse('2026-01-01T00:00:00Z'), 100_000);
    expect(instants).toHaveLength(100_000);
    expect(new Set(instants).size).toBe(100_000);
    expect(instants.every((t, i) => i === 0 || t > (instants[i - 1] ?? 0))).toBe(true);
  });
});

describe('the zone model', () => {
  it('finds each change to the second, whatever its size', () => {
    const changes = (zone: string) => offsetChanges(zone, Date.parse('2026-01-01T00:00:00Z'), Date.parse('2027-01-01T00:00:00Z'))
      .map((c) => ({ at: new Date(c.at).toISOString(), by: (c.after - c.before) / 60_000 }));
    expect(changes('Pacific/Chatham')).toEqual([{ at: '2026-04-04T14:00:00.000Z', by: -60 }, { at: '2026-09-26T14:00:00.000Z', by: 60 }]);
    expect(changes('Australia/Lord_Howe')).toEqual([{ at: '2026-04-04T15:00:00.000Z', by: -30 }, { at: '2026-10-03T15:30:00.000Z', by: 30 }]);
    expect(changes('Asia/Kolkata')).toEqual([]);
  });
});
