import { parseDuration } from '../util/duration.js';
import { closest } from '../util/suggest.js';
import { CRON_FIELDS, checkField } from './cron-fields.js';

/** A job's schedule after parsing: a cron expression (always 6 fields here) or a fixed interval. */
export type Schedule =
  | { kind: 'cron'; text: string; expression: string }
  | { kind: 'every'; text: string; everyMs: number };

/** A refusal says what was expected, what was got (the whole text when not a part of it) and the fix. */
export type ScheduleParse = { ok: true; schedule: Schedule } | { ok: false; expected: string; got: string; fix: string };

// Vixie cron's macros; @reboot is a crontab idea with no place in a jobfile (the daemon has no boot).
const MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 0 1 1 *',
  '@annually': '0 0 0 1 1 *',
  '@monthly': '0 0 0 1 * *',
  '@weekly': '0 0 0 * * 0',
  '@daily': '0 0 0 * * *',
  '@midnight': '0 0 0 * * *',
  '@hourly': '0 0 * * * *',
};

const CRON_FIX = 'write 5 fields (minute hour day-of-month month day-of-week) like "15 2 * * *", 6 with seconds first, a macro like @daily, or @every 10m';

/** Parses the `schedule` field; the expected/fix strings feed a validation diagnostic. */
export function parseSchedule(text: string): ScheduleParse {
  const trimmed = text.trim();
  if (trimmed.startsWith('@every')) return parseEvery(trimmed);
  if (trimmed.startsWith('@')) {
    const expression = MACROS[trimmed.toLowerCase()];
    if (expression === undefined) {
      const guess = closest(trimmed, Object.keys(MACROS));
      return {
        ok: false,
        expected: `one of ${Object.keys(MACROS).join(' ')} or @every DURATION`,
        got: JSON.stringify(trimmed),
        fix: trimmed === '@reboot' ? 'run it from a systemd unit instead; tock has no boot-time trigger'
          : guess !== undefined ? `did you mean "${guess}"?` : CRON_FIX,
      };
    }
    return { ok: true, schedule: { kind: 'cron', text: trimmed, expression } };
  }
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    return { ok: false, expected: '5 or 6 cron fields', got: `${String(fields.length)} fields in ${JSON.stringify(trimmed)}`, fix: CRON_FIX };
  }
  const six = fields.length === 6 ? fields : ['0', ...fields];
  const checked: string[] = [];
  const values: ReadonlySet<number>[] = [];
  for (const [i, field] of six.entries()) {
    const spec = CRON_FIELDS[i] as (typeof CRON_FIELDS)[number];
    const check = checkField(field, spec);
    if (!check.ok) {
      const quartz = /[#?]/.test(field) || /(^|[\d,/-])[LWH]($|[\d,/#-])/i.test(field);
      return {
        ok: false,
        expected: `${spec.name === 'hour' ? 'an' : 'a'} ${spec.name} field of numbers, names, *, ranges, steps or lists (${check.problem})`,
        got: `${JSON.stringify(field)} in ${JSON.stringify(trimmed)}`,
        fix: quartz ? `L, W, #, ? and H are Quartz extensions that cron, systemd and Kubernetes do not read; ${CRON_FIX}` : CRON_FIX,
      };
    }
    checked.push(check.text);
    values.push(check.values);
  }
  const impossible = impossibleDate(six, values);
  if (impossible !== undefined) {
    return { ok: false, expected: 'a day of month that exists in the months named', got: `${impossible} in ${JSON.stringify(trimmed)}`, fix: 'this schedule never runs; check the day and month fields' };
  }
  const expression = checked.join(' ');
  return { ok: true, schedule: { kind: 'cron', text: trimmed, expression } };
}

const DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MONTH_NAMES = ['', 'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * "30 February": a day-of-month that no named month has, with day-of-week unrestricted, never
 * runs (cron would accept it and stay silent forever; cron-parser refuses it). With a restricted
 * day-of-week cron ORs the two fields, so the schedule still runs on those weekdays.
 */
function impossibleDate(fields: readonly string[], values: readonly ReadonlySet<number>[]): string | undefined {
  const [, , , , monthValues, ] = values;
  const domValues = values[3];
  if (domValues === undefined || monthValues === undefined || !(fields[5] ?? '*').startsWith('*')) return undefined;
  for (const month of monthValues) for (const day of domValues) if (day <= (DAYS_IN_MONTH[month] ?? 31)) return undefined;
  const days = [...domValues].join(',');
  return `day ${days} of ${[...monthValues].map((m) => MONTH_NAMES[m] ?? String(m)).join(', ')}`;
}

function parseEvery(text: string): ScheduleParse {
  const duration = text.slice('@every'.length).trim();
  const ms = duration === '' ? undefined : parseDuration(duration);
  if (ms === undefined || ms < 1000) {
    return {
      ok: false,
      expected: '@every followed by a duration of at least 1s',
      got: duration === '' ? '"@every" with no duration' : JSON.stringify(text),
      fix: 'write it like "@every 10m" or "@every 1h30m"',
    };
  }
  return { ok: true, schedule: { kind: 'every', text, everyMs: ms } };
}

/** A known zone spelled like `zone`, for a "did you mean". */
export function closestZone(zone: string): string | undefined {
  return closest(zone, Intl.supportedValuesOf('timeZone'));
}

const knownZones = new Map<string, boolean>([['UTC', true]]);

/** True when the IANA zone is known to this Node.js (its ICU data). Cached: ICU is slow to wake. */
export function isKnownZone(zone: string): boolean {
  let known = knownZones.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    knownZones.set(zone, known);
  }
  return known;
}
