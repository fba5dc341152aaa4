import type { Clock } from '../../src/engine/ports.js';

interface Sleeper {
  at: number;
  resolve: () => void;
}

/**
 * A clock that moves only when the test says. `sleep` registers a waiter; `advance` moves time
 * forward step by step, resolving due waiters in order and letting promise chains settle between.
 */
export class ManualClock implements Clock {
  #now: number;
  #sleepers: Sleeper[] = [];

  constructor(start: number | string) {
    this.#now = typeof start === 'string' ? Date.parse(start) : start;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted === true || ms <= 0) {
        resolve();
        return;
      }
      const onAbort = (): void => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        resolve();
      };
      const sleeper: Sleeper = {
        at: this.#now + ms,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.#sleepers.push(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  sleepUntil(atMs: number, signal?: AbortSignal): Promise<void> {
    return this.sleep(atMs - this.#now, signal);
  }

  /** Moves time forward by `ms`, waking each sleeper at its own instant. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await settle();
    for (;;) {
      const next = this.#sleepers.filter((s) => s.at <= target).sort((a, b) => a.at - b.at)[0];
      if (next === undefined) break;
      this.#now = Math.max(this.#now, next.at);
      this.#sleepers = this.#sleepers.filter((s) => s !== next);
      next.resolve();
      await settle();
    }
    this.#now = target;
    await settle();
  }

  /**
   * The wall clock steps by `ms` (forward or back) without time passing for the sleepers:
   * a timer set for 60 s still fires 60 s of its own time later, as setTimeout does.
   */
  async jump(ms: number): Promise<void> {
    this.#now += ms;
    for (const s of this.#sleepers) s.at += ms;
    await settle();
  }

  /** How many sleepers are waiting (to assert nothing polls). */
  get pending(): number {
    return this.#sleepers.length;
  }
}

/** Lets queued promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
}
