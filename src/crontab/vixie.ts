import { Calendar, DAY_MS } from '../schedule/cron/calendar.js';
import { offsetAt, offsetChanges } from '../schedule/cron/zone.js';
import { fieldValues } from './fields.js';
import type { CrontabEntry } from './types.js';

// Everything here counts in whole minutes: UTC minutes since the epoch for instants, and "wall
// minutes" (the local clock read as if it were UTC) for what cron matches against, as cron does.
const MINUTE_MS = 60_000;
const DAY = 1440;
// Cron's cron.c sorts a clock change into kinds by how far its wall clock jumped, in minutes.
const SMALL_JUMP = 5;
const LARGE_JUMP = 180;

/**
 * The next `count` instants (UTC ms) strictly after `fromMs` at which Vixie/Debian cron 3.0pl1
 * would start `entry` with its clock in `zone`. The reference semantics for `tock import`'s proof,
 * so it follows cron's rules, not tock's: the day fields are ORed when both are restricted, and
 * across a DST change it does what cron.c's main loop does (see `pushInstants`). With `untilMs`,
 * only those up to it (inclusive), in one walk: a week of an every-5-minutes job is 2,016
 * instants, asked for at once rather than in growing batches. Throws a RangeError for a zone
 * Intl does not know.
 */
export function vixieFirings(entry: Pick<CrontabEntry, 'fields' | 'macro'>, zone: string, fromMs: number, count: number, untilMs = Infinity): number[] {
  const values = fieldValues(entry);
  if (values === undefined || count <= 0) return [];
  const calendar = new Calendar(values);
  const offsets = new Offsets(zone);
  const nextWall = nextWallOf(calendar);
  const fromMinute = Math.floor(fromMs / MINUTE_MS);
  const found: number[] = [];
  // A day back, so a DST catch-up or a repeated hour that straddles `fromMs` is seen whole.
  let wall: number | undefined = fromMinute + offsets.at(fromMinute) - DAY;
  // Instants come out of wall order near a repeated hour; once `count` are found (or past
  // `untilMs`), keep going only while a later wall time could still give an earlier instant.
  const until = Math.floor(untilMs / MINUTE_MS);
  let bound = until;
  let counted = false;
  while ((wall = nextWall(wall)) !== undefined) {
    const near = offsets.near(wall);
    if (wall - Math.max(near.before, near.after) > bound) break;
    pushInstants(wall, near, values.wildcard, fromMinute, found);
    if (found.length >= count && !counted) {
      // Skipped wall times can share one instant: `count` are found once they are distinct.
      const last = sortUnique(found)[count - 1];
      if (last !== undefined) {
        counted = true;
        bound = Math.min(bound, last);
      }
    }
    wall += 1;
  }
  const out: number[] = [];
  for (const m of sortUnique(found)) {
    if (m > until || out.length === count) break;
    out.push(m * MINUTE_MS);
  }
  return out;
}

/**
 * `calendar.nextTime` in wall minutes, for a walk that only goes forward: within a matching day it
 * steps through the day's times from where the last call left off (a week of an every-5-minutes
 * job asks 2,016 times, mostly for the next time of the same day), else asks the calendar.
 */
function nextWallOf(calendar: Calendar): (wall: number) => number | undefined {
  const { times } = calendar;
  let day = NaN;
  let i = 0;
  return (wall) => {
    const ms = wall * MINUTE_MS;
    if (Math.floor(ms / DAY_MS) === day) {
      const from = ms - day * DAY_MS;
      if (i > 0 && (times[i - 1] ?? 0) >= from) i = 0;
      while (i < times.length && (times[i] ?? 0) < from) i++;
      const time = times[i];
      if (time !== undefined) return (day * DAY_MS + time) / MINUTE_MS;
    }
    const next = calendar.nextTime(ms);
    if (next === undefined) return undefined;
    day = Math.floor(next / DAY_MS);
    i = times.indexOf(next - day * DAY_MS);
    return next / MINUTE_MS;
  };
}

function sortUnique(xs: number[]): number[] {
  xs.sort((a, b) => a - b);
  let n = 0;
  for (const x of xs) if (n === 0 || xs[n - 1] !== x) xs[n++] = x;
  xs.length = n;
  return xs;
}

/** The offsets around a wall minute: `before` and `after` the one change at `change`, if any. */
interface Near {
  before: number;
  after: number;
  /** UTC minute of the first instant on the new offset; undefined when nothing changes nearby. */
  change?: number;
}

/**
 * Adds to `out` the instants (UTC minutes) after `after` at which cron starts a job matching wall
 * minute `wall` (no array per firing: a week of minutes is 10,080 of them). Cron keeps a
 * virtual wall clock and compares it with the real one each minute (cron.c, main):
 * - forward by under 5 minutes: it runs every job for each skipped minute, now;
 * - forward by 5 minutes to 3 hours (spring forward): wildcard jobs run on the new time only, and
 *   fixed-time jobs of each skipped minute run now, i.e. at the first minute after the jump;
 * - forward 3 hours or more: treated as a clock correction, only the new time runs;
 * - back by up to 3 hours (fall back): the virtual clock waits for the real one, wildcard jobs
 *   run on the repeated wall times, fixed-time jobs do not run again;
 * - back more than 3 hours: a clock correction, everything runs again.
 */
function pushInstants(wall: number, near: Near, wildcard: boolean, after: number, out: number[]): void {
  const push = (minute: number): void => { if (minute > after) out.push(minute); };
  const { before, after: offsetAfter, change } = near;
  if (change === undefined) {
    push(wall - before);
    return;
  }
  const first = wall - before;
  const second = wall - offsetAfter;
  const jump = offsetAfter - before;
  if (jump > 0 && wall >= change + before && wall < change + offsetAfter) {
    // The wall time was skipped. Cron's timeDiff is the jump plus the one minute that passed.
    if (jump + 1 > LARGE_JUMP) return;
    if (jump + 1 <= SMALL_JUMP || !wildcard) push(change);
    return;
  }
  if (jump < 0 && wall >= change + offsetAfter && wall < change + before) {
    // The wall time happens twice.
    push(first);
    if (wildcard || jump + 1 <= -LARGE_JUMP) push(second);
    return;
  }
  push(first < change ? first : second);
}

/** A zone's UTC offsets in minutes, and the offset change near a wall minute. */
class Offsets {
  private lastDay = NaN;
  private lastNear: Near = { before: 0, after: 0 };

  constructor(private readonly zone: string) {}

  /** The offset (wall minus UTC, minutes) at UTC minute `minute`. */
  at(minute: number): number {
    return Math.round(offsetAt(this.zone, minute * MINUTE_MS) / MINUTE_MS);
  }

  /**
   * The offset change that can affect wall minute `wall`, looked for over the wall day's possible
   * instants (offsets are within -12h..+14h) with a day to spare either side.
   */
  near(wall: number): Near {
    const day = Math.floor(wall / DAY);
    if (day === this.lastDay) return this.lastNear;
    const [change] = offsetChanges(this.zone, (day - 1) * DAY * MINUTE_MS, (day + 2) * DAY * MINUTE_MS);
    const first = this.at(day * DAY - DAY);
    const near: Near = change === undefined ? { before: first, after: first }
      : { before: Math.round(change.before / MINUTE_MS), after: Math.round(change.after / MINUTE_MS), change: Math.ceil(change.at / MINUTE_MS) };
    this.lastDay = day;
    this.lastNear = near;
    return near;
  }
}
