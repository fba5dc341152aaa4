import type { Job } from '../jobfile/types.js';
import { LATE_MS, nextFire } from './due.js';

/** With a daemon up an instant starts within milliseconds: a few seconds past with no run is behind. */
export const DAEMON_LATE_MS = 5_000;

/**
 * When `job` became late, or undefined when it is not: the first instant after `handledMs` (the
 * newest instant tock handled for it: its newest scheduled run in the ledger, the daemon's
 * watermark, or the daemon's start) whose start (jitter applied) is more than `graceMs` before
 * `now`. No baseline (never scheduled by anything) is never late; neither is a job that is
 * disabled, paused or has no schedule (it runs after its needs).
 */
export function lateSince(job: Job, handledMs: number | undefined, now: number, graceMs: number, paused: boolean): number | undefined {
  if (paused || handledMs === undefined) return undefined;
  const next = nextFire(job, handledMs);
  return next !== undefined && next.fireAt <= now - graceMs ? next.fireAt : undefined;
}

/** The grace before an instant with no run counts as late: a minute with no daemon (as the daemon's own), seconds with one. */
export function lateGraceMs(daemonUp: boolean): number {
  return daemonUp ? DAEMON_LATE_MS : LATE_MS;
}
