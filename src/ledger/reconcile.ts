import type { Ledger, LedgerReader } from './ports.js';
import { recentRuns } from './query.js';
import type { RunRecord } from './records.js';

/** What a dead tock's run may have left running: its last attempt's group and cgroup, and its run id (the TOCK_RUN_ID mark). */
export interface LeftoverTree {
  run_id: string;
  pgid?: number;
  /** The group leader's start time, so a reused pid is never signalled. */
  pgid_start?: string;
  cgroup?: string;
}

export interface ProcessProbe {
  hostname: string;
  /** True while the process that wrote a run is alive: same pid and same start time. */
  isAlive(pid: number, pidStart: string | undefined): boolean;
  /** Stops what is left of a run and says how many processes it found alive. */
  stopLeftovers?(tree: LeftoverTree): number;
}

// A forbid or queue job has at most one run in flight; allow jobs a few. Look this far back.
const IN_FLIGHT_WINDOW = 20;

/**
 * SPEC 5: a run left in flight by a tock that died is recorded `interrupted` by the next tock
 * process that reads the ledger, once its writer is provably gone: the pid is not running, or
 * is running with another start time (a reused pid). What its attempt left running (an `allow`
 * job has no lock whose next taker would stop it) is stopped first. Runs written on another
 * host are left alone.
 */
export function reconcileInterrupted(store: LedgerReader & Pick<Ledger, 'recordInterrupted'>, jobs: Iterable<string>, probe: ProcessProbe, now: string): RunRecord[] {
  const recorded: RunRecord[] = [];
  for (const job of jobs) {
    for (const run of recentRuns(store, job, IN_FLIGHT_WINDOW)) {
      if (run.in_flight !== true || run.host !== probe.hostname || probe.isAlive(run.pid, run.pid_start)) continue;
      const stopped = probe.stopLeftovers?.(lastTree(store, job, run.run_id)) ?? 0;
      const message = `tock (pid ${String(run.pid)}) stopped before the run ended (killed, crashed or the host went down)`
        + (stopped > 0 ? `; ${String(stopped)} process${stopped === 1 ? '' : 'es'} it left running ${stopped === 1 ? 'was' : 'were'} stopped` : '');
      const record = store.recordInterrupted(job, run.run_id, now, message);
      if (record !== undefined) recorded.push(record);
    }
  }
  return recorded;
}

/** The run's latest attempt as its `attempt-started` line recorded it (read back to the run's start). */
function lastTree(store: LedgerReader, job: string, runId: string): LeftoverTree {
  for (const event of store.eventsBackward(job)) {
    if (event.type === 'run-started' && event.run.run_id === runId) break;
    if (event.type !== 'attempt-started' || event.run_id !== runId) continue;
    return {
      run_id: runId,
      ...(event.pid !== null ? { pgid: event.pid } : {}),
      ...(event.pid_start !== undefined ? { pgid_start: event.pid_start } : {}),
      ...(event.cgroup !== undefined ? { cgroup: event.cgroup } : {}),
    };
  }
  return { run_id: runId };
}
