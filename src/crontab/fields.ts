import type { CronMacro, CrontabEntry } from './types.js';

/** The five time fields of a crontab line, in order. */
export type FieldName = 'minute' | 'hour' | 'dom' | 'month' | 'dow';

export interface FieldSpec {
  readonly name: FieldName;
  readonly min: number;
  readonly max: number;
  /** Three-letter names, index 0 meaning `min`; only month and day of week have them. */
  readonly names?: readonly string[];
  /** What a valid field looks like, for "expected X, got Y". */
  readonly expected: string;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export const FIELD_SPECS: readonly [FieldSpec, FieldSpec, FieldSpec, FieldSpec, FieldSpec] = [
  { name: 'minute', min: 0, max: 59, expected: 'a minute field: a number 0-59, *, a range, a step or a list' },
  { name: 'hour', min: 0, max: 23, expected: 'an hour field: a number 0-23, *, a range, a step or a list' },
  { name: 'dom', min: 1, max: 31, expected: 'a day-of-month field: a number 1-31, *, a range, a step or a list' },
  {
    name: 'month', min: 1, max: 12, names: MONTHS,
    expected: 'a month field: a number 1-12, a name (jan-dec), *, a range, a step or a list',
  },
  {
    // Vixie cron's day of week runs 0-7 with both ends Sunday, so `*` is 0-7 and `*/2` is 0,2,4,6.
    name: 'dow', min: 0, max: 7, names: DAYS,
    expected: 'a day-of-week field: a number 0-7 (0 and 7 are Sunday), a name (sun-sat), *, a range, a step or a list',
  },
];

/** Where in a field token cron stops understanding it (0-based offset into the token). */
export interface FieldError {
  offset: number;
  got: string;
  expected: string;
}

export type FieldParse = { ok: true; values: number[] } | { ok: false; error: FieldError };

// One list item: `*` or a value or a value range, then an optional `/step`.
const ITEM = /^(?:(\*)|([0-9a-z]+)(?:-([0-9a-z]+))?)(?:\/(.*))?$/i;

/** Parse one time field the way Vixie cron's get_list/get_range/get_number do. */
export function parseField(token: string, spec: FieldSpec): FieldParse {
  const values = new Set<number>();
  let offset = 0;
  for (const item of token.split(',')) {
    const fail = (expected: string): FieldParse => ({
      ok: false,
      error: { offset, got: item === '' ? token : item, expected },
    });
    const m = ITEM.exec(item);
    if (m === null) return fail(spec.expected);
    const [, star, lowText, highText, stepText] = m;
    let low = spec.min;
    let high = spec.max;
    if (star === undefined) {
      const lo = valueOf(lowText ?? '', spec);
      const hi = highText === undefined ? lo : valueOf(highText, spec);
      if (lo === undefined || hi === undefined) return fail(spec.expected);
      // Vixie only takes a step after `*` or a range: `5/10` stops at the `/`.
      if (highText === undefined && stepText !== undefined) {
        return fail('a step only after * or a range, like */5 or 0-30/5');
      }
      if (lo > hi) return fail(`a range from low to high, like ${spec.min}-${spec.max}`);
      low = lo;
      high = hi;
    }
    let step = 1;
    if (stepText !== undefined) {
      step = /^[0-9]+$/.test(stepText) ? Number(stepText) : 0;
      if (step < 1) return fail('a step of 1 or more, like */5');
    }
    for (let v = low; v <= high; v += step) values.add(spec.name === 'dow' && v === 7 ? 0 : v);
    offset += item.length + 1;
  }
  return { ok: true, values: [...values].sort((a, b) => a - b) };
}

function valueOf(text: string, spec: FieldSpec): number | undefined {
  if (/^[0-9]+$/.test(text)) {
    const n = Number(text);
    return n >= spec.min && n <= spec.max ? n : undefined;
  }
  // Vixie compares the whole word case-insensitively with the three-letter names: `monday` is not a day.
  const index = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  return index < 0 ? undefined : spec.min + index;
}

/** The expanded schedule of an entry, as Vixie cron holds it in its bit sets and flags. */
export interface FieldValues {
  minute: readonly number[];
  hour: readonly number[];
  dom: readonly number[];
  month: readonly number[];
  /** 0-6, Sunday 0 (a written 7 is folded to 0). */
  dow: readonly number[];
  /** The field does not start with `*`. When both day fields are restricted cron ORs them, else ANDs. */
  domRestricted: boolean;
  dowRestricted: boolean;
  /**
   * Vixie's MIN_STAR/HR_STAR: the minute or hour field starts with `*`, or `@hourly`. Cron's DST
   * handling runs these on the new wall time and leaves only the others ("fixed-time") to catch up.
   */
  wildcard: boolean;
}

// The fields Vixie's entry.c sets for each macro (it ANDs @weekly's Sunday with every day of month).
const MACRO_FIELDS: Record<Exclude<CronMacro, '@reboot'>, readonly [string, string, string, string, string]> = {
  '@yearly': ['0', '0', '1', '1', '*'],
  '@annually': ['0', '0', '1', '1', '*'],
  '@monthly': ['0', '0', '1', '*', '*'],
  '@weekly': ['0', '0', '*', '*', '0'],
  '@daily': ['0', '0', '*', '*', '*'],
  '@midnight': ['0', '0', '*', '*', '*'],
  '@hourly': ['0', '*', '*', '*', '*'],
};

/** The value sets of an entry's five fields; undefined for `@reboot`, which has no instants. */
export function fieldValues(entry: Pick<CrontabEntry, 'fields' | 'macro'>): FieldValues | undefined {
  if (entry.macro === '@reboot') return undefined;
  const fields = entry.macro === undefined ? entry.fields : MACRO_FIELDS[entry.macro];
  if (fields === undefined) throw new Error('internal: a crontab entry with neither fields nor a macro');
  const sets = fields.map((text, i) => {
    const spec = FIELD_SPECS[i];
    if (spec === undefined) throw new Error('internal: more than five crontab fields');
    const parsed = parseField(text, spec);
    if (!parsed.ok) throw new Error(`internal: crontab field "${text}" was not validated: ${parsed.error.expected}`);
    return parsed.values;
  });
  const [minute = [], hour = [], dom = [], month = [], dow = []] = sets;
  return {
    minute, hour, dom, month, dow,
    domRestricted: !fields[2].startsWith('*'),
    dowRestricted: !fields[4].startsWith('*'),
    wildcard: entry.macro === '@hourly' || fields[0].startsWith('*') || fields[1].startsWith('*'),
  };
}
