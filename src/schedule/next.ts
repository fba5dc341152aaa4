import type { CronExpression } from 'cron-parser';
import { CronExpressionParser } from 'cron-parser';

import { unreachable } from '../util/unreachable.js';
import { zoneOffsetMs } from './offset.js';
import type { Schedule } from './parse.js';

// Wider than any DST change: gaps and repeats are 1 h nearly everywhere (30 min on Lord Howe),
// 2 h at most in history (double summer time).
const DST_MARGIN_MS = 3 * 3_600_000;

// cron-parser's own ways of saying "no more instants": past the Date range, or never matches.
const END_OF_SEQUENCE = ['Out of the time span range', 'Invalid expression, loop limit exceeded'];

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
      return previousCron(schedule.expression, zone, atMs);
    default:
      return unreachable(schedule);
  }
}

/**
 * The logical instants strictly after `afterMs`, oldest first, lazily: a minutely job has
 * 525,600 a year, and backfill should not hold them all. Ends only when the schedule does.
 */
export function* iterateInstants(schedule: Schedule, zone: string, afterMs: number): Generator<number, void, undefined> {
  switch (schedule.kind) {
    case 'every':
      yield* everyAfter(schedule.everyMs, afterMs);
      return;
    case 'cron':
      yield* cronAfter(schedule.expression, zone, afterMs);
      return;
    default:
      unreachable(schedule);
  }
}

// SPEC 2: multiples of the interval since the Unix epoch, whatever the zone.
function* everyAfter(everyMs: number, afterMs: number): Generator<number, void, undefined> {
  for (let t = Math.floor(afterMs / everyMs) * everyMs + everyMs; ; t += everyMs) yield t;
}

function* cronAfter(expression: string, zone: string, afterMs: number): Generator<number, void, undefined> {
  // cron-parser applies SPEC 3's rule only while its walk crosses the change: it moves a time
  // in a skipped hour to the landing hour, and passes over the second copy of a repeated hour.
  // Started inside the change (the landing hour, or the second copy) it would drop that day's
  // shifted run or add a second one. So start before the change and drop what is too early.
  const cron = parseCron(expression, zone, afterMs);
  if (cron === undefined) return;
  // cron-parser runs a repeated hour twice only when the hour field covers all 24 hours; a
  // stepped hour field (`*/2`, `1-23/2`) is "elapsed time" in SPEC 3 too, so add the repeats.
  // A repeat can be after `afterMs` when its first copy is not: start before that too.
  const addRepeats = (expression.split(' ')[2] ?? '').includes('/') && cron.fields.hour.values.length < 24;
  if (offsetChangedWithin(zone, afterMs) || (addRepeats && offsetChangedWithin(zone, afterMs + DST_MARGIN_MS))) {
    cron.reset(new Date(afterMs - DST_MARGIN_MS));
  }
  const repeats: number[] = [];
  let last = afterMs;
  for (;;) {
    const instant = step(() => cron.next().getTime());
    while (repeats.length > 0 && (instant === undefined || (repeats[0] ?? Infinity) <= instant)) {
      const repeat = repeats.shift() ?? Infinity;
      if (repeat > last) yield (last = repeat);
    }
    if (instant === undefined) return;
    if (instant > last) yield (last = instant);
    const repeat = addRepeats ? secondCopy(instant, zone) : undefined;
    if (repeat !== undefined) repeats.push(repeat);
  }
}

function previousCron(expression: string, zone: string, atMs: number): number | undefined {
  // cron-parser's backward walk has no DST rule: it returns both copies of a repeated time and
  // misses the shifted run after a gap. Its answer is only a place to start walking forward:
  // the true one is that or later, or (when that was a repeat) at most one repeat earlier.
  const cron = parseCron(expression, zone, Math.floor(atMs) + 1);
  if (cron === undefined) return undefined;
  const backward = step(() => cron.prev().getTime()) ?? atMs;
  const from = offsetChangedWithin(zone, backward) ? backward - DST_MARGIN_MS : backward;
  let latest: number | undefined;
  for (const instant of cronAfter(expression, zone, from - 1)) {
    if (instant > atMs) break;
    latest = instant;
  }
  return latest;
}

function parseCron(expression: string, zone: string, currentMs: number): CronExpression | undefined {
  try {
    return CronExpressionParser.parse(expression, { currentDate: new Date(currentMs), tz: zone });
  } catch {
    // Fields that can never match together (`0 0 30 2 *`): cron-parser refuses them; no instants.
    return undefined;
  }
}

function step(walk: () => number): number | undefined {
  try {
    return walk();
  } catch (error) {
    if (error instanceof Error && END_OF_SEQUENCE.includes(error.message)) return undefined;
    throw error;
  }
}

/** The instant one repeat later with the same wall-clock time, when `ms` is in the first copy of a repeated hour. */
function secondCopy(ms: number, zone: string): number | undefined {
  const before = zoneOffsetMs(zone, ms);
  const after = zoneOffsetMs(zone, ms + DST_MARGIN_MS);
  if (after >= before) return undefined;
  const again = ms + (before - after);
  return zoneOffsetMs(zone, again) === after ? again : undefined;
}

/** True when the zone's UTC offset changed in the margin before `ms`. */
function offsetChangedWithin(zone: string, ms: number): boolean {
  return zoneOffsetMs(zone, ms - DST_MARGIN_MS) !== zoneOffsetMs(zone, ms);
}
