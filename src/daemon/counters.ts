import type { JobMetrics, MetricFamily } from '../ledger/metrics.js';
import type { Segment, SegmentFollower } from '../ledger/ports.js';
import type { Outcome, RunRecord } from '../ledger/records.js';
import type { JobSummary } from '../ledger/summary.js';

/** What one segment has added up to, as far as it was read. */
interface SegmentCount {
  job: string;
  month: string;
  token: string;
  /** Bytes read so far: whole lines only. */
  offset: number;
  counts: Partial<Record<Outcome, number>>;
  /** The last success in the segment, in the order written. */
  lastSuccess?: RunRecord;
}

// A scrape reads what was appended since the last one (a few lines) at once; more than this
// (a segment replaced by compact, a burst from another tock) is read in the background instead.
const SYNC_CHUNKS = 2;

/**
 * The daemon's run counters for /metrics, kept in memory so a scrape never rereads the ledger
 * (at 1M events that took seconds and a gigabyte, and delayed fires). `seed` reads every
 * segment once, in the background, yielding to the event loop after each chunk so no fire
 * waits for it; after that each scrape reads only the bytes appended since the last (by this
 * daemon, a `tock run` in a shell, or anyone), so every line is counted once whoever wrote it. A
 * segment replaced by `compact` is counted again from its start; one removed, dropped. Until
 * seeding is done a scrape serves what has been counted so far, with `tock_metrics_seeded 0`.
 */
export class RunCounters {
  readonly #segments = new Map<string, SegmentCount>();
  #seeded = false;
  #busy = false;
  #closed = false;

  /** `pause` lets the event loop run (the daemon passes setImmediate). */
  constructor(private readonly store: SegmentFollower, private readonly pause: () => Promise<void>) {}

  get seeded(): boolean {
    return this.#seeded;
  }

  /** Reads the whole ledger once, in the background. */
  async seed(): Promise<void> {
    await this.#background(this.#catchUp());
    this.#seeded = !this.#closed;
  }

  /** Reads what was appended since the last read: cheap, and at most SYNC_CHUNKS chunks before it goes on in the background. */
  refresh(): void {
    if (!this.#seeded || this.#busy) return;
    const work = this.#catchUp();
    for (let i = 0; i < SYNC_CHUNKS; i++) if (work.next().done === true) return;
    void this.#background(work);
  }

  /** Stops any reading in the background (the daemon is stopping: it must not wait for a count). */
  close(): void {
    this.#closed = true;
  }

  /** The job's metrics: counts and latest success from the counters, the rest from its summary. */
  jobMetrics(job: string, summary: JobSummary | undefined): JobMetrics {
    const counts: Partial<Record<Outcome, number>> = {};
    let lastSuccess: SegmentCount | undefined;
    for (const segment of this.#segments.values()) {
      if (segment.job !== job) continue;
      for (const [outcome, n] of Object.entries(segment.counts) as [Outcome, number][]) counts[outcome] = (counts[outcome] ?? 0) + n;
      if (segment.lastSuccess !== undefined && (lastSuccess === undefined || segment.month > lastSuccess.month)) lastSuccess = segment;
    }
    return { job, counts, lastSuccess: lastSuccess?.lastSuccess, last: summary?.last ?? null, running: summary?.running.length ?? 0 };
  }

  /** The counters' own gauge: 0 while the first read of the ledger goes on, when counts are still low. */
  families(): MetricFamily[] {
    return [{
      name: 'tock_metrics_seeded', type: 'gauge', help: 'Whether the daemon has read its whole ledger since it started (1); until then tock_runs_total counts only what it has read.',
      samples: [{ value: this.#seeded ? 1 : 0 }],
    }];
  }

  async #background(work: Generator<void>): Promise<void> {
    this.#busy = true;
    try {
      while (!this.#closed && work.next().done !== true) await this.pause();
    } finally {
      this.#busy = false;
    }
  }

  /** Brings every segment's count up to its current size; yields after each chunk read. */
  *#catchUp(): Generator<void> {
    const seen = new Set<string>();
    for (const job of this.store.jobs()) {
      for (const segment of this.store.segments(job)) {
        seen.add(segment.id);
        yield* this.#follow(job, segment);
      }
    }
    for (const id of this.#segments.keys()) if (!seen.has(id)) this.#segments.delete(id);
  }

  *#follow(job: string, segment: Segment): Generator<void> {
    const state = this.store.segmentState(segment);
    if (state === undefined) {
      this.#segments.delete(segment.id);
      return;
    }
    let count = this.#segments.get(segment.id);
    // Replaced (even while it was last read, which may then have mixed the two files): count it again.
    if (count?.token !== state.token || state.size < count.offset) {
      count = { job, month: segment.month, token: state.token, offset: 0, counts: {} };
      this.#segments.set(segment.id, count);
    }
    for (const chunk of this.store.segmentChunks(segment, count.offset, state.size)) {
      for (const event of chunk.events) {
        if (event.type !== 'run-finished') continue;
        count.counts[event.run.outcome] = (count.counts[event.run.outcome] ?? 0) + 1;
        if (event.run.outcome === 'success') count.lastSuccess = event.run;
      }
      count.offset = chunk.end;
      yield;
    }
  }
}
