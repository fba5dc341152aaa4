/** How a pre-armed run is let go: at its instant, or called off before it (SPEC 5: stop, lost daemon lock). */
export type GateCall = 'go' | 'shutdown' | 'lock-lost';

/**
 * The instant pre-armed runs wait for. Everything a run can do before its instant (its run key,
 * its locks, its in-flight record, its setup) it does as soon as it is armed; then it waits here,
 * and at `at` only the spawn is left. Whoever armed it opens it at the instant or calls it off.
 */
export class Gate {
  readonly opened: Promise<GateCall>;
  /** When the last run reached the gate: how long arming took, for whoever chooses the lead. */
  readyAt: number;
  #settle: (call: GateCall) => void = () => undefined;
  #call: GateCall | undefined;

  constructor(readonly at: number, readonly armedAt: number) {
    this.readyAt = armedAt;
    this.opened = new Promise((resolve) => { this.#settle = resolve; });
  }

  /** undefined while it waits; then how it was let go. */
  get call(): GateCall | undefined {
    return this.#call;
  }

  /** A run has done what it could ahead (at `now`) and waits for the instant. */
  wait(now: number): Promise<GateCall> {
    this.readyAt = Math.max(this.readyAt, now);
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
