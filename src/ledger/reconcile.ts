import type { Ledger, LedgerReader } from './ports.js';
import { recentRuns } from './query.js';
import type { RunRecord } from './records.js';

export interface ProcessProbe {
  hostname: string;
  /** True while the process that wrote a run is alive: same pid and same start time. */
  isAlive(pid: number, pidStart: string | undefined): boolean;
}

// A forbid or queue job has at most one run in flight; allow jobs a few. Look this far back.
const IN_FLIGHT_WINDOW = 20;

/**
 * SPEC 5: a run left in flight by a tock that died is recorded `interrupted` by the next tock
 * process that reads the ledger, once its writer is provably gone: the pid is not running, or
 * is running with another start time (a reused pid). Runs written on another host are left alone.
 */
export function reconcileInterrupted(store: LedgerReader & Pick<Ledger, 'recordInterrupted'>, jobs: Iterable<string>, probe: ProcessProbe, now: string): RunRecord[] {
  const recorded: RunRecord[] = [];
  for (const job of jobs) {
    for (const run of recentRuns(store, job, IN_FLIGHT_WINDOW)) {
      if (run.in_flight !== true || run.host !== probe.hostname || probe.isAlive(run.pid, run.pid_start)) continue;
      const message = `tock (pid ${String(run.pid)}) stopped before the run ended (killed, crashed or the host went down)`;
      const record = store.recordInterrupted(job, run.run_id, now, message);
      if (record !== undefined) recorded.push(record);
    }
  }
  return recorded;
}
