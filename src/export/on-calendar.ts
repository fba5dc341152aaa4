import type { CronFields } from '../schedule/cron/expression.js';
import type { Schedule } from '../schedule/parse.js';
import { unreachable } from '../util/unreachable.js';

/** A schedule as a systemd `OnCalendar=` value, or why systemd cannot express it. */
export type OnCalendar = { ok: true; value: string } | { ok: false; reason: string };

/** systemd.time(7) weekday names, Monday first: ranges (`Mon..Fri`) cannot wrap past Sunday. */
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

const DAY_S = 86_400;
const WEEK_S = 7 * DAY_S;

/**
 * Converts a schedule to `OnCalendar=` syntax (systemd.time(7)) with its zone appended:
 * `15 2 * * *` in Europe/London is `*-*-* 02:15:00 Europe/London`. Each field is rebuilt from
 * the values it stands for (`*`, a list, a range `a..b`, a repetition `a/k` or `a..b/k`), which
 * systemd 252 reads for every field but the weekday, where steps become a list.
 */
export function toOnCalendar(schedule: Schedule, zone: string): OnCalendar {
  if (!/^[A-Za-z0-9_+\-/]+$/.test(zone)) return { ok: false, reason: `the zone "${zone}" is not a zone name systemd reads (like UTC or Europe/London)` };
  switch (schedule.kind) {
    case 'cron':
      return fromCron(schedule.text, schedule.fields, zone);
    case 'every':
      return fromEvery(schedule.text, schedule.everyMs);
    default:
      return unreachable(schedule);
  }
}

function fromCron(text: string, fields: CronFields, zone: string): OnCalendar {
  const { second, minute, hour, month } = fields;
  // cron's day rule: a day field starting with `*` does not restrict, and then both must match,
  // which is what systemd does (its weekday filters the dates). With both restricted cron ORs them.
  let days = fields.dom;
  let weekdays = fields.dow;
  if (fields.domRestricted && fields.dowRestricted) {
    if (days.length === 31 || weekdays.length === 7) {
      // One of the two already matches every day, so the OR does too.
      days = range(1, 31);
      weekdays = range(0, 6);
    } else {
      return {
        ok: false,
        reason: `"${text}" runs when the day of month OR the day of week matches (cron's rule when both are restricted), `
          + 'but in systemd\'s OnCalendar= the weekday only filters the dates (both must match); '
          + 'split it into two jobs, one restricting each field',
      };
    }
  }
  const weekday = weekdayPart(weekdays);
  const date = `*-${part(month, 1, 12)}-${part(days, 1, 31)}`;
  const time = `${part(hour, 0, 23)}:${part(minute, 0, 59)}:${part(second, 0, 59)}`;
  return { ok: true, value: `${weekday === '' ? '' : `${weekday} `}${date} ${time} ${zone}` };
}

/**
 * SPEC 2: `@every D` fires at multiples of D since the Unix epoch, in any zone. A calendar event
 * repeats within a minute, hour or day, so only a D that divides one of those evenly (or a week:
 * the epoch was a Thursday) lands on the same instants, written in UTC.
 */
function fromEvery(text: string, everyMs: number): OnCalendar {
  const s = everyMs / 1000;
  const refuse = (why: string): OnCalendar => ({
    ok: false,
    reason: `"${text}" ${why}; OnCalendar= repeats within each minute, hour or day, so it would drift from tock's instants `
      + '(multiples of the interval since 1970); use a cron schedule, or write OnUnitActiveSec= by hand',
  });
  if (!Number.isInteger(s)) return refuse('is not a whole number of seconds');
  if (s === WEEK_S) return { ok: true, value: 'Thu *-*-* 00:00:00 UTC' };
  if (s > DAY_S || DAY_S % s !== 0) return refuse('does not divide a day evenly');
  if (s < 60 && 60 % s === 0) return { ok: true, value: `*-*-* *:*:${repeat(s)} UTC` };
  if (s >= 60 && s < 3600 && s % 60 === 0 && 60 % (s / 60) === 0) return { ok: true, value: `*-*-* *:${repeat(s / 60)}:00 UTC` };
  if (s >= 3600 && s % 3600 === 0) return { ok: true, value: `*-*-* ${s === DAY_S ? '00' : repeat(s / 3600)}:00:00 UTC` };
  return refuse('divides a day but not a minute, an hour or a day into whole fields');
}

/** Every k units from 0: `*` for every unit. */
function repeat(k: number): string {
  return k === 1 ? '*' : `00/${String(k)}`;
}

/** One numeric field: `*`, `a/k` (to the end), `a..b/k`, or a list of values and ranges `a..b`. */
function part(values: readonly number[], min: number, max: number): string {
  if (values.length === max - min + 1) return '*';
  const [first = min, second = min] = values;
  const last = values.at(-1) ?? min;
  const step = second - first;
  if (values.length >= 3 && step > 1 && values.every((v, i) => v === first + i * step)) {
    return last + step > max ? `${pad(first)}/${String(step)}` : `${pad(first)}..${pad(last)}/${String(step)}`;
  }
  return runs(values).map(([a, b]) => (b - a >= 2 ? `${pad(a)}..${pad(b)}` : a === b ? pad(a) : `${pad(a)},${pad(b)}`)).join(',');
}

/** The weekday filter (systemd has no weekday steps): empty for every day. */
function weekdayPart(days: readonly number[]): string {
  if (days.length === 7) return '';
  // cron counts from Sunday = 0; systemd's ranges run Monday to Sunday.
  const mondayFirst = days.map((d) => (d + 6) % 7).sort((a, b) => a - b);
  const name = (i: number): string => WEEKDAYS[i] ?? '';
  return runs(mondayFirst).map(([a, b]) => (b - a >= 2 ? `${name(a)}..${name(b)}` : a === b ? name(a) : `${name(a)},${name(b)}`)).join(',');
}

/** Sorted values as runs of consecutive numbers, each [first, last]. */
function runs(values: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const v of values) {
    const current = out.at(-1);
    if (current !== undefined && v === current[1] + 1) current[1] = v;
    else out.push([v, v]);
  }
  return out;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
