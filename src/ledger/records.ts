/** How a run ended (SPEC 3). */
export type Outcome = 'success' | 'failed' | 'timeout' | 'deadline' | 'skipped' | 'missed' | 'interrupted' | 'killed';
/** How one attempt ended. */
export type AttemptOutcome = 'success' | 'failed' | 'timeout' | 'deadline' | 'killed';
export type Trigger = 'schedule' | 'manual' | 'backfill' | 'catchup';
/** Why a run was skipped, or why a failed or killed run ended as it did. */
export type RunReason =
  | 'overlap'
  | 'upstream-failed'
  | 'not-triggered'
  | 'disabled'
  | 'succeeded-before'
  /** `tock pause`: the job, or a need it was pulled in by, is paused (Airflow's paused DAG). */
  | 'paused'
  | 'upstream-missing'
  | 'wait-for-timeout'
  | 'lock-timeout'
  | 'setup-failed'
  | 'replaced'
  | 'shutdown'
  | 'lock-lost'
  /** The disk would not take a write the run needed (full, `ulimit -f`): its message says which. */
  | 'storage-failed'
  /** A bug in tock ended the run; its message says what was thrown. */
  | 'internal-error';

export interface Attempt {
  n: number;
  started_at: string;
  ended_at: string;
  exit_code: number | null;
  signal: string | null;
  outcome: AttemptOutcome;
  /** Why, in words, when the exit code alone does not say (command not found, timeout...). */
  error?: string;
  /** Processes that had left the attempt's process group (found by TOCK_RUN_ID) and were killed. */
  escaped?: number;
}

export interface HookResult {
  hook: 'on_failure' | 'on_success' | 'on_retry' | 'on_sla';
  kind: 'command' | 'webhook';
  ok: boolean;
  detail: string;
}

/** The run record of SPEC 6: history, hooks' stdin and webhooks all use this shape. */
export interface RunRecord {
  run_id: string;
  job: string;
  logical_time: string;
  trigger: Trigger;
  outcome: Outcome;
  reason?: RunReason;
  /** A sentence for people, when the outcome needs one. */
  message?: string;
  started_at: string;
  ended_at: string;
  duration_ms: number;
  exit_code: number | null;
  signal: string | null;
  attempts: Attempt[];
  log: string;
  host: string;
  pid: number;
  /** The tock process's start time (Linux clock ticks), so a reused pid is not taken for it. */
  pid_start?: string;
  job_hash: string;
  jobfile_hash: string;
  hooks?: HookResult[];
}

/** What is known of a run when it starts: written before the first attempt spawns. */
export type RunStart = Pick<RunRecord, 'run_id' | 'job' | 'logical_time' | 'trigger' | 'started_at' | 'log' | 'host' | 'pid' | 'pid_start' | 'job_hash' | 'jobfile_hash'>;

export const LEDGER_VERSION = 1;

/** One line of the ledger. Every line carries `v`, `type`, `at` and the job. */
export type LedgerEvent =
  | { v: 1; type: 'run-started'; at: string; job: string; run: RunStart }
  /** `of`: how many attempts the run may take (retries + 1); absent in lines written before it was kept. */
  /**
   * `pid` leads the attempt's process group; `pid_start` (its start time) and `cgroup` (its own
   * cgroup, when it has one) let a later tock stop what is left of it should this one die.
   */
  | { v: 1; type: 'attempt-started'; at: string; job: string; run_id: string; n: number; of?: number; pid: number | null; pid_start?: string; cgroup?: string }
  | { v: 1; type: 'attempt-finished'; at: string; job: string; run_id: string; attempt: Attempt }
  | { v: 1; type: 'hook-finished'; at: string; job: string; run_id: string; result: HookResult }
  | { v: 1; type: 'sla-missed'; at: string; job: string; run_id: string; sla_ms: number }
  | { v: 1; type: 'run-finished'; at: string; job: string; run: RunRecord };

/** Outcomes that count as a failure for exit codes and `when`. */
export function isFailure(outcome: Outcome): boolean {
  return outcome !== 'success' && outcome !== 'skipped';
}
