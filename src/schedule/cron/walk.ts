import { Calendar, DAY_MS, FIRST_DAY } from './calendar.js';
import type { CronFields } from './expression.js';
import { offsetAt, offsetChanges, type SteadySpan, steadySpan } from './zone.js';

// One calendar per expression: a 6-field `* * * * * *` has 86,400 times a day to list.
const calendars = new WeakMap<CronFields, Calendar>();

function calendarOf(fields: CronFields): Calendar {
  let calendar = calendars.get(fields);
  if (calendar === undefined) {
    calendar = new Calendar(fields);
    calendars.set(fields, calendar);
  }
  return calendar;
}

/**
 * tock's cron evaluator: an expanded expression's instants in a zone, with SPEC 3's DST rule.
 * A wall time that does not exist (a gap) runs once, shifted forward by the gap, and a wall
 * time that happens twice (a fold) runs once, at its first occurrence, when the hour field is
 * fixed; when it is `*` or a step, the schedule runs by elapsed time: every wall time that
 * exists runs at each of its occurrences, and a gap time not at all.
 */
export class CronWalk {
  private readonly calendar: Calendar;
  private span: SteadySpan | undefined;

  constructor(private readonly fields: CronFields, private readonly zone: string) {
    this.calendar = calendarOf(fields);
  }

  /** The instants strictly after `afterMs`, oldest first; ends at the end of year 9999 or when no day matches. */
  *after(afterMs: number): Generator<number, void, undefined> {
    if (Number.isNaN(afterMs)) return;
    // Two days back: a day's instants can reach into the next UTC day (offsets run -12h..+14h).
    let day = Math.max(FIRST_DAY, Math.floor(Math.max(afterMs, -8.64e15) / DAY_MS) - 2);
    let pending: number[] = [];
    let last = afterMs;
    for (;;) {
      const found = this.calendar.nextDay(day);
      if (found === undefined) break;
      const base = pending.length === 0 ? this.steadyBase(found * DAY_MS) : undefined;
      if (base !== undefined) {
        // A steady day is its times less one offset: start at the first after `last`, found by
        // bisection (a `* * * * * *` day has 86,400 of them, and a daemon asks once per instant).
        const { times } = this.calendar;
        for (let i = firstAbove(times, last - base); i < times.length; i++) yield (last = base + (times[i] ?? 0));
      } else {
        const today = this.dayInstants(found);
        // Near an offset change one day's instants can come after the next day's first (a fold
        // across midnight): hold them until no later day can give an earlier one.
        pending = merge(pending, today.instants);
        const bound = (found + 1) * DAY_MS - this.offsetRange((found + 1) * DAY_MS).max;
        let i = 0;
        for (; i < pending.length && (pending[i] ?? Infinity) < bound; i++) {
          const t = pending[i] ?? Infinity;
          if (t > last) yield (last = t);
        }
        pending = pending.slice(i);
      }
      day = found + 1;
    }
    for (const t of pending) if (t > last) yield (last = t);
  }

  /** The latest instant at or before `atMs`, or undefined when there is none within the search. */
  atOrBefore(atMs: number): number | undefined {
    if (Number.isNaN(atMs)) return undefined;
    let day = Math.floor(Math.min(atMs, 8.64e15) / DAY_MS) + 2;
    let best: number | undefined;
    for (;;) {
      const found = this.calendar.previousDay(day);
      if (found === undefined) return best;
      // No instant of this day or an earlier one can be later than this.
      if (best !== undefined && (found + 1) * DAY_MS - this.offsetRange((found + 1) * DAY_MS).min <= best) return best;
      for (const t of this.dayInstants(found).instants) if (t <= atMs && (best === undefined || t > best)) best = t;
      day = found - 1;
    }
  }

  /**
   * One wall day's instants, ascending, once each. `steady`: the offset does not change within
   * a day either side, so they are the wall times less that one offset.
   */
  private dayInstants(day: number): { instants: number[]; steady: boolean } {
    const midnight = day * DAY_MS;
    const { times } = this.calendar;
    const base = this.steadyBase(midnight);
    if (base !== undefined) return { instants: times.map((t) => base + t), steady: true };
    const changes = offsetChanges(this.zone, midnight - DAY_MS, midnight + 2 * DAY_MS);
    const offsets = [...new Set([offsetAt(this.zone, midnight - DAY_MS), ...changes.map((c) => c.after)])];
    const out: number[] = [];
    for (const time of times) {
      const wall = midnight + time;
      // The instants whose clock reads `wall`: none in a gap, two in a fold.
      const occurrences = offsets.map((o) => wall - o).filter((t) => offsetAt(this.zone, t) === wall - t).sort((a, b) => a - b);
      if (occurrences.length === 0) {
        if (this.fields.elapsed) continue;
        const gap = changes.find((c) => c.after > c.before && wall >= c.at + c.before && wall < c.at + c.after);
        // Shifted forward by the gap: the instant the wall time names on the old offset.
        if (gap !== undefined) out.push(wall - gap.before);
      } else if (this.fields.elapsed) {
        for (const t of occurrences) out.push(t);
      } else {
        out.push(occurrences[0] ?? wall);
      }
    }
    return { instants: sortUnique(out), steady: false };
  }

  /**
   * When the offset does not change within a day either side of the wall day starting at
   * `midnight`, the instant of that day's wall midnight (its times are this plus each time).
   */
  private steadyBase(midnight: number): number | undefined {
    const steady = (span: SteadySpan): boolean => span.after < midnight - DAY_MS && span.before > midnight + 2 * DAY_MS;
    if (this.span === undefined || !steady(this.span)) this.span = steadySpan(this.zone, midnight);
    return steady(this.span) ? midnight - this.span.offset : undefined;
  }

  /** The smallest and largest offset within a day either side of `ms`. */
  private offsetRange(ms: number): { min: number; max: number } {
    const offsets = [offsetAt(this.zone, ms - DAY_MS), ...offsetChanges(this.zone, ms - DAY_MS, ms + DAY_MS).map((c) => c.after)];
    return { min: Math.min(...offsets), max: Math.max(...offsets) };
  }
}

function sortUnique(xs: number[]): number[] {
  xs.sort((a, b) => a - b);
  return xs.filter((x, i) => i === 0 || xs[i - 1] !== x);
}

/** Two ascending lists as one, ascending (duplicates are dropped by the walk's `last`). */
function merge(a: readonly number[], b: readonly number[]): number[] {
  if (a.length === 0) return [...b];
  return [...a, ...b].sort((x, y) => x - y);
}

/** The index of the first of the ascending `xs` above `x` (xs.length when none is). */
function firstAbove(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((xs[mid] ?? Infinity) > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
