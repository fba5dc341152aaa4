import { describe, expect, it } from 'vitest';
import { fieldValues, parseCrontab } from '../../src/crontab/parse.js';
import type { CrontabEntry } from '../../src/crontab/types.js';
import { vixieFirings } from '../../src/crontab/vixie.js';
import { offsetAt, offsetChanges } from '../../src/schedule/cron/zone.js';

const NY = 'America/New_York';
const LONDON = 'Europe/London';

function entry(line: string): CrontabEntry {
  const { entries, problems } = parseCrontab(`${line}\n`, 'crontab', 'user');
  expect(problems).toEqual([]);
  const [first] = entries;
  if (first === undefined) throw new Error(`no entry in ${line}`);
  return first;
}

/** The firings as ISO strings, for readable failures. */
function fire(schedule: string, zone: string, from: string, count: number): string[] {
  return vixieFirings(entry(`${schedule} cmd`), zone, Date.parse(from), count).map((ms) => new Date(ms).toISOString().replace(':00.000Z', 'Z'));
}

describe('plain schedules', () => {
  it('fires strictly after fromMs', () => {
    expect(fire('0 * * * *', 'UTC', '2026-01-01T00:00:00Z', 2)).toEqual(['2026-01-01T01:00Z', '2026-01-01T02:00Z']);
    expect(fire('0 * * * *', 'UTC', '2025-12-31T23:59:59.999Z', 1)).toEqual(['2026-01-01T00:00Z']);
    expect(fire('* * * * *', 'UTC', '2026-01-01T00:00:30Z', 2)).toEqual(['2026-01-01T00:01Z', '2026-01-01T00:02Z']);
  });

  it('returns nothing for count 0, @reboot and a date that never comes', () => {
    expect(fire('* * * * *', 'UTC', '2026-01-01T00:00Z', 0)).toEqual([]);
    expect(fire('@reboot', 'UTC', '2026-01-01T00:00Z', 5)).toEqual([]);
    expect(fire('0 0 30 2 *', 'UTC', '2026-01-01T00:00Z', 5)).toEqual([]);
    expect(fire('0 0 31 4,6,9,11 *', 'UTC', '2026-01-01T00:00Z', 5)).toEqual([]);
  });

  it('finds leap days', () => {
    expect(fire('0 0 29 2 *', 'UTC', '2026-01-01T00:00Z', 3)).toEqual(['2028-02-29T00:00Z', '2032-02-29T00:00Z', '2036-02-29T00:00Z']);
  });

  it('ORs the day fields when both are restricted (1st, 15th and every Friday)', () => {
    expect(fire('0 0 1,15 * 5', 'UTC', '2026-01-01T00:00Z', 7)).toEqual([
      '2026-01-02T00:00Z', '2026-01-09T00:00Z', '2026-01-15T00:00Z', '2026-01-16T00:00Z',
      '2026-01-23T00:00Z', '2026-01-30T00:00Z', '2026-02-01T00:00Z',
    ]);
  });

  it('ANDs them when either starts with *, even */2', () => {
    expect(fire('0 0 * * fri', 'UTC', '2026-01-01T00:00Z', 2)).toEqual(['2026-01-02T00:00Z', '2026-01-09T00:00Z']);
    expect(fire('0 0 */2 * 5', 'UTC', '2026-01-01T00:00Z', 3)).toEqual(['2026-01-09T00:00Z', '2026-01-23T00:00Z', '2026-02-13T00:00Z']);
  });

  it('treats 7 as Sunday and reads the macros', () => {
    expect(fire('0 6 * * 7', 'UTC', '2026-01-01T00:00Z', 1)).toEqual(['2026-01-04T06:00Z']);
    expect(fire('@weekly', 'UTC', '2026-01-01T00:00Z', 1)).toEqual(['2026-01-04T00:00Z']);
    expect(fire('@monthly', 'UTC', '2026-01-01T00:00Z', 1)).toEqual(['2026-02-01T00:00Z']);
    expect(fire('@yearly', 'UTC', '2026-01-01T00:00Z', 1)).toEqual(['2027-01-01T00:00Z']);
  });

  it('uses the zone: 09:00 in New York is 14:00Z in winter and 13:00Z in summer', () => {
    expect(fire('0 9 * * *', NY, '2026-01-01T00:00Z', 1)).toEqual(['2026-01-01T14:00Z']);
    expect(fire('0 9 * * *', NY, '2026-07-01T00:00Z', 1)).toEqual(['2026-07-01T13:00Z']);
  });
});

describe('DST, as Debian cron was observed to do it (perf-baseline section 4)', () => {
  it('NY 30 2 * * * on 2026-03-08 runs at 03:00 EDT, right after the jump', () => {
    expect(fire('30 2 * * *', NY, '2026-03-07T00:00Z', 3)).toEqual(['2026-03-07T07:30Z', '2026-03-08T07:00Z', '2026-03-09T06:30Z']);
  });

  it('NY 30 2 * * * on 2026-11-01 runs once, at 02:30 EST', () => {
    expect(fire('30 2 * * *', NY, '2026-10-31T00:00Z', 3)).toEqual(['2026-10-31T06:30Z', '2026-11-01T07:30Z', '2026-11-02T07:30Z']);
  });

  it('NY 30 1 * * * on 2026-11-01 runs once, at 01:30 EDT, not again at 01:30 EST', () => {
    expect(fire('30 1 * * *', NY, '2026-10-31T00:00Z', 3)).toEqual(['2026-10-31T05:30Z', '2026-11-01T05:30Z', '2026-11-02T06:30Z']);
  });

  it('London 30 1 * * * on 2026-03-29 runs at 02:00 BST', () => {
    expect(fire('30 1 * * *', LONDON, '2026-03-28T00:00Z', 3)).toEqual(['2026-03-28T01:30Z', '2026-03-29T01:00Z', '2026-03-30T00:30Z']);
  });

  it('London 30 1 * * * on 2026-10-25 runs once, at 01:30 BST', () => {
    expect(fire('30 1 * * *', LONDON, '2026-10-24T00:00Z', 3)).toEqual(['2026-10-24T00:30Z', '2026-10-25T00:30Z', '2026-10-26T01:30Z']);
  });

  it('NY 30 * * * * on 2026-03-08 skips 02:30 (a wildcard job runs on the new time)', () => {
    expect(fire('30 * * * *', NY, '2026-03-08T05:00Z', 4)).toEqual(['2026-03-08T05:30Z', '2026-03-08T06:30Z', '2026-03-08T07:30Z', '2026-03-08T08:30Z']);
  });

  it('NY 30 * * * * on 2026-11-01 runs at both 01:30 EDT and 01:30 EST', () => {
    expect(fire('30 * * * *', NY, '2026-11-01T04:00Z', 4)).toEqual(['2026-11-01T04:30Z', '2026-11-01T05:30Z', '2026-11-01T06:30Z', '2026-11-01T07:30Z']);
  });

  it('London 30 * * * * on 2026-10-25 runs at both 01:30 BST and 01:30 GMT', () => {
    expect(fire('30 * * * *', LONDON, '2026-10-24T23:00Z', 4)).toEqual(['2026-10-24T23:30Z', '2026-10-25T00:30Z', '2026-10-25T01:30Z', '2026-10-25T02:30Z']);
  });

  it('*/10 runs in both copies of the repeated hour, NY and London', () => {
    const ny = fire('*/10 * * * *', NY, '2026-11-01T05:00Z', 12);
    expect(ny[0]).toBe('2026-11-01T05:10Z');
    expect(ny.at(-1)).toBe('2026-11-01T07:00Z');
    const london = fire('*/10 * * * *', LONDON, '2026-10-25T00:00Z', 12);
    expect(london[0]).toBe('2026-10-25T00:10Z');
    expect(london.at(-1)).toBe('2026-10-25T02:00Z');
  });

  it('*/10 runs nothing extra across the spring gap', () => {
    expect(fire('*/10 * * * *', NY, '2026-03-08T06:40Z', 3)).toEqual(['2026-03-08T06:50Z', '2026-03-08T07:00Z', '2026-03-08T07:10Z']);
  });

  it('@hourly is a wildcard job: no catch-up in the gap, both copies in the fold', () => {
    expect(fire('@hourly', NY, '2026-03-08T05:30Z', 3)).toEqual(['2026-03-08T06:00Z', '2026-03-08T07:00Z', '2026-03-08T08:00Z']);
    expect(fire('@hourly', NY, '2026-11-01T04:30Z', 3)).toEqual(['2026-11-01T05:00Z', '2026-11-01T06:00Z', '2026-11-01T07:00Z']);
  });

  it('several fixed times in the gap run once, together, at the first minute after it', () => {
    expect(fire('0,59 2,3 * * *', NY, '2026-03-08T06:00Z', 3)).toEqual(['2026-03-08T07:00Z', '2026-03-08T07:59Z', '2026-03-09T06:00Z']);
  });

  it('@daily in Santiago, where the clock jumps from midnight to 01:00, runs at 01:00', () => {
    expect(fire('@daily', 'America/Santiago', '2026-09-05T00:00Z', 3)).toEqual(['2026-09-05T04:00Z', '2026-09-06T04:00Z', '2026-09-07T03:00Z']);
  });

  it('a fixed hour range through the gap keeps its later hours', () => {
    expect(fire('30 1-3 * * *', NY, '2026-03-08T05:00Z', 3)).toEqual(['2026-03-08T06:30Z', '2026-03-08T07:00Z', '2026-03-08T07:30Z']);
  });

  it('a wildcard minute in a fixed hour runs in both copies of a repeated hour', () => {
    expect(fire('*/20 1 * * *', NY, '2026-11-01T05:00Z', 6)).toEqual([
      '2026-11-01T05:20Z', '2026-11-01T05:40Z', '2026-11-01T06:00Z', '2026-11-01T06:20Z', '2026-11-01T06:40Z', '2026-11-02T06:00Z',
    ]);
  });

  it('starting inside the repeated hour still knows the first copy has run', () => {
    expect(fire('30 1 * * *', NY, '2026-11-01T06:00Z', 1)).toEqual(['2026-11-02T06:30Z']);
    expect(fire('30 * * * *', NY, '2026-11-01T06:00Z', 1)).toEqual(['2026-11-01T06:30Z']);
  });
});

describe('speed', () => {
  it('gives 1,000 minutely firings quickly and in order', () => {
    const started = performance.now();
    const ms = vixieFirings(entry('* * * * * cmd'), NY, Date.parse('2026-11-01T00:00Z'), 1000);
    expect(performance.now() - started).toBeLessThan(200);
    expect(ms).toHaveLength(1000);
    for (let i = 1; i < ms.length; i++) expect((ms[i] ?? 0) - (ms[i - 1] ?? 0)).toBe(60_000);
  });

  it('gives 1,000 yearly firings', () => {
    const ms = vixieFirings(entry('@yearly cmd'), LONDON, Date.parse('2026-06-01T00:00Z'), 1000);
    expect(ms).toHaveLength(1000);
    expect(new Date(ms.at(-1) ?? 0).getUTCFullYear()).toBe(3026);
  });
});

/**
 * cron.c's main loop, minute by minute: a virtual wall clock against the real one, sorted into
 * the same kinds of jump. Slow and literal, to check vixieFirings' shortcuts against.
 */
function simulateCron(e: CrontabEntry, wallOf: (minute: number) => number, fromMinute: number, toMinute: number): number[] {
  const v = fieldValues(e);
  if (v === undefined) return [];
  const matches = (wall: number, doWild: boolean, doNonWild: boolean) => {
    const d = new Date(wall * 60_000);
    const dom = v.dom.includes(d.getUTCDate());
    const dow = v.dow.includes(d.getUTCDay());
    const day = v.domRestricted && v.dowRestricted ? dom || dow : dom && dow;
    const time = v.minute.includes(d.getUTCMinutes()) && v.hour.includes(d.getUTCHours()) && v.month.includes(d.getUTCMonth() + 1) && day;
    return time && (v.wildcard ? doWild : doNonWild);
  };
  const out: number[] = [];
  let virtual = wallOf(fromMinute);
  for (let m = fromMinute + 1; m <= toMinute; m++) {
    const running = wallOf(m);
    const diff = running - virtual;
    let fired = false;
    if (diff === 1) {
      virtual = running;
      fired = matches(running, true, true);
    } else if (diff > 0 && diff <= 5) {
      do fired = matches(++virtual, true, true) || fired;
      while (virtual < running);
    } else if (diff > 5 && diff <= 180) {
      fired = matches(running, true, false);
      do fired = matches(++virtual, false, true) || fired;
      while (virtual < running);
    } else if (diff <= 0 && diff > -180) {
      fired = matches(running, true, false);
    } else {
      virtual = running;
      fired = matches(running, true, true);
    }
    if (fired) out.push(m * 60_000);
  }
  return out;
}

describe('against a literal simulation of cron.c around every 2026 change', () => {
  const zones = [NY, LONDON, 'Australia/Lord_Howe', 'America/Santiago', 'Europe/Berlin'];
  const schedules = [
    '30 2 * * *', '30 1 * * *', '0 0 * * *', '30 * * * *', '*/10 * * * *', '*/7 2 * * *', '0,15,30,45 1-3 * * *',
    '59 1 * * *', '0 3 * * *', '@hourly', '@daily', '* * * * *', '5 0-23/2 * * *', '*/5 1 * * *', '15 2 * * 0',
  ];
  const changes = zones.flatMap((zone) =>
    offsetChanges(zone, Date.parse('2026-01-01T00:00Z'), Date.parse('2027-01-01T00:00Z')).map((c) => ({ zone, at: c.at })),
  );

  it('finds two changes a zone', () => {
    expect(changes).toHaveLength(zones.length * 2);
  });

  it.each(changes)('$zone at $at', ({ zone, at }) => {
    const from = Math.floor(at / 60_000) - 1440;
    const to = from + 3 * 1440;
    const walls = new Map<number, number>();
    for (let m = from; m <= to; m++) walls.set(m, m + Math.round(offsetAt(zone, m * 60_000) / 60_000));
    const wallOf = (m: number) => walls.get(m) ?? NaN;
    for (const schedule of schedules) {
      const e = entry(`${schedule} cmd`);
      const expected = simulateCron(e, wallOf, from, to);
      const got = vixieFirings(e, zone, from * 60_000, 5000).filter((ms) => ms <= to * 60_000);
      expect({ schedule, got: got.map((ms) => new Date(ms).toISOString()) }).toEqual({
        schedule,
        got: expected.map((ms) => new Date(ms).toISOString()),
      });
    }
  });
});

describe('vixieFirings up to a time', () => {
  it('gives in one walk what asking for enough instants and cutting at that time gives, across every 2026 change', () => {
    for (const zone of [NY, LONDON, 'Australia/Lord_Howe']) {
      for (const change of offsetChanges(zone, Date.parse('2026-01-01T00:00Z'), Date.parse('2027-01-01T00:00Z'))) {
        const from = change.at - 3 * 86_400_000 + 17_000;
        const until = change.at + 4 * 86_400_000;
        for (const schedule of ['*/5 * * * *', '30 2 * * *', '0,15,30,45 1-3 * * *', '@hourly', '15 2 * * 0', '* * * * *']) {
          const e = entry(`${schedule} cmd`);
          const cut = vixieFirings(e, zone, from, 20_000).filter((ms) => ms <= until);
          expect(vixieFirings(e, zone, from, 20_000, until)).toEqual(cut);
          expect(vixieFirings(e, zone, from, 7, until)).toEqual(cut.slice(0, 7));
        }
      }
    }
  });
});
