import type { LedgerRun } from './fold.js';
import type { LedgerReader } from './ports.js';
import type { Attempt, HookResult, RunRecord } from './records.js';

export interface RecentOptions {
  /** Only runs this keeps are counted and returned. */
  keep?: (run: LedgerRun) => boolean;
  /**
   * Only runs started at or after this ISO time. Events are appended in time order, so reading
   * stops at the first event older than this: every event of a later run comes after it.
   */
  since?: string;
}

/**
 * The latest `limit` runs of a job, newest first (in flight included), read backwards from the
 * end of its ledger: the cost grows with `limit`, not with the size of the ledger.
 */
export function recentRuns(store: LedgerReader, job: string, limit: number, options: RecentOptions = {}): LedgerRun[] {
  const out: LedgerRun[] = [];
  const seen = new Map<string, LedgerRun | null>();
  const attempts = new Map<string, Attempt[]>();
  const hooks = new Map<string, HookResult[]>();
  const collect = (run: LedgerRun): boolean => {
    const kept = (options.keep === undefined || options.keep(run)) && (options.since === undefined || run.started_at >= options.since);
    seen.set(run.run_id, kept ? run : null);
    if (kept) out.push(run);
    return out.length >= limit;
  };
  for (const event of store.eventsBackward(job)) {
    if (options.since !== undefined && event.at < options.since) return out;
    switch (event.type) {
      case 'hook-finished': {
        const run = seen.get(event.run_id);
        if (run) (run.hooks ??= []).unshift(event.result);
        else if (run === undefined) hooks.set(event.run_id, [event.result, ...(hooks.get(event.run_id) ?? [])]);
        break;
      }
      case 'attempt-finished':
        if (!seen.has(event.run_id)) attempts.set(event.run_id, [event.attempt, ...(attempts.get(event.run_id) ?? [])]);
        break;
      case 'run-finished': {
        if (seen.has(event.run.run_id)) break;
        const found = hooks.get(event.run.run_id);
        hooks.delete(event.run.run_id);
        if (collect({ ...event.run, ...(found !== undefined ? { hooks: found } : {}) })) return out;
        break;
      }
      case 'run-started': {
        // A run's first line: nothing of it is further back, so forget it (a long read for a
        // rare run, like a job's last success, keeps memory for the runs in between bounded).
        if (seen.has(event.run.run_id)) {
          seen.delete(event.run.run_id);
          break;
        }
        // Hooks that ran mid-run (on_retry) belong to it as they do to a finished run.
        const found = hooks.get(event.run.run_id);
        const run: LedgerRun = {
          ...event.run, in_flight: true, outcome: null, ended_at: null, duration_ms: null, exit_code: null, signal: null,
          attempts: attempts.get(event.run.run_id) ?? [], ...(found !== undefined ? { hooks: found } : {}),
        };
        attempts.delete(event.run.run_id);
        hooks.delete(event.run.run_id);
        if (collect(run)) return out;
        seen.delete(event.run.run_id);
        break;
      }
      case 'attempt-started':
      case 'sla-missed':
        break;
    }
  }
  return out;
}

/** The job's latest successful run, reading backwards until one is found. */
export function lastSuccess(store: LedgerReader, job: string): RunRecord | undefined {
  const [run] = recentRuns(store, job, 1, { keep: (r) => r.outcome === 'success' });
  return run?.outcome === 'success' ? run : undefined;
}

// Runs in flight are looked for among each job's latest few.
const IN_FLIGHT_LOOKBACK = 20;

/**
 * The runs of a job that `ledger compact` never drops, whatever their age, nor their logs: the
 * latest run, the latest success (`tock logs`, `why` and the success check read them) and any
 * run still in flight.
 */
export function runsKept(store: LedgerReader, job: string): (LedgerRun | RunRecord)[] {
  const recent = recentRuns(store, job, IN_FLIGHT_LOOKBACK).filter((r, i) => i === 0 || r.in_flight === true);
  const success = lastSuccess(store, job);
  return success === undefined ? recent : [...recent, success];
}
