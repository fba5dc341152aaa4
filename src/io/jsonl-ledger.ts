import { closeSync, existsSync, fstatSync, fsync, fsyncSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';

import { LedgerBook } from '../ledger/book.js';
import type { Segment, SegmentChunk, SegmentFollower, SegmentStore } from '../ledger/ports.js';
import type { LedgerEvent } from '../ledger/records.js';
import { parseEvent, scanSuccesses, serializeEvent } from '../ledger/serialize.js';
import { TimeSet } from '../ledger/time-set.js';
import { writeFileAtomic } from './atomic-write.js';
import { ensureDir } from './ensure-dir.js';
import { linesBackward } from './lines-backward.js';
import { lineChunks, linesForward, splitLines } from './lines-forward.js';
import { openAppend } from './safe-fs.js';

/** A line that is not a whole ledger event, with its 1-based line number. */
export interface BadLine {
  file: string;
  line: number;
  text: string;
}

const SEGMENT = /^(\d{4}-\d{2})\.jsonl$/;
const DEFINITIONS = '.definitions';
// A rewrite goes to disk in pieces of about this many bytes.
const WRITE_BATCH = 1024 * 1024;
// Enough of a bad line to recognise it; a torn line can be as long as a whole event.
const BAD_TEXT = 200;

/**
 * The ledger on disk: per job, append-only JSON Lines segments by month
 * (`ledger/<job>/2026-11.jsonl`, by the event's time), every line written by `serializeEvent`.
 * Each event is one `write(2)` on an O_APPEND descriptor, then fsync, so concurrent tock
 * processes never tear or interleave lines and a reported event survives a crash. Readers take
 * no lock, read the newest segment backwards for recent runs, and skip a torn line. Every read
 * streams in chunks, forwards (`lines-forward.ts`) or backwards: no segment is ever held whole,
 * so a segment past Node's ~512 MB string limit reads like any other. Only
 * segments at least a month old are ever rewritten (by `compact`), never one being appended to.
 * See docs/decisions.md.
 */
export class JsonlLedger extends LedgerBook implements SegmentStore, SegmentFollower {
  readonly #fds = new Map<string, number>();

  constructor(readonly dir: string) {
    super();
  }

  append(event: LedgerEvent): void {
    this.#write(event.job, event.at.slice(0, 7), `${serializeEvent(event)}\n`);
  }

  /** Consecutive events of one segment go in one write(2) and one fsync (no other writer's line between them). */
  appendAll(events: readonly LedgerEvent[]): void {
    let batch: LedgerEvent[] = [];
    const flush = (): void => {
      const [head] = batch;
      if (head !== undefined) this.#write(head.job, head.at.slice(0, 7), batch.map((e) => `${serializeEvent(e)}\n`).join(''));
      batch = [];
    };
    for (const event of events) {
      const head = batch[0];
      if (head !== undefined && (head.job !== event.job || head.at.slice(0, 7) !== event.at.slice(0, 7))) flush();
      batch.push(event);
    }
    flush();
  }

  appendSoon(event: LedgerEvent): Promise<void> {
    const fd = this.#write(event.job, event.at.slice(0, 7), `${serializeEvent(event)}\n`, false);
    return new Promise((resolve, reject) => {
      fsync(fd, (error) => {
        if (error === null) resolve();
        else reject(error);
      });
    });
  }

  #write(job: string, month: string, lines: string, sync = true): number {
    const file = path.join(this.dir, job, `${month}.jsonl`);
    const fd = this.#open(job, month);
    const line = Buffer.from(lines);
    try {
      // A short write means the disk filled mid-line; a second write could land after another
      // process's line, so the line is given up as torn (readers skip it; a whole line before it stays).
      if (writeSync(fd, line) < line.length) throw Object.assign(new Error(`ENOSPC: no space left on device, write ${file}`), { code: 'ENOSPC', path: file });
      if (sync) fsyncSync(fd);
      return fd;
    } catch (error) {
      // Reopened on the next append, which then starts on a fresh line after the torn one.
      this.#fds.delete(file);
      closeSync(fd);
      throw error;
    }
  }

  rememberDefinition(hash: string, definition: object): void {
    const file = path.join(this.dir, DEFINITIONS, `${hash}.json`);
    if (existsSync(file)) return;
    ensureDir(path.dirname(file));
    // The name is the content's hash, so a racing writer writes the same bytes: no lock needed.
    writeFileAtomic(file, JSON.stringify(definition), 0o600);
  }

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
  segments(job: string): Segment[] {
    const dir = path.join(this.dir, job);
    if (!existsSync(dir)) return [];
    return readdirSync(dir).flatMap((f) => {
      const month = SEGMENT.exec(f)?.[1];
      return month === undefined ? [] : [{ month, id: path.join(dir, f) }];
    }).sort((a, b) => a.month.localeCompare(b.month));
  }

  /** Every whole event of a job, oldest first; bad lines are skipped (see `check`). */
  *allEvents(job: string): Generator<LedgerEvent> {
    for (const segment of this.segments(job)) yield* this.segmentEvents(segment);
  }

  /** A job's events newest first, read from the end in chunks: cheap for the latest few runs. */
  *eventsBackward(job: string): Generator<LedgerEvent> {
    for (const segment of this.segments(job).reverse()) {
      for (const line of linesBackward(segment.id)) {
        const event = parseEvent(line);
        if (event !== undefined) yield event;
      }
    }
  }

  /**
   * The logical times (ms) of the job's successful runs in the segments of `sinceIso`'s month
   * and later: a byte scan of each file (see `scanSuccesses`), as backfill plans against a year.
   */
  succeededSince(job: string, sinceIso: string): TimeSet {
    const month = sinceIso.slice(0, 7);
    const found: number[] = [];
    for (const segment of this.segments(job)) {
      if (segment.month < month) continue;
      // A segment gone (compacted away) since it was listed yields nothing.
      for (const chunk of lineChunks(segment.id, { transient: true })) scanSuccesses(chunk.bytes, found);
    }
    return new TimeSet(found);
  }

  *segmentEvents(segment: Segment): Generator<LedgerEvent> {
    for (const { text } of linesForward(segment.id)) {
      const event = parseEvent(text);
      if (event !== undefined) yield event;
    }
  }

  segmentSize(segment: Segment): number {
    return statSync(segment.id).size;
  }

  segmentState(segment: Segment): { size: number; token: string } | undefined {
    try {
      const stat = statSync(segment.id, { bigint: true });
      // A rewrite renames a new file over the old: another inode (and birth time, where kept).
      return { size: Number(stat.size), token: `${String(stat.dev)}:${String(stat.ino)}:${String(stat.birthtimeNs)}` };
    } catch {
      return undefined;
    }
  }

  *segmentChunks(segment: Segment, from: number, to: number): Generator<SegmentChunk> {
    for (const { bytes, end } of lineChunks(segment.id, { from, to, tail: false })) {
      const events: LedgerEvent[] = [];
      for (const { text } of splitLines(bytes, 1)) {
        const event = parseEvent(text);
        if (event !== undefined) events.push(event);
      }
      yield { events, end };
    }
  }

  rewriteSegment(segment: Segment, events: Iterable<LedgerEvent>): number {
    let bytes = 0;
    function* pieces(): Generator<Buffer> {
      let batch: string[] = [];
      let size = 0;
      for (const event of events) {
        const line = `${serializeEvent(event)}\n`;
        batch.push(line);
        size += line.length;
        if (size < WRITE_BATCH) continue;
        yield counted(batch);
        batch = [];
        size = 0;
      }
      if (batch.length > 0) yield counted(batch);
    }
    const counted = (batch: string[]): Buffer => {
      const piece = Buffer.from(batch.join(''));
      bytes += piece.length;
      return piece;
    };
    writeFileAtomic(segment.id, pieces(), 0o600);
    return bytes;
  }

  removeSegment(segment: Segment): void {
    rmSync(segment.id, { force: true });
  }

  /** Lines that do not parse as ledger events, in every segment of every job, as they are found. */
  *badLines(): Generator<BadLine> {
    for (const job of this.jobs()) {
      for (const segment of this.segments(job)) {
        for (const { text, line } of linesForward(segment.id)) {
          if (text.trim() === '' || parseEvent(text) !== undefined) continue;
          yield { file: segment.id, line, text: text.length > BAD_TEXT ? text.slice(0, BAD_TEXT) : text };
        }
      }
    }
  }

  /** Every bad line (see `badLines`). */
  check(): BadLine[] {
    return [...this.badLines()];
  }

  /** Bytes on disk, all segments of all jobs. */
  size(): number {
    return this.jobs().flatMap((job) => this.segments(job)).reduce((sum, s) => sum + this.segmentSize(s), 0);
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
    const fd = openAppend(file);
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
