import type { DateTime as LuxonDateTime } from 'luxon';

import { parseDuration } from '../util/duration.js';
import { UserError } from '../util/user-error.js';

const EXAMPLE = 'expected an ISO 8601 date or time like 2026-11-20 or 2026-11-20T02:15, or a duration back from now like 2d or 12h';
// An offset at the end of a time: Z, +HH, +HHMM or +HH:MM. Real ones run from -12:00 to +14:00.
const OFFSET = /[T\d](?:[+-])(\d{2}):?(\d{2})?$/;
const MAX_OFFSET_MINUTES = 14 * 60;

/**
 * An ISO 8601 date or date-time from the command line, in `zone` unless it carries an offset,
 * or a duration back from now (`2d`, `12h`, `1h30m`). A bare date is midnight in that zone.
 * Loads luxon on first use (not for `now` or a duration).
 */
export async function parseTime(text: string, zone: string, flag: string): Promise<number> {
  if (text === 'now') return Date.now();
  const ago = durationAgo(text);
  if (ago !== undefined) return ago;
  // Loaded only when a time is given: luxon's start-up is not free.
  const { DateTime } = await import('luxon');
  return parseIsoTime(DateTime, text, zone, flag, `times without an offset are in ${zone}; add Z or +01:00 to say otherwise`);
}

/**
 * The one reading of a time flag (`--at`, `--from`, `--to`), for callers that hold luxon already.
 * `edge` makes a bare date the start or the end of that day (backfill's whole days). Offsets
 * beyond ±14:00, or with minutes over 59, are refused: luxon accepts +99:00.
 */
export function parseIsoTime(DateTime: typeof LuxonDateTime, text: string, zone: string, flag: string, hint: string, edge: 'start' | 'end' = 'start'): number {
  const ago = durationAgo(text);
  if (ago !== undefined) return ago;
  const iso = text.replace(' ', 'T');
  const parsed = DateTime.fromISO(iso, { zone });
  if (!parsed.isValid) throw new UserError('bad-time', `${flag}: ${EXAMPLE}, got "${text}"`, hint);
  const offset = OFFSET.exec(iso);
  if (offset !== null && iso.includes('T')) {
    const hours = Number(offset[1]);
    const minutes = Number(offset[2] ?? '0');
    if (minutes > 59 || hours * 60 + minutes > MAX_OFFSET_MINUTES) {
      throw new UserError('bad-time', `${flag}: expected a UTC offset from -14:00 to +14:00, got "${iso.slice(offset.index + 1)}" in "${text}"`,
        'write the offset as +HH:MM with HH at most 14 and MM at most 59 (e.g. +05:30), or Z for UTC');
    }
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return (edge === 'start' ? parsed.startOf('day') : parsed.endOf('day')).toMillis();
  return parsed.toMillis();
}

/**
 * `2d`, `12h`, `90m`: that long before now, by the jobfile's duration rule. A plain number is
 * not one here (`2026` reads as a year), so a duration needs its unit.
 */
function durationAgo(text: string, now = Date.now()): number | undefined {
  if (!/^\d[\dhms.d]*[dhms]$/.test(text)) return undefined;
  const ms = parseDuration(text);
  return ms === undefined ? undefined : now - ms;
}
