/** One field of a cron expression: its bounds and the names it accepts. */
interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** second, minute, hour, day of month, month, day of week (7 is Sunday too). */
export const CRON_FIELDS: readonly FieldSpec[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day of week', min: 0, max: 7, names: DAYS },
];

export type FieldCheck = { ok: true; values: ReadonlySet<number>; text: string } | { ok: false; problem: string };

const ITEM = /^(\*|(\w+)(?:-(\w+))?)(?:\/(\d+))?$/;

/**
 * Checks one cron field the way Vixie cron reads it (numbers, names, `*`, ranges, steps, lists)
 * and returns the values it stands for. `text` is the field to evaluate: as written, or the
 * values listed once each when the list overlaps itself (`0,7`, `1-5,3`), which cron accepts
 * and cron-parser does not.
 */
export function checkField(field: string, spec: FieldSpec): FieldCheck {
  const values = new Set<number>();
  let overlaps = false;
  for (const item of field.split(',')) {
    const match = ITEM.exec(item);
    if (match === null) return { ok: false, problem: `"${item}" is not a number, name, *, range or step` };
    const [, star, from, to, step] = match;
    // `*` in day of week is 0-6: 7 is only another name for Sunday.
    const top = spec.max === 7 ? 6 : spec.max;
    const first = star === '*' ? spec.min : valueOf(from ?? '', spec);
    const last = star === '*' ? top : to !== undefined ? valueOf(to, spec) : step !== undefined ? top : first;
    for (const v of [first, last]) {
      if (typeof v === 'string') return { ok: false, problem: v };
    }
    if ((first as number) > (last as number)) return { ok: false, problem: `the range ${item} runs backwards` };
    const by = step === undefined ? 1 : Number(step);
    if (by < 1) return { ok: false, problem: `a step of 0 in ${item}` };
    for (let v = first as number; v <= (last as number); v += by) {
      // 7 is Sunday, as 0 is: `0,7` or `0-7` names a day twice, which cron-parser refuses.
      const value = spec.max === 7 ? v % 7 : v;
      if (values.has(value)) overlaps = true;
      values.add(value);
    }
  }
  const text = overlaps ? [...values].sort((a, b) => a - b).join(',') : field;
  return { ok: true, values, text };
}

function valueOf(word: string, spec: FieldSpec): number | string {
  const named = spec.names?.indexOf(word.toLowerCase()) ?? -1;
  if (named !== -1) return named + (spec.names === MONTHS ? 1 : 0);
  if (!/^\d+$/.test(word)) {
    return spec.names === undefined ? `"${word}" is not a number` : `"${word}" is not a number or a ${spec.name} name (${spec.names.slice(0, 3).join(', ')}...)`;
  }
  const n = Number(word);
  return n < spec.min || n > spec.max ? `${word} is outside ${String(spec.min)}-${String(spec.max)}` : n;
}
