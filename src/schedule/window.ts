import { instantsBetween } from './next.js';
import type { Schedule } from './parse.js';

/**
 * Every logical instant in [fromMs, toMs], oldest first, at most `limit`: what backfill plans.
 * The evaluator walks whole wall days, so a year of a minutely job (525,600) is quick.
 */
export function instantsInWindow(schedule: Schedule, zone: string, fromMs: number, toMs: number, limit: number): number[] {
  return instantsBetween(schedule, zone, fromMs, toMs, limit);
}
