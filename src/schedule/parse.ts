import { parseDuration } from '../util/duration.js';
import { closest } from '../util/suggest.js';
import { type CronFields, expandFields, impossibleDays, MACROS, REBOOT } from './cron/expression.js';

export { isKnownZone } from './cron/zone.js';

/**
 * A job's schedule after parsing: a cron expression or a fixed interval. `expression` is the
 * expression as the evaluator reads it, always 6 fields (seconds first, `5/10` written out as
 * `5-59/10`); `fields` are its values.
 */
export type Schedule =
  | { kind: 'cron'; text: string; expression: string; fields: CronFields }
  | { kind: 'every'; text: string; everyMs: number };

/** A refusal says what was expected, what was got (the whole text when not a part of it) and the fix. */
export type ScheduleParse = { ok: true; schedule: Schedule } | { ok: false; expected: string; got: string; fix: string };

const CRON_FIX = 'write 5 fields (minute hour day-of-month month day-of-week) like "15 2 * * *", 6 with seconds first, a macro like @daily, or @every 10m';

/** Parses the `schedule` field (the jobfile dialect); the expected/fix strings feed a validation diagnostic. */
export function parseSchedule(text: string): ScheduleParse {
  const trimmed = text.trim();
  if (trimmed.startsWith('@every')) return parseEvery(trimmed);
  let written: string[];
  if (trimmed.startsWith('@')) {
    const macro = MACROS[trimmed.toLowerCase()];
    if (macro === undefined) {
      const guess = closest(trimmed, Object.keys(MACROS));
      return {
        ok: false,
        expected: `one of ${Object.keys(MACROS).join(' ')} or @every DURATION`,
        got: JSON.stringify(trimmed),
        // @reboot is a crontab idea with no place in a jobfile (the daemon has no boot).
        fix: trimmed.toLowerCase() === REBOOT ? 'run it from a systemd unit instead; tock has no boot-time trigger'
          : guess !== undefined ? `did you mean "${guess}"?` : CRON_FIX,
      };
    }
    written = macro.split(' ');
  } else {
    written = trimmed.split(/\s+/);
    if (written.length !== 5 && written.length !== 6) {
      return { ok: false, expected: '5 or 6 cron fields', got: `${String(written.length)} fields in ${JSON.stringify(trimmed)}`, fix: CRON_FIX };
    }
  }
  const parsed = expandFields(written, 'jobfile');
  if (!parsed.ok) {
    const field = written[parsed.index] ?? '';
    const quartz = /[#?]/.test(field) || /(^|[\d,/-])[LWH]($|[\d,/#-])/i.test(field);
    const { name } = parsed.spec;
    return {
      ok: false,
      expected: `${name === 'hour' ? 'an' : 'a'} ${name} field of numbers, names, *, ranges, steps or lists (${parsed.error.problem})`,
      got: `${JSON.stringify(field)} in ${JSON.stringify(trimmed)}`,
      fix: quartz ? `L, W, #, ? and H are Quartz extensions that cron, systemd and Kubernetes do not read; ${CRON_FIX}` : CRON_FIX,
    };
  }
  const impossible = impossibleDays(parsed.fields);
  if (impossible !== undefined) {
    return { ok: false, expected: 'a day of month that exists in the months named', got: `${impossible} in ${JSON.stringify(trimmed)}`, fix: 'this schedule never runs; check the day and month fields' };
  }
  return { ok: true, schedule: { kind: 'cron', text: trimmed, expression: parsed.texts.join(' '), fields: parsed.fields } };
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
