import { unreachable } from '../util/unreachable.js';
import { CronWalk } from './cron/walk.js';
import type { Schedule } from './parse.js';

// JavaScript dates end here; an @every walk stops with them.
const LAST_MS = 8.64e15;

/** The next `count` logical instants strictly after `afterMs`, oldest first (SPEC 2 and 3). */
export function nextInstants(schedule: Schedule, zone: string, afterMs: number, count: number): number[] {
  const instants: number[] = [];
  if (count <= 0) return instants;
  for (const instant of iterateInstants(schedule, zone, afterMs)) {
    instants.push(instant);
    if (instants.length >= count) break;
  }
  return instants;
}

/** Every logical instant in [fromMs, toMs], both ends included, at most `limit` of them, oldest first. */
export function instantsBetween(schedule: Schedule, zone: string, fromMs: number, toMs: number, limit: number): number[] {
  const instants: number[] = [];
  if (limit <= 0 || toMs < fromMs) return instants;
  for (const instant of iterateInstants(schedule, zone, Math.ceil(fromMs) - 1)) {
    if (instant > toMs) break;
    instants.push(instant);
    if (instants.length >= limit) break;
  }
  return instants;
}

/** The latest logical instant at or before `atMs`, or undefined when the schedule never fired before it. */
export function previousInstant(schedule: Schedule, zone: string, atMs: number): number | undefined {
  switch (schedule.kind) {
    case 'every':
      return Math.floor(atMs / schedule.everyMs) * schedule.everyMs;
    case 'cron':
      return new CronWalk(schedule.fields, zone).atOrBefore(atMs);
    default:
      return unreachable(schedule);
  }
}

/**
 * The logical instants strictly after `afterMs`, oldest first, lazily: a minutely job has
 * 525,600 a year, and backfill should not hold them all. Ends when the schedule does (no day
 * matches within 400 years) or at the end of year 9999.
 */
export function* iterateInstants(schedule: Schedule, zone: string, afterMs: number): Generator<number, void, undefined> {
  switch (schedule.kind) {
    case 'every':
      yield* everyAfter(schedule.everyMs, afterMs);
      return;
    case 'cron':
      yield* new CronWalk(schedule.fields, zone).after(afterMs);
      return;
    default:
      unreachable(schedule);
  }
}

// SPEC 2: multiples of the interval since the Unix epoch, whatever the zone.
function* everyAfter(everyMs: number, afterMs: number): Generator<number, void, undefined> {
  for (let t = Math.floor(afterMs / everyMs) * everyMs + everyMs; t <= LAST_MS; t += everyMs) yield t;
}
