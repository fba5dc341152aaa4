import { type Dialect, type FieldError, type FieldSpec, FIVE_FIELDS, parseField, SECOND } from './fields.js';

/** A cron expression expanded: what the calendar matcher and every evaluator read. */
export interface CronFields {
  /** Sorted values; `second` is [0] for a 5-field expression. Day of week is 0-6, Sunday 0. */
  readonly second: readonly number[];
  readonly minute: readonly number[];
  readonly hour: readonly number[];
  readonly dom: readonly number[];
  readonly month: readonly number[];
  readonly dow: readonly number[];
  /** The day field does not start with `*`. When both are restricted either may match, else both must. */
  readonly domRestricted: boolean;
  readonly dowRestricted: boolean;
  /** SPEC 3: the hour field is `*` or a step, so the schedule runs by elapsed time across DST. */
  readonly elapsed: boolean;
  /** Vixie's MIN_STAR/HR_STAR: the minute or hour field starts with `*` (cron.c's DST rule keys on it). */
  readonly wildcard: boolean;
}

/**
 * Vixie cron's macros as the fields its entry.c sets (it ANDs @weekly's Sunday with every day
 * of month). @reboot has no instants, so it is not here.
 */
export const MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

export const REBOOT = '@reboot';

export type CronParse =
  | { ok: true; fields: CronFields; /** second..day of week, as the evaluator reads them. */ texts: readonly string[] }
  | { ok: false; /** index into the fields as written */ index: number; spec: FieldSpec; error: FieldError };

// The seconds of a 5-field expression, one array for all of them.
const ONLY_ZERO: readonly number[] = [0];

/**
 * Expands 5 fields (minute first) or, in the jobfile dialect, 6 (seconds first). The caller has
 * checked the count.
 */
export function expandFields(written: readonly string[], dialect: Dialect): CronParse {
  const specs = written.length === 6 && dialect === 'jobfile' ? [SECOND, ...FIVE_FIELDS] : FIVE_FIELDS;
  const values: (readonly number[])[] = [];
  const texts: string[] = [];
  for (const [index, spec] of specs.entries()) {
    const parsed = parseField(written[index] ?? '', spec, dialect);
    if (!parsed.ok) return { ok: false, index, spec, error: parsed.error };
    values.push(parsed.values);
    texts.push(parsed.text);
  }
  if (specs.length === 5) {
    values.unshift(ONLY_ZERO);
    texts.unshift('0');
  }
  const [second = [], minute = [], hour = [], dom = [], month = [], dow = []] = values;
  const [, minuteText = '', hourText = '', domText = '', , dowText = ''] = texts;
  return {
    ok: true,
    texts,
    fields: {
      second, minute, hour, dom, month, dow,
      domRestricted: !domText.startsWith('*'),
      dowRestricted: !dowText.startsWith('*'),
      elapsed: hourText.startsWith('*') || hourText.includes('/'),
      wildcard: minuteText.startsWith('*') || hourText.startsWith('*'),
    },
  };
}

const DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MONTH_NAMES = ['', 'January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * "30 February": a day of month that no named month has, with day of week unrestricted, never
 * runs (cron accepts it and stays silent forever). With both day fields restricted cron ORs
 * them, so the schedule still runs on those weekdays. Says which days, or undefined.
 */
export function impossibleDays(f: CronFields): string | undefined {
  if (f.domRestricted && f.dowRestricted) return undefined;
  for (const month of f.month) for (const day of f.dom) if (day <= (DAYS_IN_MONTH[month] ?? 31)) return undefined;
  return `day ${f.dom.join(',')} of ${f.month.map((m) => MONTH_NAMES[m] ?? String(m)).join(', ')}`;
}
