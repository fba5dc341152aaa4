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

/** What compaction needs beyond reading: whole segments, replaced or removed. */
export interface SegmentStore {
  jobs(): string[];
  /** A job's segments, oldest first. */
  segments(job: string): Segment[];
  /** The segment's whole events, in the order written. */
  segmentEvents(segment: Segment): LedgerEvent[];
  /** Its size in bytes. */
  segmentSize(segment: Segment): number;
  /** Replaces the segment's events at once (a reader sees the old or the new); returns the new size. */
  rewriteSegment(segment: Segment, events: readonly LedgerEvent[]): number;
  removeSegment(segment: Segment): void;
}
