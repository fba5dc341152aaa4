import type { DaemonEvent } from './events.js';

// A full disk fails every write: one line a minute says so without flooding the journal.
const EVERY_MS = 60_000;

/**
 * Wraps the daemon's log so that refused writes (the engine's `storage-failed` notices, runs
 * that failed for it, the scheduler's own) come out as one `storage-failed` line at most once a
 * minute, counting what was lost since the last one. Everything else passes through as it is.
 */
export function limitStorageFailures(log: (event: DaemonEvent) => void, now: () => number): (event: DaemonEvent) => void {
  let lastAt = -Infinity;
  let lost = 0;
  let error = '';
  const what = new Set<string>();
  const report = (): void => {
    log({ type: 'storage-failed', error, lost, what: [...what] });
    lastAt = now();
    lost = 0;
    what.clear();
  };
  return (event) => {
    const failure = failureOf(event);
    if (failure !== undefined) {
      lost += failure.lost;
      error = failure.error;
      for (const w of failure.what) what.add(w);
      if (now() - lastAt >= EVERY_MS) report();
    }
    // Before the daemon stops, say what was lost since the last line.
    if (event.type === 'stopped' && lost > 0) report();
    // A run that failed for it is still one line of its own, as every finished run is.
    if (event.type !== 'storage-failed' && !(event.type === 'run' && event.event.type === 'storage-failed')) log(event);
  };
}

function failureOf(event: DaemonEvent): { error: string; lost: number; what: readonly string[] } | undefined {
  if (event.type === 'storage-failed') return event;
  if (event.type !== 'run') return undefined;
  const e = event.event;
  if (e.type === 'storage-failed') return { error: e.error.replace(/^log: /, ''), lost: 1, what: [e.what] };
  if (e.type === 'run-finished' && e.run.reason === 'storage-failed') return { error: e.run.message ?? 'storage failed', lost: 1, what: ['run'] };
  return undefined;
}
