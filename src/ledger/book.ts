import type { LedgerRun } from './fold.js';
import type { Ledger, LedgerReader, LedgerWriter } from './ports.js';
import { recentRuns } from './query.js';
import type { LedgerEvent, RunRecord } from './records.js';

// Runs for a logical time are written at or after it (the daemon at its time, backfill later,
// never ahead), so a success for it is looked for only that far back, with a minute's slack
// for appends that land slightly out of order: an every-second job must not read an hour of
// runs per firing.
const SUCCESS_SLACK_MS = 60_000;
// Runs of one key that succeeded or are in flight: one, or a few after crashes and `--force`.
const KEY_RUNS_LIMIT = 8;

/**
 * The engine's `Ledger`, written once over any store that can read and write events: the JSON
 * Lines store (`src/io/jsonl-ledger.ts`) and the tests' in-memory one extend it with storage
 * only, so both answer `hasSuccess` and `recordInterrupted` by the same rules.
 */
export abstract class LedgerBook implements Ledger, LedgerReader, LedgerWriter {
  abstract append(event: LedgerEvent): void;
  abstract rememberDefinition(hash: string, definition: object): void;
  abstract definition(hash: string): Record<string, unknown> | undefined;
  abstract jobs(): string[];
  abstract eventsBackward(job: string): Iterable<LedgerEvent>;
  abstract allEvents(job: string): Iterable<LedgerEvent>;

  hasSuccess(job: string, logicalTime: string): boolean {
    return this.#forKey(job, logicalTime, 1, (r) => r.outcome === 'success').length > 0;
  }

  successOrInFlight(job: string, logicalTime: string): LedgerRun[] {
    return this.#forKey(job, logicalTime, KEY_RUNS_LIMIT, (r) => r.outcome === 'success' || r.in_flight === true);
  }

  #forKey(job: string, logicalTime: string, limit: number, keep: (run: LedgerRun) => boolean): LedgerRun[] {
    const since = new Date(Date.parse(logicalTime) - SUCCESS_SLACK_MS).toISOString();
    return recentRuns(this, job, limit, { since, keep: (r) => r.logical_time === logicalTime && keep(r) });
  }

  recordInterrupted(job: string, runId: string, at: string, message: string): RunRecord | undefined {
    const [run] = recentRuns(this, job, 1, { keep: (r) => r.run_id === runId });
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
}
