import type { LedgerRun } from './fold.js';
import type { LedgerEvent, RunRecord } from './records.js';

/**
 * What the ledger's queries read. The JSON Lines store in `src/io/` is one adapter; tests use
 * an in-memory one. Everything in `src/ledger/` is pure over these ports.
 */
export interface LedgerReader {
  /** Job names that have events, sorted. */
  jobs(): string[];
  /** A job's events newest first; a reader that stops early reads only the end of the ledger. */
  eventsBackward(job: string): Iterable<LedgerEvent>;
  /** Every event of a job, oldest first (a full read). */
  allEvents(job: string): Iterable<LedgerEvent>;
  /** A job's definition kept by `rememberDefinition`, if there is one. */
  definition(hash: string): Record<string, unknown> | undefined;
}

export interface LedgerWriter {
  /** Durable once it returns. */
  append(event: LedgerEvent): void;
  /** Keeps a job's definition by its hash (once), so `why` can show what changed between runs. */
  rememberDefinition(hash: string, definition: object): void;
}

/** The ledger as the engine sees it (built by `LedgerBook` over a reader and a writer). */
export interface Ledger {
  append(event: LedgerEvent): void;
  /** Several events, durable once it returns: one write and one fsync per segment they go to. */
  appendAll?(events: readonly LedgerEvent[]): void;
  /** Written at once (one write(2), so readers see it); durable once the promise resolves (fsync off the event loop). */
  appendSoon?(event: LedgerEvent): Promise<void>;
  /** True when the job has a successful run for exactly this logical time. */
  hasSuccess(job: string, logicalTime: string): boolean;
  /** The job's runs for exactly this logical time that succeeded or are still in flight, newest first. */
  successOrInFlight(job: string, logicalTime: string): LedgerRun[];
  /**
   * Records `interrupted` for a run whose process died without finishing it, if the ledger has
   * it in flight; returns the record written, or undefined when there was nothing to do.
   */
  recordInterrupted(job: string, runId: string, at: string, message: string): RunRecord | undefined;
  /** Keeps a job's definition by its hash (once), so `why` can show what changed between runs. */
  rememberDefinition(hash: string, definition: object): void;
}

/** One month of a job's events, as the store keeps them. */
export interface Segment {
  /** `YYYY-MM` (UTC): the month every event in it happened in. */
  month: string;
  /** Where the store keeps it (a path, for the JSON Lines store). */
  id: string;
}

/** What compaction needs beyond reading: whole segments, streamed, replaced or removed. */
export interface SegmentStore {
  jobs(): string[];
  /** A job's segments, oldest first. */
  segments(job: string): Segment[];
  /** The segment's whole events, in the order written, read as they are iterated (a segment may be bigger than memory). */
  segmentEvents(segment: Segment): Iterable<LedgerEvent>;
  /** Its size in bytes. */
  segmentSize(segment: Segment): number;
  /** Replaces the segment's events at once (a reader sees the old or the new), consuming `events` as it writes; returns the new size. */
  rewriteSegment(segment: Segment, events: Iterable<LedgerEvent>): number;
  removeSegment(segment: Segment): void;
}

/** Whole events appended to a segment between two byte offsets, and where the next read resumes. */
export interface SegmentChunk {
  events: LedgerEvent[];
  /** The offset just after the chunk's last whole line. */
  end: number;
}

/** Following segments as they grow, so a reader counts each line once without rereading (the daemon's counters). */
export interface SegmentFollower {
  jobs(): string[];
  segments(job: string): Segment[];
  /** Its size now, and a token that changes when the segment is replaced whole (by compact); undefined once it is gone. */
  segmentState(segment: Segment): { size: number; token: string } | undefined;
  /** Whole events from byte `from` (a line start) up to `to`, a chunk at a time; a last line with no newline yet is left for a later read. */
  segmentChunks(segment: Segment, from: number, to: number): Iterable<SegmentChunk>;
}
