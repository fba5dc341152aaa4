import { executePlan, recordNotRun } from '../engine/executor.js';
import { joinsOf } from '../engine/joins.js';
import { isoUtc } from '../engine/logical-time.js';
import { planFiring } from '../engine/plan.js';
import type { Lease } from '../engine/ports.js';
import type { EngineDeps } from '../engine/run-context.js';
import { Slots } from '../engine/slots.js';
import type { Job, Jobfile } from '../jobfile/types.js';
import { describeStorageError, isStorageError } from '../util/storage-error.js';
import { dueInstants, nextFire } from './due.js';
import type { DaemonEvent } from './events.js';

/** Where each job's newest handled instant is kept across restarts. */
export interface WatermarkStore {
  load(): Record<string, number>;
  save(marks: Readonly<Record<string, number>>): void;
}

const NOT_PAUSED: ReadonlySet<string> = new Set();

// Long sleeps are cut into naps this long, so a wall-clock jump is noticed within a minute.
const MAX_NAP_MS = 60_000;

/**
 * The daemon's loop: one timer for the earliest due instant across all jobs (no per-job timers,
 * no polling), and on waking, every due instant dispatched through the same engine as `tock run`.
 * Each job's watermark (its newest handled instant) is saved as it moves, so a restart or a
 * clock jump forward catches up on purpose (`catchup`) and a jump backward never re-runs one.
 */
export class Scheduler {
  #jobfile: Jobfile;
  #marks: Record<string, number> = {};
  #slots: Slots;
  readonly #running = new Set<Promise<unknown>>();
  readonly #chains = new Map<string, Promise<unknown>>();
  #wake = new AbortController();
  #armed: string | undefined;
  #lagMs: number | undefined;
  // Each job's next fire, computed once per watermark: evaluating 10,000 schedules on every wake
  // would cost a second of CPU each time.
  readonly #next = new Map<string, { mark: number; next: { logicalMs: number; fireAt: number } | undefined }>();

  constructor(
    private readonly engine: EngineDeps, jobfile: Jobfile, private readonly watermarks: WatermarkStore, private readonly log: (event: DaemonEvent) => void,
    /** The daemon lock: once it is lost (after a stall, to another daemon), nothing more is dispatched. */
    private readonly lock?: Pick<Lease, 'lost' | 'verify'>,
    /**
     * The jobs `tock pause` paused, asked as each instant is dispatched (so it must be cheap: a
     * stat). That is the only moment a pause changes anything, so no timer or watch is needed.
     */
    private readonly paused: () => ReadonlySet<string> = () => NOT_PAUSED,
  ) {
    this.#jobfile = jobfile;
    this.#slots = new Slots(jobfile.maxParallel);
  }

  /** SIGHUP: the new jobfile takes effect at each job's next instant; running runs go on. */
  reload(jobfile: Jobfile): void {
    const now = this.engine.clock.now();
    for (const name of jobfile.jobs.keys()) this.#marks[name] ??= now;
    if (jobfile.maxParallel !== this.#jobfile.maxParallel) this.#slots = new Slots(jobfile.maxParallel);
    this.#jobfile = jobfile;
    this.#next.clear();
    this.log({ type: 'reloaded', jobs: jobfile.jobs.size });
    this.#wake.abort();
  }

  /** Runs until the engine's stop signal; then waits for the runs in flight to be stopped. */
  async run(): Promise<void> {
    const { clock, stop } = this.engine;
    const start = clock.now();
    const saved = this.watermarks.load();
    // A job tock has never seen starts from now: a first start does not catch up on history.
    for (const name of this.#jobfile.jobs.keys()) this.#marks[name] = saved[name] ?? start;
    let expected = start;
    while (!stop.aborted) {
      // A stall (SIGSTOP, swap, a suspended VM) may have let another daemon take the lock: look
      // on every wake, before dispatching anything, not on the library's next refresh.
      if (this.lock !== undefined && !this.lock.verify()) break;
      const now = clock.now();
      if (now < expected - 1000) this.log({ type: 'clock-jump', by_ms: now - expected });
      this.#dispatchDue(now);
      const next = this.#earliest();
      const nap = next === undefined ? MAX_NAP_MS : Math.min(Math.max(0, next.fireAt - clock.now()), MAX_NAP_MS);
      expected = clock.now() + nap;
      this.#wake = new AbortController();
      await clock.sleep(nap, AbortSignal.any([stop, this.#wake.signal, ...(this.lock !== undefined ? [this.lock.lost] : [])]));
      if (clock.now() > expected + MAX_NAP_MS) this.log({ type: 'clock-jump', by_ms: clock.now() - expected });
    }
    await Promise.all([...this.#running]);
  }

  /** How late, in ms, the latest instant was dispatched after its start time (for /metrics). */
  get lagMs(): number | undefined {
    return this.#lagMs;
  }

  /** Runs in flight or waiting for a slot. */
  get active(): number {
    return this.#running.size;
  }

  #earliest(): { job: string; logicalMs: number; fireAt: number } | undefined {
    let best: { job: string; logicalMs: number; fireAt: number } | undefined;
    for (const job of this.#jobfile.jobs.values()) {
      const next = this.#nextOf(job);
      if (next !== undefined && (best === undefined || next.fireAt < best.fireAt)) best = { job: job.name, ...next };
    }
    const key = best === undefined ? undefined : `${best.job}@${String(best.fireAt)}`;
    if (best !== undefined && key !== this.#armed) {
      this.log({ type: 'armed', job: best.job, logical_time: isoUtc(best.logicalMs), fire_at: isoUtc(best.fireAt) });
    }
    this.#armed = key;
    return best;
  }

  #dispatchDue(now: number): void {
    const groups = new Map<string, { logicalMs: number; trigger: 'schedule' | 'catchup'; roots: string[] }>();
    let moved = false;
    for (const job of this.#jobfile.jobs.values()) {
      const next = this.#nextOf(job);
      if (next === undefined || next.fireAt > now) continue;
      const plan = dueInstants(job, this.#marks[job.name] ?? now, now);
      if (plan === undefined) continue;
      if (plan.run[0]?.trigger === 'schedule') this.#lagMs = now - next.fireAt;
      moved = true;
      this.#marks[job.name] = plan.watermark;
      if (plan.dropped) this.log({ type: 'catchup-capped', job: job.name, limit: 100 });
      for (const logicalMs of plan.missed) {
        recordNotRun(this.engine, { jobfile: this.#jobfile, logicalMs, trigger: 'catchup' }, job,
          { outcome: 'missed', message: `tock was not running at its time (catchup: ${job.catchup})` });
        this.log({ type: 'missed', job: job.name, logical_time: isoUtc(logicalMs), policy: job.catchup });
      }
      if (plan.run.length > 1) {
        // catchup: all runs the missed instants one after another, oldest first.
        this.#chain(job.name, plan.run);
        continue;
      }
      for (const r of plan.run) {
        const key = `${String(r.logicalMs)}/${r.trigger}`;
        const group = groups.get(key) ?? { logicalMs: r.logicalMs, trigger: r.trigger, roots: [] };
        group.roots.push(job.name);
        groups.set(key, group);
      }
    }
    if (moved) this.#saveMarks();
    // Jobs that fire at the same instant form one plan, so a job needing several of them runs once.
    for (const group of groups.values()) this.#track(this.#fire(group.roots, group.logicalMs, group.trigger));
  }

  /**
   * A disk that refuses the watermarks (full, `ulimit -f`) must not stop the daemon: they stay
   * in memory and are saved with the next move; a restart meanwhile catches up from older ones.
   */
  #saveMarks(): void {
    try {
      this.watermarks.save(this.#marks);
    } catch (error) {
      if (!isStorageError(error)) throw error;
      this.log({ type: 'storage-failed', error: describeStorageError(error), lost: 1, what: ['watermarks'] });
    }
  }

  #nextOf(job: Job): { logicalMs: number; fireAt: number } | undefined {
    const mark = this.#marks[job.name] ?? this.engine.clock.now();
    const cached = this.#next.get(job.name);
    if (cached?.mark === mark) return cached.next;
    const next = nextFire(job, mark);
    this.#next.set(job.name, { mark, next });
    return next;
  }

  /**
   * catchup: all runs a job's missed instants one after another. A chain waits for the job's
   * previous chain to settle, never for it to succeed: a bug in one catch-up run is logged and
   * the runs after it (in this chain and later ones) still go.
   */
  #chain(job: string, runs: readonly { logicalMs: number; trigger: 'schedule' | 'catchup' }[]): void {
    const previous = this.#chains.get(job) ?? Promise.resolve();
    const chained = previous.catch(() => undefined).then(async () => {
      for (const r of runs) {
        if (this.engine.stop.aborted) return;
        try {
          await this.#fire([job], r.logicalMs, r.trigger);
        } catch (error) {
          this.log({ type: 'catchup-failed', job, logical_time: isoUtc(r.logicalMs), message: describeError(error) });
        }
      }
    });
    this.#chains.set(job, chained);
    this.#track(chained);
  }

  /**
   * One instant's plan. A paused job (and what its firing pulls in) is recorded skipped `paused`,
   * so its watermark moves on and a resume never catches up on the instants it skipped.
   */
  async #fire(roots: string[], logicalMs: number, trigger: 'schedule' | 'catchup'): Promise<void> {
    const jobfile = this.#jobfile;
    const paused = this.paused();
    this.log({ type: 'fired', jobs: roots, logical_time: isoUtc(logicalMs), trigger });
    await executePlan(this.engine, planFiring(jobfile, roots), {
      jobfile, logicalMs, trigger, slots: this.#slots, dedupe: true, paused,
      joinsOf: (job) => joinsOf(jobfile.jobs, job, logicalMs),
    });
  }

  #track(promise: Promise<unknown>): void {
    const tracked = promise
      .catch((error: unknown) => { this.log({ type: 'error', message: describeError(error) }); })
      .finally(() => this.#running.delete(tracked));
    this.#running.add(tracked);
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.stack ?? error.message : String(error);
}
