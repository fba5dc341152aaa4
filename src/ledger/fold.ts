import type { Attempt, HookResult, LedgerEvent, Outcome, RunRecord, RunStart } from './records.js';

/** A run as the ledger knows it: finished (with its record) or still in flight. */
export type LedgerRun = (RunRecord & { in_flight?: false }) | (RunStart & InFlight);

interface InFlight {
  in_flight: true;
  outcome: null;
  reason?: undefined;
  ended_at: null;
  duration_ms: null;
  exit_code: null;
  signal: null;
  attempts: Attempt[];
  hooks?: HookResult[];
}

/** Folds a job's events into runs, in the order they started. Hooks that ran after the end are attached. */
export function foldRuns(events: readonly LedgerEvent[]): LedgerRun[] {
  const runs = new Map<string, LedgerRun>();
  const hooks = new Map<string, HookResult[]>();
  for (const event of events) {
    switch (event.type) {
      case 'run-started':
        runs.set(event.run.run_id, { ...event.run, in_flight: true, outcome: null, ended_at: null, duration_ms: null, exit_code: null, signal: null, attempts: [] });
        break;
      case 'attempt-started':
        break;
      case 'attempt-finished': {
        const run = runs.get(event.run_id);
        if (run?.in_flight === true) run.attempts.push(event.attempt);
        break;
      }
      case 'hook-finished':
        hooks.set(event.run_id, [...(hooks.get(event.run_id) ?? []), event.result]);
        break;
      case 'sla-missed':
        break;
      case 'run-finished':
        // A run that never started (skipped, or refused a lock) has only this line.
        runs.set(event.run.run_id, { ...event.run });
        break;
    }
  }
  for (const [runId, results] of hooks) {
    const run = runs.get(runId);
    if (run !== undefined) run.hooks = results;
  }
  return [...runs.values()];
}

/** Newest first, by start time then run id. */
export function newestFirst(runs: LedgerRun[]): LedgerRun[] {
  return runs.sort((a, b) => (a.started_at === b.started_at ? b.run_id.localeCompare(a.run_id) : b.started_at.localeCompare(a.started_at)));
}

export function outcomeOf(run: LedgerRun): Outcome | 'running' {
  return run.outcome ?? 'running';
}
