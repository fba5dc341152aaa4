import { executePlan, recordNotRun } from '../engine/executor.js';
import { Gate } from '../engine/gate.js';
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
import type { QueuedFire } from './fire-queue.js';
import { FireQueue } from './fire-queue.js';
import { adaptLead, LEAD_MS } from './lead.js';

/** Where each job's newest handled instant is kept across restarts. */
export interface WatermarkStore {
  load(): Record<string, number>;
  /** All the marks, and the jobs whose marks moved since the last save (a store may write only those). */
  save(marks: Readonly<Record<string, number>>, moved?: readonly string[]): void;
}

const NOT_PAUSED: ReadonlySet<string> = new Set();

// Long sleeps are cut into naps this long, so a wall-clock jump is noticed within a minute.
const MAX_NAP_MS = 60_000;

/** An instant armed ahead: its gate, its plans, and the watermarks its arming moved (from). */
interface Armed {
  gate: Gate;
  firings: Firing[];
  before: Record<string, number | undefined>;
}

/** The roots of one plan: the jobs that fire at one instant, as one trigger. */
interface Firing {
  roots: string[];
  logicalMs: number;
  trigger: 'schedule' | 'catchup';
}

/**
 * The daemon's loop: one timer for the earliest due instant across all jobs (no per-job timers,
 * no polling), and every due instant dispatched through the same engine as `tock run`. The next
 * fire of each job is computed once per instant and kept in a heap, so a wake costs O(log n)
 * for each job it fires, whatever the number of jobs.
 *
 * An instant on time is armed a few ms ahead (its lead, see lead.ts): the watermarks saved, and
 * each run's key, locks, in-flight record and setup done; at the instant only the spawns are left.
 * Each job's watermark (its newest handled instant) is saved as it moves, so a restart or a clock
 * jump forward catches up on purpose (`catchup`) and a jump backward never re-runs one.
 */
export class Scheduler {
  #jobfile: Jobfile;
  #marks: Record<string, number> = {};
  #slots: Slots;
  readonly #running = new Set<Promise<unknown>>();
  readonly #chains = new Map<string, Promise<unknown>>();
  #wake = new AbortController();
  #armedLine: string | undefined;
  #lagMs: number | undefined;
  #queue = new FireQueue();
  /**
   * Armed instants waiting for their time, earliest first, with what they fire and each fired
   * job's watermark before it was armed (put back if a stop calls the instant off).
   */
  readonly #armed: Armed[] = [];
  #leadMs = LEAD_MS;
  #lastGate: Gate | undefined;
  /** Jobs whose marks moved while the disk refused them: saved with the next move. */
  #unsaved: string[] = [];

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

  /** SIGHUP: the new jobfile takes effect at each job's next instant; running and armed runs go on. */
  reload(jobfile: Jobfile): void {
    const now = this.engine.clock.now();
    for (const name of jobfile.jobs.keys()) this.#marks[name] ??= now;
    if (jobfile.maxParallel !== this.#jobfile.maxParallel) this.#slots = new Slots(jobfile.maxParallel);
    this.#jobfile = jobfile;
    this.#rebuild();
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
    this.#rebuild();
    const stopOrLost = AbortSignal.any([stop, ...(this.lock !== undefined ? [this.lock.lost] : [])]);
    let expected = start;
    while (!stop.aborted) {
      // A stall (SIGSTOP, swap, a suspended VM) may have let another daemon take the lock: look
      // on every wake, before dispatching anything, not on the library's next refresh.
      if (this.lock !== undefined && !this.lock.verify()) break;
      const now = clock.now();
      if (now < expected - 1000) this.log({ type: 'clock-jump', by_ms: now - expected });
      this.#dispatchDue(now);
      this.#arm(now);
      const armed = this.#armed[0];
      if (armed !== undefined) {
        // Only a stop or a lost lock cuts this short (a reload takes effect after it). A wall
        // clock stepped back meanwhile would hold the armed runs until it came round again.
        const at = armed.gate.at;
        const steppedBack = at - clock.now() > this.#leadMs + 1000;
        if (!steppedBack) await clock.sleepUntil(at, stopOrLost);
        expected = at;
        this.#letGo(steppedBack);
        // The runs let go spawn in the microtasks that follow; the loop's own work waits for them.
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      const next = this.#earliest();
      const nap = next === undefined ? MAX_NAP_MS : Math.min(Math.max(0, next.fireAt - this.#leadMs - clock.now()), MAX_NAP_MS);
      expected = clock.now() + nap;
      this.#wake = new AbortController();
      await clock.sleep(nap, AbortSignal.any([stopOrLost, this.#wake.signal]));
      if (clock.now() > expected + MAX_NAP_MS) this.log({ type: 'clock-jump', by_ms: clock.now() - expected });
    }
    // Armed runs whose instant did not come are called off (recorded killed; nothing spawned).
    const reason = this.lock?.lost.aborted === true || stop.reason === 'lock-lost' ? 'lock-lost' : 'shutdown';
    for (const armed of this.#armed.splice(0)) this.#callOff(armed, reason);
    if (this.#unsaved.length > 0 && reason === 'shutdown') this.#saveMarks([]);
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

  /** Every job's next fire after its watermark, computed once (a start, a reload). */
  #rebuild(): void {
    const fires: QueuedFire[] = [];
    let order = 0;
    for (const job of this.#jobfile.jobs.values()) {
      const fire = this.#nextOf(job, order++);
      if (fire !== undefined) fires.push(fire);
    }
    this.#queue = new FireQueue(fires);
  }

  #nextOf(job: Job, order: number): QueuedFire | undefined {
    const next = nextFire(job, this.#marks[job.name] ?? this.engine.clock.now());
    return next === undefined ? undefined : { job: job.name, order, ...next };
  }

  /** The heap's top, logged as `armed` when it changed. */
  #earliest(): QueuedFire | undefined {
    const best = this.#queue.peek();
    const key = best === undefined ? undefined : `${best.job}@${String(best.fireAt)}`;
    if (best !== undefined && key !== this.#armedLine) {
      this.log({ type: 'armed', job: best.job, logical_time: isoUtc(best.logicalMs), fire_at: isoUtc(best.fireAt) });
    }
    this.#armedLine = key;
    return best;
  }

  /**
   * Takes the popped fires' instants due at `now` (their watermarks move, their next fires go
   * back in the heap) and sorts them into plans: jobs that fire at the same instant form one
   * plan, so a job needing several of them runs once. A job with several instants due (catch-up)
   * follows its `catchup` policy.
   */
  #take(fires: readonly QueuedFire[], now: number): Firing[] {
    const groups = new Map<string, Firing>();
    const moved: string[] = [];
    for (const fire of fires) {
      const job = this.#jobfile.jobs.get(fire.job);
      if (job === undefined) continue;
      const plan = dueInstants(job, this.#marks[job.name] ?? now, now);
      if (plan !== undefined) this.#marks[job.name] = plan.watermark;
      const next = this.#nextOf(job, fire.order);
      if (next !== undefined) this.#queue.push(next);
      if (plan === undefined) continue;
      moved.push(job.name);
      if (plan.run[0]?.trigger === 'schedule') this.#lagMs = Math.max(0, now - fire.fireAt);
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
    if (moved.length > 0) this.#saveMarks(moved);
    return [...groups.values()];
  }

  /** What is due now (late: a start, a jump, a timer behind) is dispatched at once, as it comes. */
  #dispatchDue(now: number): void {
    for (const firing of this.#take(this.#queue.popUntil(now), now)) this.#track(this.#fire(firing));
  }

  /**
   * Arms what starts within the lead, one gate per start time: the watermarks are saved and each
   * plan starts now, its runs doing all they can before the gate (see runJob).
   */
  #arm(now: number): void {
    const soon = this.#queue.popUntil(now + this.#leadMs);
    if (soon.length === 0) return;
    if (this.#lastGate !== undefined) this.#leadMs = adaptLead(this.#leadMs, this.#lastGate);
    for (let i = 0; i < soon.length;) {
      const at = (soon[i] as QueuedFire).fireAt;
      let j = i;
      while (j < soon.length && (soon[j] as QueuedFire).fireAt === at) j++;
      // Taken as of its start time: on time by definition, so each runs as `schedule`.
      const batch = soon.slice(i, j);
      const before = Object.fromEntries(batch.map((f) => [f.job, this.#marks[f.job]]));
      const firings = this.#take(batch, at);
      const gate = new Gate(at, this.engine.clock.now() - now);
      this.#armed.push({ gate, firings, before });
      for (const firing of firings) this.#track(this.#fire(firing, gate));
      this.#lastGate = gate;
      i = j;
    }
  }

  /**
   * At the instant: the armed gates whose time has come are opened, and their runs spawn. A lost
   * daemon lock or a stop calls them off instead; so does a wall clock that stepped by more than
   * the lead back meanwhile (`steppedBack`): the instants were taken, so they run now rather than
   * hold their locks until the clock comes round again.
   */
  #letGo(steppedBack: boolean): void {
    const { clock, stop } = this.engine;
    const lost = this.lock !== undefined && !this.lock.verify();
    const now = clock.now();
    const opened: Firing[] = [];
    while (this.#armed[0] !== undefined && (this.#armed[0].gate.at <= now || steppedBack || lost || stop.aborted)) {
      const armed = this.#armed.shift() as Armed;
      const { gate, firings } = armed;
      if (lost || stop.reason === 'lock-lost') this.#callOff(armed, 'lock-lost');
      else if (stop.aborted) this.#callOff(armed, 'shutdown');
      else {
        gate.open();
        this.#lagMs = Math.max(0, now - gate.at);
        opened.push(...firings);
      }
    }
    // Logged once the spawns are done (they run before any I/O callback or immediate).
    if (opened.length > 0) setImmediate(() => { for (const f of opened) this.#logFired(f); });
  }

  /**
   * An armed instant whose time did not come: its runs close `killed` with nothing spawned. On a
   * stop its jobs' watermarks go back to before it (saved as the loop ends), so the next start
   * handles that instant by `catchup` like any other it did not see, instead of losing it to a
   * `systemctl restart` that landed in the lead. A lost lock leaves them: the state dir is
   * another daemon's now.
   */
  #callOff(armed: Armed, reason: 'shutdown' | 'lock-lost'): void {
    armed.gate.callOff(reason);
    if (reason !== 'shutdown') return;
    for (const [job, mark] of Object.entries(armed.before)) {
      if (mark === undefined) continue;
      this.#marks[job] = mark;
      if (!this.#unsaved.includes(job)) this.#unsaved.push(job);
    }
  }

  #logFired(firing: Firing): void {
    this.log({ type: 'fired', jobs: firing.roots, logical_time: isoUtc(firing.logicalMs), trigger: firing.trigger });
  }

  /**
   * A disk that refuses the watermarks (full, `ulimit -f`) must not stop the daemon: they stay
   * in memory and are saved with the next move; a restart meanwhile catches up from older ones.
   */
  #saveMarks(moved: readonly string[]): void {
    try {
      this.watermarks.save(this.#marks, [...this.#unsaved, ...moved]);
      this.#unsaved = [];
    } catch (error) {
      if (!isStorageError(error)) throw error;
      this.#unsaved = [...new Set([...this.#unsaved, ...moved])];
      this.log({ type: 'storage-failed', error: describeStorageError(error), lost: 1, what: ['watermarks'] });
    }
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
          await this.#fire({ roots: [job], ...r });
        } catch (error) {
          this.log({ type: 'catchup-failed', job, logical_time: isoUtc(r.logicalMs), message: describeError(error) });
        }
      }
    });
    this.#chains.set(job, chained);
    this.#track(chained);
  }

  /**
   * One instant's plan, now or behind a gate. A paused job (and what its firing pulls in) is
   * recorded skipped `paused`, so its watermark moves on and a resume never catches up on the
   * instants it skipped.
   */
  async #fire(firing: Firing, gate?: Gate): Promise<void> {
    const jobfile = this.#jobfile;
    const paused = this.paused();
    const { roots, logicalMs, trigger } = firing;
    if (gate === undefined) this.#logFired(firing);
    await executePlan(this.engine, planFiring(jobfile, roots), {
      jobfile, logicalMs, trigger, slots: this.#slots, dedupe: true, paused,
      joinsOf: (job) => joinsOf(jobfile.jobs, job, logicalMs),
      ...(gate !== undefined ? { armed: gate } : {}),
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
