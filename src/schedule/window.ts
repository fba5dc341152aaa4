import { CRON_FIELDS, checkField } from './cron-fields.js';
import { instantsBetween } from './next.js';
import { offsetChanges, zoneOffsetMs } from './offset.js';
import type { Schedule } from './parse.js';

// Around an offset change the exact (DST-corrected) walk is used; this far either side.
const MARGIN_MS = 3 * 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Every logical instant in [fromMs, toMs], oldest first, at most `limit`: the same instants as
 * `instantsBetween`, but fast enough for a backfill of a year of a minutely job (525,600).
 * Where the zone's offset is constant, the cron fields are expanded directly on wall-clock
 * days; within a few hours of an offset change, the exact walk of `next.ts` (which applies
 * the DST rule) is used instead.
 */
export function instantsInWindow(schedule: Schedule, zone: string, fromMs: number, toMs: number, limit: number): number[] {
  if (toMs < fromMs || limit <= 0) return [];
  if (schedule.kind === 'every') {
    const out: number[] = [];
    for (let t = Math.ceil(fromMs / schedule.everyMs) * schedule.everyMs; t <= toMs && out.length < limit; t += schedule.everyMs) out.push(t);
    return out;
  }
  const fields = expand(schedule.expression);
  const out: number[] = [];
  for (const part of segments(zone, fromMs, toMs)) {
    const found = part.exact
      ? instantsBetween(schedule, zone, part.from, part.to, limit - out.length)
      : enumerate(fields, part.offset, part.from, part.to, limit - out.length);
    // A loop, not push(...found): a year of a minutely job is more arguments than a call takes.
    for (const instant of found) out.push(instant);
    if (out.length >= limit) break;
  }
  return out;
}

interface Fields {
  seconds: number[];
  minutes: number[];
  hours: number[];
  days: ReadonlySet<number>;
  months: ReadonlySet<number>;
  weekdays: ReadonlySet<number>;
  dayRestricted: boolean;
  weekdayRestricted: boolean;
}

function expand(expression: string): Fields {
  const parts = expression.split(' ');
  const values = parts.map((field, i) => {
    const check = checkField(field, CRON_FIELDS[i] as (typeof CRON_FIELDS)[number]);
    return check.ok ? check.values : new Set<number>();
  });
  const sorted = (i: number): number[] => [...(values[i] ?? [])].sort((a, b) => a - b);
  const weekdays = new Set([...(values[5] ?? [])].map((d) => d % 7));
  return {
    seconds: sorted(0), minutes: sorted(1), hours: sorted(2),
    days: values[3] ?? new Set(), months: values[4] ?? new Set(), weekdays,
    // Vixie cron: a day field starting with * does not restrict; with both restricted, either matches.
    dayRestricted: !(parts[3] ?? '*').startsWith('*'),
    weekdayRestricted: !(parts[5] ?? '*').startsWith('*'),
  };
}

/** Instants in [from, to] for a stretch where local time = UTC + `offset`. */
function enumerate(f: Fields, offset: number, from: number, to: number, limit: number): number[] {
  const out: number[] = [];
  const firstDay = Math.floor((from + offset) / DAY_MS) * DAY_MS;
  for (let day = firstDay; day <= to + offset; day += DAY_MS) {
    const date = new Date(day);
    if (!f.months.has(date.getUTCMonth() + 1)) continue;
    const domOk = f.days.has(date.getUTCDate());
    const dowOk = f.weekdays.has(date.getUTCDay());
    const dayOk = f.dayRestricted && f.weekdayRestricted ? domOk || dowOk : domOk && dowOk;
    if (!dayOk) continue;
    for (const h of f.hours) {
      for (const m of f.minutes) {
        for (const s of f.seconds) {
          const instant = day + ((h * 60 + m) * 60 + s) * 1000 - offset;
          if (instant < from) continue;
          if (instant > to || out.length >= limit) return out;
          out.push(instant);
        }
      }
    }
  }
  return out;
}

type Segment = { exact: true; from: number; to: number } | { exact: false; offset: number; from: number; to: number };

/** The window cut into stretches of constant offset, with the exact walk around each change. */
function segments(zone: string, from: number, to: number): Segment[] {
  const out: Segment[] = [];
  let cursor = from;
  for (const { at: change } of offsetChanges(zone, from - MARGIN_MS, to + MARGIN_MS)) {
    const exactFrom = Math.max(cursor, change - MARGIN_MS);
    const exactTo = Math.min(to, change + MARGIN_MS);
    if (exactFrom > cursor) out.push({ exact: false, offset: zoneOffsetMs(zone, cursor), from: cursor, to: exactFrom - 1 });
    if (exactTo >= exactFrom) out.push({ exact: true, from: exactFrom, to: exactTo });
    cursor = Math.max(cursor, exactTo + 1);
  }
  if (cursor <= to) out.push({ exact: false, offset: zoneOffsetMs(zone, cursor), from: cursor, to });
  return out;
}
