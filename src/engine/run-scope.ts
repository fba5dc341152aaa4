import type { Job } from '../jobfile/types.js';
import { describeStorageError, isStorageError } from '../util/storage-error.js';
import type { Attempt, LedgerEvent, Outcome, RunReason, RunRecord, RunStart } from '../ledger/records.js';
import type { RunNotice } from './events.js';
import { isoUtc } from './logical-time.js';
import type { Lease } from './ports.js';
import type { EngineDeps, RunRequest, RunSetup } from './run-context.js';

/** How a run ends, before it becomes a record. */
export interface Ending {
  outcome: Outcome;
  reason?: RunReason;
  message?: string;
}

type Cleanup = () => Promise<void> | void;

/**
 * One run: its job, request, setup and attempts, and the one place its facts are recorded
 * (appended to the ledger, then told to the listeners, in the ledger's own vocabulary).
 *
 * Whatever the run takes (a lease, an attempt's process group) is pushed on a stack of cleanups
 * that unwinds in reverse whatever happens: exit, deadline, shutdown or a thrown bug (STYLE
 * habit 6). Once the run has begun (its locks held), the final record is pushed above the leases,
 * so it is written before they are released: the next holder of the run key or the job lock
 * finds the ledger complete. A run that never began gets its record once the stack is empty.
 * What comes `after` (hooks) runs last, once every lock is released (SPEC 5).
 */
export class RunScope {
  readonly job: Job;
  readonly runId: string;
  readonly start: RunStart;
  readonly attempts: Attempt[] = [];
  /** A scheduled run's deadline counts from its logical time; one asked for, from when it was asked. */
  readonly onTime: boolean;
  readonly deadlineAt: number | undefined;
  setup: RunSetup | undefined;
  /** The job lock, which learns each attempt's process group so a `replace` can stop it. */
  jobLease: Lease | undefined;
  #stop: AbortSignal;
  readonly #leases: Lease[] = [];
  readonly #cleanups: Cleanup[] = [];
  #began = false;
  #ending: Ending | undefined;
  #final: RunRecord | undefined;

  constructor(readonly deps: EngineDeps, readonly request: RunRequest) {
    const { job, logicalMs, trigger } = request;
    const { clock, host } = deps;
    this.job = job;
    this.runId = deps.newRunId(job.name, logicalMs);
    this.start = {
      run_id: this.runId,
      job: job.name,
      logical_time: isoUtc(logicalMs),
      trigger,
      // A pre-armed run is recorded before its instant and starts at it (or at once, if late).
      started_at: isoUtc(Math.max(clock.now(), request.armed?.at ?? -Infinity)),
      log: host.logPath(job.name, this.runId),
      host: host.hostname,
      pid: host.pid,
      ...(host.pidStart !== undefined ? { pid_start: host.pidStart } : {}),
      job_hash: job.hash,
      jobfile_hash: request.jobfileHash,
    };
    this.onTime = trigger === 'schedule' || trigger === 'catchup';
    this.deadlineAt = job.deadlineMs === undefined ? undefined : (this.onTime ? logicalMs : clock.now()) + job.deadlineMs;
    this.#stop = deps.stop;
  }

  /** Aborts for a stop, or when a lease the run holds is lost or asked to give way. */
  get stop(): AbortSignal {
    return this.#stop;
  }

  /**
   * Appends a fact to the ledger, then tells the listeners: each fact once, in one vocabulary.
   * When the disk refuses it (full, `ulimit -f`), the listeners still hear the fact, after a
   * `storage-failed` notice; returns whether it was recorded. Any other error is a bug and throws.
   */
  record(event: LedgerEvent, options: { withNext?: boolean } = {}): boolean {
    // Held back (unwritten, untold) until the next fact, to go to disk with it: one write and
    // one fsync for the run's last attempt and its final record, which follows at once.
    if (options.withNext === true && this.#held === undefined) {
      this.#held = event;
      return true;
    }
    const events = this.#held === undefined ? [event] : [this.#held, event];
    this.#held = undefined;
    const { ledger } = this.deps;
    let recorded = true;
    if (events.length > 1 && ledger.appendAll !== undefined) {
      recorded = this.#store(events.map((e) => e.type), () => { ledger.appendAll?.(events); });
    } else {
      for (const e of events) recorded = this.#store([e.type], () => { ledger.append(e); });
    }
    // This fsync covered a fact still waiting for its own: it is told first, in ledger order.
    this.#tellUntold();
    for (const e of events) this.deps.emit(e);
    return recorded;
  }

  /**
   * For a fact nothing waits on (the attempt's start, after the spawn): written at once, fsync'd
   * off the event loop, told once on disk, or with the next fact written, whichever comes first.
   */
  recordSoon(event: LedgerEvent): void {
    const { ledger } = this.deps;
    if (ledger.appendSoon === undefined || this.#held !== undefined || this.#untold !== undefined) {
      this.record(event);
      return;
    }
    let durable: Promise<void>;
    try {
      durable = ledger.appendSoon(event);
    } catch (error) {
      // Not written: said, then told, as `record` does.
      this.#store([event.type], () => { throw error; });
      this.deps.emit(event);
      return;
    }
    this.#untold = event;
    durable.then(() => { this.#tellUntold(event); }, (error: unknown) => {
      if (this.#untold !== event) return; // a later fsync covered it
      this.notify({ type: 'storage-failed', at: this.now(), job: this.job.name, run_id: this.runId, what: event.type, error: describeStorageError(error) });
      this.#tellUntold(event);
    });
  }

  #held: LedgerEvent | undefined;
  #untold: LedgerEvent | undefined;

  #tellUntold(only?: LedgerEvent): void {
    const untold = this.#untold;
    if (untold === undefined || (only !== undefined && untold !== only)) return;
    this.#untold = undefined;
    this.deps.emit(untold);
  }

  #lastStorageError: string | undefined;

  #store(whats: readonly string[], write: () => void): boolean {
    try {
      write();
      return true;
    } catch (error) {
      if (!isStorageError(error)) throw error;
      const described = describeStorageError(error);
      this.#lastStorageError = described;
      for (const what of whats) this.notify({ type: 'storage-failed', at: this.now(), job: this.job.name, run_id: this.runId, what, error: described });
      return false;
    }
  }

  /** Tells the listeners something the ledger does not keep. */
  notify(notice: RunNotice): void {
    this.deps.emit(notice);
  }

  now(): string {
    return isoUtc(this.deps.clock.now());
  }

  /** Pushes a cleanup; the function returned takes it off again (when its work ended normally). */
  defer(cleanup: Cleanup): () => void {
    this.#cleanups.push(cleanup);
    return () => {
      const i = this.#cleanups.lastIndexOf(cleanup);
      if (i !== -1) this.#cleanups.splice(i, 1);
    };
  }

  /** Holds a lease until the run unwinds; its loss stops the run. */
  hold(lease: Lease): void {
    this.#leases.push(lease);
    this.#stop = AbortSignal.any([this.#stop, lease.lost]);
    this.defer(() => lease.release());
  }

  /** False once the run is stopped or a lease is no longer its own, looked at now (a stall may have cost one). */
  canGoOn(): boolean {
    return !this.#stop.aborted && this.#leases.every((lease) => lease.verify());
  }

  /** The run has what it needs to go: record it in flight; from here its final record is a cleanup. */
  begin(): void {
    // Only `why` reads definitions: one that cannot be stored does not stop the run.
    this.#store(['definition'], () => { this.deps.ledger.rememberDefinition(this.job.hash, this.job); });
    if (!this.record({ v: 1, type: 'run-started', at: this.start.started_at, job: this.job.name, run: this.start })) {
      // A run the ledger does not know of must not start: nothing could account for it after a crash.
      throw new NotRecorded(this.#lastStorageError ?? 'the disk refused the write');
    }
    this.#began = true;
    this.defer(() => { this.end(this.#ending ?? internalError(new Error('the run unwound without an ending'))); });
  }

  /**
   * Runs `body` inside the scope, unwinds, then `after`; returns the final record. A bug thrown
   * by `body` or a cleanup ends the run `failed` (internal-error) with its message, never in flight.
   */
  async run(body: () => Promise<Ending>, after?: (run: RunRecord) => Promise<void>): Promise<RunRecord> {
    try {
      this.#ending = await body();
    } catch (error) {
      this.#ending = storageFailure(error) ?? internalError(error);
    }
    let failure: Error | undefined;
    for (let cleanup = this.#cleanups.pop(); cleanup !== undefined; cleanup = this.#cleanups.pop()) {
      try {
        await cleanup();
      } catch (error) {
        // Before the final record, a failed cleanup is the run's ending; after it, it is the caller's.
        if (this.#final === undefined) this.#ending = storageFailure(error) ?? internalError(error);
        else failure ??= error instanceof Error ? error : new Error(String(error));
      }
    }
    const run = this.end(this.#ending);
    if (failure !== undefined) throw failure;
    await after?.(run);
    return run;
  }

  /** Writes the final record (once) and returns it. */
  end(ending: Ending): RunRecord {
    if (this.#final !== undefined) return this.#final;
    const run = this.snapshot(ending);
    // A run that never began, or one called off before its instant, started when it ended.
    if (!this.#began || run.started_at > run.ended_at) run.started_at = run.ended_at;
    this.#final = run;
    this.record({ v: 1, type: 'run-finished', at: run.ended_at, job: run.job, run });
    return run;
  }

  /** The run record as it stands, ending as given (for hooks before the run is over, and the end). */
  snapshot(ending: Ending): RunRecord {
    const endedMs = this.deps.clock.now();
    const last = this.attempts.at(-1);
    return {
      ...this.start,
      outcome: ending.outcome,
      ...(ending.reason !== undefined ? { reason: ending.reason } : {}),
      ...(ending.message !== undefined ? { message: ending.message } : last?.error !== undefined && ending.outcome !== 'success' ? { message: last.error } : {}),
      ended_at: isoUtc(endedMs),
      duration_ms: Math.max(0, endedMs - Date.parse(this.start.started_at)),
      exit_code: last?.exit_code ?? null,
      signal: last?.signal ?? null,
      attempts: [...this.attempts],
    };
  }

  /** The setup hooks run with: the run's own, or tock's environment when setup never happened. */
  hookSetup(): RunSetup {
    return this.setup ?? { runId: this.runId, log: this.start.log, env: { ...this.deps.host.baseEnv }, templated: {} };
  }
}

/** Thrown by `begin` when the ledger would not take the run's start. */
class NotRecorded extends Error {}

/**
 * A disk that would not take a write tock needs before the job can start (the run's start, a
 * lock's owner file): the run fails with that reason and never spawns. Not a bug.
 */
function storageFailure(error: unknown): Ending | undefined {
  if (error instanceof NotRecorded) return { outcome: 'failed', reason: 'storage-failed', message: `ledger: ${error.message}; the run was not started` };
  if (!isStorageError(error)) return undefined;
  const where = error.path !== undefined ? `cannot write ${error.path}` : 'cannot write to the state dir';
  return { outcome: 'failed', reason: 'storage-failed', message: `${where}: ${describeStorageError(error)}` };
}

/** A bug, not a job's failure (STYLE habit 3): the run ends failed and says what was thrown. */
export function internalError(error: unknown): Ending {
  const message = error instanceof Error ? error.message : String(error);
  return { outcome: 'failed', reason: 'internal-error', message: `internal error in tock: ${message}` };
}
