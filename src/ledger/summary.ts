import type { LedgerRun } from './fold.js';
import type { LedgerReader } from './ports.js';
import { recentRuns } from './query.js';
import type { Outcome, RunRecord } from './records.js';

export const STRIP_LENGTH = 10;

/** What `status` shows of a job's ledger: read from its tail, whatever the ledger's size. */
export interface JobSummary {
  /** The latest finished run. */
  last: RunRecord | null;
  /** Runs in flight now (after crashed ones were reconciled). */
  running: LedgerRun[];
  /** Outcomes of the latest finished runs, oldest first, at most STRIP_LENGTH. */
  recent: Outcome[];
}

export function summarizeJob(store: LedgerReader, job: string): JobSummary {
  // Runs in flight are few (one for forbid/queue jobs), so this many covers the strip too.
  const runs = recentRuns(store, job, STRIP_LENGTH + 5);
  const finished = runs.filter((r): r is RunRecord & { in_flight?: false } => r.outcome !== null);
  return {
    last: finished[0] ?? null,
    running: runs.filter((r) => r.in_flight === true),
    recent: finished.slice(0, STRIP_LENGTH).map((r) => r.outcome).reverse(),
  };
}

/** Every finished run of a job counted by outcome (a full read of its ledger). */
export function countOutcomes(store: LedgerReader, job: string): Partial<Record<Outcome, number>> {
  const counts: Partial<Record<Outcome, number>> = {};
  for (const event of store.allEvents(job)) {
    if (event.type === 'run-finished') counts[event.run.outcome] = (counts[event.run.outcome] ?? 0) + 1;
  }
  return counts;
}
