import { UserError } from '../util/user-error.js';

/**
 * An ISO 8601 date or date-time from the command line, in `zone` unless it carries an offset.
 * A bare date is midnight in that zone.
 * Loads luxon on first use.
 */
export async function parseTime(text: string, zone: string, flag: string): Promise<number> {
  if (text === 'now') return Date.now();
  // Loaded only when a time is given: luxon's start-up is not free.
  const { DateTime } = await import('luxon');
  const parsed = DateTime.fromISO(text.replace(' ', 'T'), { zone });
  if (!parsed.isValid) {
    throw new UserError('bad-time', `${flag}: expected an ISO 8601 date or time like 2026-11-20 or 2026-11-20T02:15, got "${text}"`,
      `times without an offset are in ${zone}; add Z or +01:00 to say otherwise`);
  }
  return parsed.toMillis();
}
