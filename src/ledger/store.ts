import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readdirSync, readFileSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';

import type { Ledger } from '../engine/ports.js';
import { ensureDir } from '../io/ensure-dir.js';
import { foldRuns } from './fold.js';
import type { LedgerEvent, RunRecord } from './records.js';

/** A line that is not a whole ledger event, with its 1-based line number. */
export interface BadLine {
  file: string;
  line: number;
  text: string;
}

/**
 * The ledger: one append-only JSON Lines file per job (`ledger/<job>.jsonl`). Each event is one
 * `write(2)` on an O_APPEND descriptor, then fsync, so concurrent tock processes never tear or
 * interleave lines (measured up to 1 MiB per write on ext4) and a reported event survives a
 * crash. Readers take no lock and skip a torn last line. See docs/decisions.md.
 */
export class LedgerStore implements Ledger {
  readonly #fds = new Map<string, number>();

  constructor(readonly dir: string) {}

  append(event: LedgerEvent): void {
    const fd = this.#open(event.job);
    writeSync(fd, `${JSON.stringify(event)}\n`);
    fsyncSync(fd);
  }

  hasSuccess(job: string, logicalTime: string): boolean {
    return this.events(job).some((e) => e.type === 'run-finished' && e.run.outcome === 'success' && e.run.logical_time === logicalTime);
  }

  recordInterrupted(job: string, runId: string, at: string, message: string): RunRecord | undefined {
    const run = foldRuns(this.events(job)).find((r) => r.run_id === runId);
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

  /** Job names that have a ledger file. */
  jobs(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir).filter((f) => f.endsWith('.jsonl')).map((f) => f.slice(0, -'.jsonl'.length)).sort();
  }

  /** Every whole event of a job, oldest first; bad lines are skipped (see `check`). */
  events(job: string): LedgerEvent[] {
    return this.#read(job).events;
  }

  /** Lines that do not parse as ledger events, in every job's file. */
  check(): BadLine[] {
    return this.jobs().flatMap((job) => this.#read(job).bad);
  }

  close(): void {
    for (const fd of this.#fds.values()) closeSync(fd);
    this.#fds.clear();
  }

  #file(job: string): string {
    return path.join(this.dir, `${job}.jsonl`);
  }

  #open(job: string): number {
    const existing = this.#fds.get(job);
    if (existing !== undefined) return existing;
    ensureDir(this.dir);
    const fd = openSync(this.#file(job), 'a', 0o600);
    // A crash mid-write can leave a torn last line; start ours on a fresh one.
    const size = fstatSync(fd).size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      const reader = openSync(this.#file(job), 'r');
      readSync(reader, last, 0, 1, size - 1);
      closeSync(reader);
      if (last[0] !== 0x0a) writeSync(fd, '\n');
    }
    this.#fds.set(job, fd);
    return fd;
  }

  #read(job: string): { events: LedgerEvent[]; bad: BadLine[] } {
    const file = this.#file(job);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return { events: [], bad: [] };
    }
    const events: LedgerEvent[] = [];
    const bad: BadLine[] = [];
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        const event = JSON.parse(line) as Partial<LedgerEvent> | null;
        if (typeof event?.type === 'string' && event.v === 1) events.push(event as LedgerEvent);
        else bad.push({ file, line: i + 1, text: line });
      } catch {
        bad.push({ file, line: i + 1, text: line });
      }
    });
    return { events, bad };
  }
}
