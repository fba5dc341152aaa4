/**
 * One cron field parser for every reader of cron in tock. The dialect says whose rules apply:
 * `vixie` reads a field exactly as Debian's cron 3.0pl1 does (get_list/get_range/get_number in
 * entry.c), so audit and import say what cron would do; `jobfile` is that plus a step after a
 * single value (`5/10`: from 5 to the field's end, as cron-parser and Kubernetes read it).
 */
export type Dialect = 'vixie' | 'jobfile';

export interface FieldSpec {
  /** In words, for messages: `day of month`. */
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Three-letter names, index 0 meaning `min`; only month and day of week have them. */
  readonly names?: readonly string[];
  /** What a valid field looks like, for "expected X, got Y". */
  readonly expected: string;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const TAIL = '*, a range, a step or a list';

export const SECOND: FieldSpec = { name: 'second', min: 0, max: 59, expected: `a second field: a number 0-59, ${TAIL}` };
export const MINUTE: FieldSpec = { name: 'minute', min: 0, max: 59, expected: `a minute field: a number 0-59, ${TAIL}` };
export const HOUR: FieldSpec = { name: 'hour', min: 0, max: 23, expected: `an hour field: a number 0-23, ${TAIL}` };
export const DOM: FieldSpec = { name: 'day of month', min: 1, max: 31, expected: `a day-of-month field: a number 1-31, ${TAIL}` };
export const MONTH: FieldSpec = { name: 'month', min: 1, max: 12, names: MONTHS, expected: `a month field: a number 1-12, a name (jan-dec), ${TAIL}` };
// Vixie cron's day of week runs 0-7 with both ends Sunday, so `*` is 0-7 and `*/2` is 0,2,4,6.
export const DOW: FieldSpec = {
  name: 'day of week', min: 0, max: 7, names: DAYS,
  expected: `a day-of-week field: a number 0-7 (0 and 7 are Sunday), a name (sun-sat), ${TAIL}`,
};

/** minute, hour, day of month, month, day of week: a crontab line's five fields. */
export const FIVE_FIELDS = [MINUTE, HOUR, DOM, MONTH, DOW] as const;

/** Where in a field token the reader stops understanding it. */
export interface FieldError {
  /** 0-based offset of the bad item inside the token (crontab turns it into a column). */
  offset: number;
  /** The bad item (the whole token when the item is empty). */
  got: string;
  /** What was expected there, as a crontab problem says it. */
  expected: string;
  /** The same, briefly, for a jobfile's "expected a minute field of ... (problem)". */
  problem: string;
}

/** `text`: the field as the evaluator reads it (`5/10` written out as `5-59/10`). */
export type FieldParse = { ok: true; values: readonly number[]; text: string } | { ok: false; error: FieldError };

// One list item: `*` or a value or a value range, then an optional `/step`.
const ITEM = /^(?:(\*)|([0-9a-z]+)(?:-([0-9a-z]+))?)(?:\/(.*))?$/i;

// A jobfile or a crontab writes the same few fields (`*`, `0`, `1-5`) again and again: each is
// parsed once, and its values are one array shared by every schedule that writes it.
const parsedFields = new Map<string, FieldParse>();
const MAX_PARSED_FIELDS = 10_000;

/** Parses one time field; the values are sorted, once each, with day of week 7 folded to 0. */
export function parseField(token: string, spec: FieldSpec, dialect: Dialect): FieldParse {
  const key = `${dialect} ${spec.name} ${token}`;
  let parsed = parsedFields.get(key);
  if (parsed === undefined) {
    parsed = parseFieldOnce(token, spec, dialect);
    if (parsedFields.size >= MAX_PARSED_FIELDS) parsedFields.clear();
    parsedFields.set(key, parsed);
  }
  return parsed;
}

function parseFieldOnce(token: string, spec: FieldSpec, dialect: Dialect): FieldParse {
  const values = new Set<number>();
  const texts: string[] = [];
  let offset = 0;
  for (const item of token.split(',')) {
    const fail = (expected: string, problem: string): FieldParse => ({ ok: false, error: { offset, got: item === '' ? token : item, expected, problem } });
    const m = ITEM.exec(item);
    if (m === null) return fail(spec.expected, `"${item}" is not a number, name, *, range or step`);
    const [, star, lowText, highText, stepText] = m;
    let low = spec.min;
    let high = spec.max;
    let text = item;
    if (star === undefined) {
      const lo = valueOf(lowText ?? '', spec);
      const hi = highText === undefined ? lo : valueOf(highText, spec);
      if (typeof lo === 'string') return fail(spec.expected, lo);
      if (typeof hi === 'string') return fail(spec.expected, hi);
      low = lo;
      high = hi;
      if (highText === undefined && stepText !== undefined) {
        // The day of week ends at 6 here, as in Kubernetes: `1/2` is Mon, Wed, Fri.
        const top = spec.max === 7 ? 6 : spec.max;
        if (dialect === 'vixie') {
          return fail(`a step only after * or a range, like */5 or 0-30/5 (Vixie cron skips this line; a tock jobfile reads ${item} as ${lowText ?? ''}-${String(top)}/${stepText})`,
            `a step after a single value in ${item}`);
        }
        high = top;
        text = `${lowText ?? ''}-${String(top)}/${stepText}`;
      }
      if (low > high) return fail(`a range from low to high, like ${String(spec.min)}-${String(spec.max)}`, `the range ${item} runs backwards`);
    }
    let step = 1;
    if (stepText !== undefined) {
      step = /^[0-9]+$/.test(stepText) ? Number(stepText) : 0;
      if (step < 1) return fail('a step of 1 or more, like */5', `a step of ${stepText === '' ? 'nothing' : stepText} in ${item}`);
    }
    for (let v = low; v <= high; v += step) values.add(spec.max === 7 && v === 7 ? 0 : v);
    texts.push(text);
    offset += item.length + 1;
  }
  return { ok: true, values: [...values].sort((a, b) => a - b), text: texts.join(',') };
}

/** A number or a name's value, or what is wrong with it. */
function valueOf(word: string, spec: FieldSpec): number | string {
  if (/^[0-9]+$/.test(word)) {
    const n = Number(word);
    return n >= spec.min && n <= spec.max ? n : `${word} is outside ${String(spec.min)}-${String(spec.max)}`;
  }
  // Vixie compares the whole word case-insensitively with the three-letter names: `monday` is not a day.
  const index = spec.names?.indexOf(word.toLowerCase()) ?? -1;
  if (index >= 0) return spec.min + index;
  return spec.names === undefined ? `"${word}" is not a number` : `"${word}" is not a number or a ${spec.name} name (${spec.names.slice(0, 3).join(', ')}...)`;
}
