import type { Attempt, HookResult, LedgerEvent, RunRecord } from './records.js';

/**
 * The one place a ledger line is written and read. Every line is written with its keys in a
 * fixed order, whatever order the object was built in: `v`, `type`, `at`, `job`, then the
 * event's own fields; a run record in SPEC 6's order; keys this table does not know are kept,
 * after the known ones. The byte scan below depends on that order, and only on it.
 */

interface Shape {
  keys: readonly string[];
  /** The shape of an object (or of each element of an array) under these keys. */
  nested?: Readonly<Record<string, Shape>>;
}

/** `keys`, checked to name every key of `T`: a field added to a record does not compile until it has its place. */
function everyKey<T>() {
  return <const K extends readonly (keyof T & string)[]>(keys: K & (Exclude<keyof T, K[number]> extends never ? unknown : { missing: Exclude<keyof T, K[number]> })): K => keys;
}

const ATTEMPT: Shape = { keys: everyKey<Attempt>()(['n', 'started_at', 'ended_at', 'exit_code', 'signal', 'outcome', 'error', 'escaped']) };
const HOOK: Shape = { keys: everyKey<HookResult>()(['hook', 'kind', 'ok', 'detail']) };
const RUN: Shape = {
  keys: everyKey<RunRecord>()([
    'run_id', 'job', 'logical_time', 'trigger', 'outcome', 'reason', 'message', 'started_at', 'ended_at', 'duration_ms',
    'exit_code', 'signal', 'attempts', 'log', 'host', 'pid', 'pid_start', 'job_hash', 'jobfile_hash', 'hooks',
  ]),
  nested: { attempts: ATTEMPT, hooks: HOOK },
};
const EVENT: Shape = {
  keys: ['v', 'type', 'at', 'job', 'run_id', 'run', 'n', 'of', 'pid', 'pid_start', 'cgroup', 'attempt', 'result', 'sla_ms'],
  nested: { run: RUN, attempt: ATTEMPT, result: HOOK },
};

/** One ledger line, without its newline. */
export function serializeEvent(event: LedgerEvent): string {
  return JSON.stringify(ordered(event, EVENT));
}

/** A line back into an event, or undefined when it is not a whole version-1 event (a torn write, an edit). */
export function parseEvent(line: string): LedgerEvent | undefined {
  if (line.trim() === '') return undefined;
  try {
    const event = JSON.parse(line) as Partial<LedgerEvent> | null;
    return typeof event?.type === 'string' && event.v === 1 ? (event as LedgerEvent) : undefined;
  } catch {
    return undefined;
  }
}

function ordered(value: unknown, shape: Shape): unknown {
  if (Array.isArray(value)) return value.map((item: unknown) => ordered(item, shape));
  if (typeof value !== 'object' || value === null) return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of [...shape.keys.filter((k) => k in source), ...Object.keys(source).filter((k) => !shape.keys.includes(k))]) {
    const inner = shape.nested?.[key];
    out[key] = inner === undefined ? source[key] : ordered(source[key], inner);
  }
  return out;
}

// What the scan looks for. A run-finished line starts with its header (v, type) and its run
// record comes after `at` and `job`, whose values hold no `"`; in the record, `logical_time` and
// `outcome` come before every nested object (attempts, hooks), so the first of each on the line
// is the run's own. A `"` inside a string value is escaped, so no value can fake a key.
const RUN_FINISHED = Buffer.from(serializeEvent({ v: 1, type: 'run-finished' } as LedgerEvent).slice(0, -1));
const NEXT_RUN_FINISHED = Buffer.concat([Buffer.from('\n'), RUN_FINISHED]);
const OUTCOME = Buffer.from('"outcome":"');
const SUCCESS = Buffer.from('success"');
const LOGICAL_TIME = Buffer.from('"logical_time":"');
const QUOTE = 0x22;
const NEWLINE = 0x0a;

/**
 * Adds to `found` the logical time (ms) of every successful run finished in `bytes` (whole
 * lines). Searches bytes, never decoding the file or making a string per run: a year of an
 * every-minute job is half a million runs, ~800 MB of text, and backfill must plan against it
 * in well under two seconds.
 */
export function scanSuccesses(bytes: Buffer, found: number[]): void {
  let line = bytes.subarray(0, RUN_FINISHED.length).equals(RUN_FINISHED) ? 0 : nextRunFinished(bytes, 0);
  while (line !== -1) {
    const end = bytes.indexOf(NEWLINE, line);
    const stop = end === -1 ? bytes.length : end;
    const at = bytes.indexOf(LOGICAL_TIME, line + RUN_FINISHED.length);
    const from = at + LOGICAL_TIME.length;
    const outcome = at === -1 || at > stop ? -1 : bytes.indexOf(OUTCOME, from);
    if (outcome !== -1 && outcome < stop && startsWith(bytes, outcome + OUTCOME.length, SUCCESS)) {
      const ms = isoMs(bytes, from);
      if (!Number.isNaN(ms)) found.push(ms);
    }
    line = end === -1 ? -1 : nextRunFinished(bytes, end);
  }
}

function nextRunFinished(bytes: Buffer, from: number): number {
  const hit = bytes.indexOf(NEXT_RUN_FINISHED, from);
  return hit === -1 ? -1 : hit + 1;
}

function startsWith(bytes: Buffer, at: number, what: Buffer): boolean {
  if (at + what.length > bytes.length) return false;
  for (let i = 0; i < what.length; i++) if (bytes[at + i] !== what[i]) return false;
  return true;
}

/**
 * The ms of the ISO time starting at `at` (after its opening quote). The ledger's own shape,
 * `YYYY-MM-DDTHH:MM:SS.sssZ`, is read digit by digit; anything else goes through Date.parse.
 */
function isoMs(bytes: Buffer, at: number): number {
  if (bytes[at + 24] === QUOTE && bytes[at + 4] === 0x2d && bytes[at + 7] === 0x2d && bytes[at + 10] === 0x54 && bytes[at + 13] === 0x3a
    && bytes[at + 16] === 0x3a && bytes[at + 19] === 0x2e && bytes[at + 23] === 0x5a) {
    const n = (from: number, digits: number): number => {
      let v = 0;
      for (let i = from; i < from + digits; i++) {
        const d = (bytes[i] ?? 0) - 0x30;
        if (d < 0 || d > 9) return NaN;
        v = v * 10 + d;
      }
      return v;
    };
    const year = n(at, 4);
    const month = n(at + 5, 2);
    const day = n(at + 8, 2);
    const hour = n(at + 11, 2);
    const minute = n(at + 14, 2);
    const second = n(at + 17, 2);
    // The ranges Date.parse accepts (it rolls a 31st of February over, as Date.UTC does; Date.UTC
    // reads years 0-99 as 19xx); past them, Date.parse decides.
    if (year >= 100 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour < 24 && minute < 60 && second < 60) {
      const ms = Date.UTC(year, month - 1, day, hour, minute, second, n(at + 20, 3));
      if (!Number.isNaN(ms)) return ms;
    }
  }
  const close = bytes.indexOf(QUOTE, at);
  return Date.parse(bytes.toString('latin1', at, close === -1 ? bytes.length : close));
}
