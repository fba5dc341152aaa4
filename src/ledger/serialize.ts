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

/**
 * Adds to `found` the logical time of every successful run finished in `bytes` (a segment's
 * whole text). Searches bytes, never decoding the file: a year of an every-minute job is half a
 * million runs, ~800 MB of text, and backfill must plan against it in seconds.
 */
export function scanSuccesses(bytes: Buffer, found: Set<string>): void {
  const nextLine = (from: number): number => {
    const hit = bytes.indexOf(NEXT_RUN_FINISHED, from);
    return hit === -1 ? -1 : hit + 1;
  };
  let line = bytes.subarray(0, RUN_FINISHED.length).equals(RUN_FINISHED) ? 0 : nextLine(0);
  while (line !== -1) {
    const newline = bytes.indexOf(0x0a, line);
    const end = newline === -1 ? bytes.length : newline;
    const outcome = bytes.indexOf(OUTCOME, line);
    const success = outcome !== -1 && outcome < end && bytes.subarray(outcome + OUTCOME.length, outcome + OUTCOME.length + SUCCESS.length).equals(SUCCESS);
    const at = success ? bytes.indexOf(LOGICAL_TIME, line) : -1;
    if (at !== -1 && at < end) {
      const from = at + LOGICAL_TIME.length;
      found.add(bytes.toString('latin1', from, bytes.indexOf(0x22, from)));
    }
    line = nextLine(end);
  }
}
