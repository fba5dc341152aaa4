import { type CronFields, expandFields, MACROS } from '../schedule/cron/expression.js';
import type { CrontabEntry } from './types.js';

/** An entry's schedule expanded as Vixie cron holds it in its bit sets and flags. */
export type FieldValues = CronFields;

// Audit and import expand each entry's schedule several times (its week, its DST check, its line
// checks), and thousands of lines share a few hundred schedules: each is expanded once. Bounded,
// for a process that reads crontabs again and again.
const expanded = new Map<string, FieldValues>();
const EXPANDED_MAX = 10_000;

/**
 * The value sets of an entry's five fields (cron's own dialect); undefined for `@reboot`, which
 * has no instants. Shared between entries with the same schedule: read them, never change them.
 */
export function fieldValues(entry: Pick<CrontabEntry, 'fields' | 'macro'>): FieldValues | undefined {
  if (entry.macro === '@reboot') return undefined;
  const fields = entry.macro === undefined ? entry.fields : MACROS[entry.macro]?.split(' ');
  if (fields === undefined) throw new Error('internal: a crontab entry with neither fields nor a macro');
  const key = fields.join(' ');
  const known = expanded.get(key);
  if (known !== undefined) return known;
  const parsed = expandFields(fields, 'vixie');
  if (!parsed.ok) throw new Error(`internal: crontab field "${fields[parsed.index] ?? ''}" was not validated: ${parsed.error.expected}`);
  if (expanded.size >= EXPANDED_MAX) expanded.clear();
  expanded.set(key, parsed.fields);
  return parsed.fields;
}
