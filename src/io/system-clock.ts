import type { Clock } from '../engine/ports.js';

// setTimeout holds at most 2^31-1 ms (~24.8 days); longer sleeps wake early and the caller re-sleeps.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The real clock: Date.now and one unref'd-free timer per sleep, cancelled by its signal. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
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
    }),
};
