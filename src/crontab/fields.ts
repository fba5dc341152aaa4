import { type CronFields, expandFields, MACROS } from '../schedule/cron/expression.js';
import type { CrontabEntry } from './types.js';

/** An entry's schedule expanded as Vixie cron holds it in its bit sets and flags. */
export type FieldValues = CronFields;

/** The value sets of an entry's five fields (cron's own dialect); undefined for `@reboot`, which has no instants. */
export function fieldValues(entry: Pick<CrontabEntry, 'fields' | 'macro'>): FieldValues | undefined {
  if (entry.macro === '@reboot') return undefined;
  const fields = entry.macro === undefined ? entry.fields : MACROS[entry.macro]?.split(' ');
  if (fields === undefined) throw new Error('internal: a crontab entry with neither fields nor a macro');
  const parsed = expandFields(fields, 'vixie');
  if (!parsed.ok) throw new Error(`internal: crontab field "${fields[parsed.index] ?? ''}" was not validated: ${parsed.error.expected}`);
  return parsed.fields;
}
