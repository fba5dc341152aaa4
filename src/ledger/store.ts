import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readdirSync, readFileSync, readSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';

import type { Ledger } from '../engine/ports.js';
import { ensureDir } from '../io/ensure-dir.js';
import { foldRuns } from './fold.js';
import { recentRuns } from './query.js';
import type { LedgerEvent, RunRecord } from './records.js';

/** A line that is not a whole ledger event, with its 1-based line number. */
export interface BadLine {
  file: string;
  line: number;
  text: string;
}

const SEGMENT = /^\d{4}-\d{2}\.jsonl$/;
const DEFINITIONS = '.definitions';
const RUN_FINISHED = Buffer.from('{"v":1,"type":"run-finished"');
const NEXT_RUN_FINISHED = Buffer.from('\n{"v":1,"type":"run-finished"');
const OUTCOME = Buffer.from('"outcome":"');
const SUCCESS = Buffer.from('success"');
const LOGICAL_TIME = Buffer.from('"logical_time":"');
// Reading backwards, a chunk holds a few dozen runs: status needs ten per job.
const CHUNK = 64 * 1024;

/**
 * The ledger: per job, append-only JSON Lines segments by month (`ledger/<job>/2026-11.jsonl`,
 * by the event's time). Each event is one `write(2)` on an O_APPEND descriptor, then fsync, so
 * concurrent tock processes never tear or interleave lines and a reported event survives a crash.
 * Readers take no lock, read the newest segment backwards for recent runs, and skip a torn line.
 * Only segments at least a month old are ever rewritten (by `compact`), never one being appended
 * to. See docs/decisions.md.
 */
export class LedgerStore implements Ledger {
  readonly #fds = new Map<string, number>();

  constructor(readonly dir: string) {}

  append(event: LedgerEvent): void {
    const fd = this.#open(event.job, event.at.slice(0, 7));
    writeSync(fd, `${JSON.stringify(event)}\n`);
    fsyncSync(fd);
  }

  hasSuccess(job: string, logicalTime: string): boolean {
    // Runs for a logical time are written at or after it (the daemon at its time, backfill
    // later, never ahead), so read back only that far, with a minute's slack for appends that
    // land slightly out of order. An every-second job must not read an hour of runs per firing.
    const since = new Date(Date.parse(logicalTime) - 60_000).toISOString();
    return recentRuns(this, job, 1, { since, keep: (r) => r.outcome === 'success' && r.logical_time === logicalTime }).length > 0;
  }

  recordInterrupted(job: string, runId: string, at: string, message: string): RunRecord | undefined {
    const run = foldRuns([...this.eventsBackward(job)].reverse()).find((r) => r.run_id === runId);
    if (run?.in_flight !== true) return undefined;
    const { in_flight: _flight, ...start } = run;
    const last = run.attempts.at(-1);
    const record: RunRecord = {
      ...start,
      outcome: 'interrupted',
      message,
      ended_at: at,
      duration_ms: Math.max(0, Date.parse(at) - Date.parse(run.started_at)),
      exit_code: last?.exit_code ?? null,
      signal: last?.signal ?? null,
    };
    this.append({ v: 1, type: 'run-finished', at, job, run: record });
    return record;
  }

  rememberDefinition(hash: string, definition: object): void {
    const file = path.join(this.dir, DEFINITIONS, `${hash}.json`);
    if (existsSync(file)) return;
    ensureDir(path.dirname(file));
    // The name is the content's hash, so a racing writer writes the same bytes: no lock needed.
    const temp = `${file}.${String(process.pid)}.tmp`;
    writeFileSync(temp, JSON.stringify(definition), { mode: 0o600 });
    renameSync(temp, file);
  }

  /** A definition kept by `rememberDefinition`, if there is one. */
  definition(hash: string): Record<string, unknown> | undefined {
    try {
      return JSON.parse(readFileSync(path.join(this.dir, DEFINITIONS, `${hash}.json`), 'utf8')) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }

  /** Job names that have a ledger (job names never start with a dot; tock's own dirs do). */
  jobs(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort();
  }

  /** A job's segment files, oldest first. */
  segments(job: string): string[] {
    const dir = path.join(this.dir, job);
    if (!existsSync(dir)) return [];
    return readdirSync(dir).filter((f) => SEGMENT.test(f)).sort().map((f) => path.join(dir, f));
  }

  /** Every whole event of a job, oldest first; bad lines are skipped (see `check`). */
  events(job: string): LedgerEvent[] {
    return this.segments(job).flatMap((file) => readSegment(file).events);
  }

  /** A job's events newest first, read from the end in chunks: cheap for the latest few runs. */
  *eventsBackward(job: string): Generator<LedgerEvent> {
    for (const file of this.segments(job).reverse()) {
      for (const line of linesBackward(file)) {
        const event = parseEvent(line);
        if (event !== undefined) yield event;
      }
    }
  }

  /**
   * The logical times (ISO) of the job's successful runs written since `sinceIso`. Scans text,
   * not JSON: a backfill of a year against half a million runs must plan in seconds. A run
   * record's first `"outcome"` is its own (attempts come after it), and its first
   * `"logical_time"` is its own.
   */
  succeededSince(job: string, sinceIso: string): Set<string> {
    const month = sinceIso.slice(0, 7);
    const found = new Set<string>();
    for (const file of this.segments(job)) {
      if (path.basename(file).slice(0, 7) < month) continue;
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch {
        continue;
      }
      // Search the bytes, never decoding the whole file: half a million runs are ~800 MB of text.
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
    return found;
  }

  /** Lines that do not parse as ledger events, in every segment of every job. */
  check(): BadLine[] {
    return this.jobs().flatMap((job) => this.segments(job).flatMap((file) => readSegment(file).bad));
  }

  /** Bytes on disk, all segments of all jobs. */
  size(): number {
    return this.jobs().flatMap((job) => this.segments(job)).reduce((sum, file) => sum + statSync(file).size, 0);
  }

  close(): void {
    for (const fd of this.#fds.values()) closeSync(fd);
    this.#fds.clear();
  }

  #open(job: string, month: string): number {
    const file = path.join(this.dir, job, `${month}.jsonl`);
    const existing = this.#fds.get(file);
    if (existing !== undefined) return existing;
    ensureDir(path.dirname(file));
    const fd = openSync(file, 'a', 0o600);
    // A crash mid-write can leave a torn last line; start ours on a fresh one.
    const size = fstatSync(fd).size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      const reader = openSync(file, 'r');
      readSync(reader, last, 0, 1, size - 1);
      closeSync(reader);
      if (last[0] !== 0x0a) writeSync(fd, '\n');
    }
    this.#fds.set(file, fd);
    return fd;
  }
}

/** A whole segment: its events, and the lines that are not events. */
export function readSegment(file: string): { events: LedgerEvent[]; bad: BadLine[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { events: [], bad: [] };
  }
  const events: LedgerEvent[] = [];
  const bad: BadLine[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const event = parseEvent(line);
    if (event !== undefined) events.push(event);
    else bad.push({ file, line: i + 1, text: line });
  });
  return { events, bad };
}

function parseEvent(line: string): LedgerEvent | undefined {
  if (line.trim() === '') return undefined;
  try {
    const event = JSON.parse(line) as Partial<LedgerEvent> | null;
    return typeof event?.type === 'string' && event.v === 1 ? (event as LedgerEvent) : undefined;
  } catch {
    return undefined;
  }
}

/** A file's lines from the last to the first, reading CHUNK bytes at a time from the end. */
function* linesBackward(file: string): Generator<string> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return;
  }
  try {
    let position = fstatSync(fd).size;
    let carry = Buffer.alloc(0);
    while (position > 0) {
      const length = Math.min(CHUNK, position);
      position -= length;
      const chunk = Buffer.alloc(length + carry.length);
      readSync(fd, chunk, 0, length, position);
      carry.copy(chunk, length);
      // Split on newline bytes, never inside a multi-byte character; the first piece may be
      // the end of a line that started in an earlier chunk.
      let end = chunk.length;
      for (let i = chunk.length - 1; i >= 0; i--) {
        if (chunk[i] !== 0x0a) continue;
        if (i + 1 < end) yield chunk.toString('utf8', i + 1, end);
        end = i;
      }
      carry = chunk.subarray(0, end);
    }
    if (carry.length > 0) yield carry.toString('utf8');
  } finally {
    closeSync(fd);
  }
}
