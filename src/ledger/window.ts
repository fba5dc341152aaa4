import type { LedgerRun } from './fold.js';
import { newestFirst } from './fold.js';
import type { LedgerReader } from './ports.js';
import { recentRuns } from './query.js';

// Runs that began before the window and reach into it are looked for among this many just before it.
const SPANNING_LOOKBACK = 20;

/**
 * A job's runs that touch the window from `since` (ISO) on, oldest first: every run that started
 * in it, and those just before it that ended in it or are still in flight. Read backwards from
 * the end of the job's ledger, so the cost grows with the runs in the window, not the ledger.
 */
export function runsInWindow(store: LedgerReader, job: string, since: string): LedgerRun[] {
  const started = recentRuns(store, job, Number.POSITIVE_INFINITY, { since });
  const spanning = recentRuns(store, job, started.length + SPANNING_LOOKBACK)
    .filter((r) => r.started_at < since && (r.ended_at === null || r.ended_at >= since));
  return newestFirst([...started, ...spanning]).reverse();
}
