import type { Clock } from '../engine/ports.js';

// setTimeout holds at most 2^31-1 ms (~24.8 days); longer sleeps wake early and the caller re-sleeps.
const MAX_TIMER_MS = 2 ** 31 - 1;
// The last stretch before an instant is waited out on the CPU: a timer wakes at whole ms from the
// event loop's cached time, so it can land a ms or two either side of what was asked.
const SPIN_MS = 1;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted === true || ms <= 0) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.min(ms, MAX_TIMER_MS));
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The real clock: Date.now and one timer per sleep, cancelled by its signal. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep,
  /**
   * Lands on the instant: a timer to a ms before it, then at most SPIN_MS of looking at the clock,
   * so the daemon spawns on the instant without a polling loop (docs/decisions.md). A timer that
   * woke earlier than that (the loop's cached time was behind) returns early: the caller looks at
   * `now()` and sleeps again, as it does after a step of the wall clock.
   */
  async sleepUntil(atMs, signal) {
    const left = atMs - Date.now();
    if (left > SPIN_MS) await sleep(left - SPIN_MS, signal);
    while (signal?.aborted !== true) {
      const now = Date.now();
      if (now >= atMs || atMs - now > SPIN_MS) return;
    }
  },
};
