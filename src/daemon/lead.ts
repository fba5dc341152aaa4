import type { Gate } from '../engine/gate.js';

/**
 * How long before an instant its runs are armed, to begin with. Arming writes what must be on
 * disk before a spawn (the watermarks, two lock owner files, the in-flight record: about seven
 * fsyncs), measured at 10-25 ms here (docs/decisions.md); the lead then follows what it takes.
 */
export const LEAD_MS = 50;
/** Never less: a timer and the stat of a pause cost a ms or two on a busy machine. */
export const MIN_LEAD_MS = 20;
/** Never more: a lead near a second would arm an every-second job while its last run spawns. */
export const MAX_LEAD_MS = 500;

/**
 * The next lead, from how long the last armed instant's runs took to reach their gate (a wait
 * for a `max_parallel` slot not counted: no lead would shorten it): twice that, so a slower fsync than the last still lands before the instant, decaying slowly (a tenth
 * a firing) once the disk is quick again.
 */
export function adaptLead(leadMs: number, last: Pick<Gate, 'tookMs'>): number {
  return Math.round(Math.min(MAX_LEAD_MS, Math.max(MIN_LEAD_MS, 2 * last.tookMs, leadMs * 0.9)));
}
