/** How a pre-armed run is let go: at its instant, or called off before it (SPEC 5: stop, lost daemon lock). */
export type GateCall = 'go' | 'shutdown' | 'lock-lost';

/**
 * The instant pre-armed runs wait for. Everything a run can do before its instant (its run key,
 * its locks, its in-flight record, its setup) it does as soon as it is armed; then it waits here,
 * and at `at` only the spawn is left. Whoever armed it opens it at the instant or calls it off.
 */
export class Gate {
  readonly opened: Promise<GateCall>;
  /**
   * How long arming took: what was done before the runs started (`beforeMs`), plus the longest a
   * run took from starting to arm to reaching the gate. For whoever chooses the lead.
   */
  tookMs: number;
  #settle: (call: GateCall) => void = () => undefined;
  #call: GateCall | undefined;

  constructor(readonly at: number, private readonly beforeMs = 0) {
    this.tookMs = beforeMs;
    this.opened = new Promise((resolve) => { this.#settle = resolve; });
  }

  /** undefined while it waits; then how it was let go. */
  get call(): GateCall | undefined {
    return this.#call;
  }

  /**
   * A run that began to arm at `since` (once it had a `max_parallel` slot) has done what it could
   * ahead, at `now`, and waits for the instant.
   */
  wait(since: number, now: number): Promise<GateCall> {
    this.tookMs = Math.max(this.tookMs, this.beforeMs + now - since);
    return this.opened;
  }

  open(): void {
    this.#let('go');
  }

  callOff(reason: Exclude<GateCall, 'go'>): void {
    this.#let(reason);
  }

  #let(call: GateCall): void {
    if (this.#call !== undefined) return;
    this.#call = call;
    this.#settle(call);
  }
}
