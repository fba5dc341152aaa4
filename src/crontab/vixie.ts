import { zoneOffsetMs } from '../schedule/offset.js';
import { fieldValues, type FieldValues } from './fields.js';
import type { CrontabEntry } from './types.js';

// Everything here counts in whole minutes: UTC minutes since the epoch for instants, and "wall
// minutes" (the local clock read as if it were UTC) for what cron matches against, as cron does.
const MINUTE_MS = 60_000;
const DAY = 1440;
// Cron's cron.c sorts a clock change into kinds by how far its wall clock jumped, in minutes.
const SMALL_JUMP = 5;
const LARGE_JUMP = 180;
// Give up looking for a matching day after this long: `0 0 30 2 *` never runs.
const MAX_SEARCH_DAYS = 366 * 400;
// JavaScript dates end at ±8.64e15 ms.
const LAST_MINUTE = 8.64e15 / MINUTE_MS - 2 * DAY;

/**
 * The next `count` instants (UTC ms) strictly after `fromMs` at which Vixie/Debian cron 3.0pl1
 * would start `entry` with its clock in `zone`. The reference semantics for `tock import`'s proof,
 * so it follows cron's rules, not tock's: the day fields are ORed when both are restricted, and
 * across a DST change it does what cron.c's main loop does (see `instantsOf`). Throws a RangeError
 * for a zone Intl does not know.
 */
export function vixieFirings(entry: Pick<CrontabEntry, 'fields' | 'macro'>, zone: string, fromMs: number, count: number): number[] {
  const values = fieldValues(entry);
  if (values === undefined || count <= 0) return [];
  const calendar = new Calendar(values);
  const offsets = new Offsets(zone);
  const fromMinute = Math.floor(fromMs / MINUTE_MS);
  const found: number[] = [];
  // A day back, so a DST catch-up or a repeated hour that straddles `fromMs` is seen whole.
  let wall: number | undefined = fromMinute + offsets.at(fromMinute) - DAY;
  // Instants come out of wall order near a repeated hour; once `count` are found, keep going
  // only while a later wall time could still give an earlier instant.
  let bound = Infinity;
  while ((wall = calendar.next(wall)) !== undefined) {
    const near = offsets.near(wall);
    if (wall - Math.max(near.before, near.after) > bound) break;
    for (const minute of instantsOf(wall, near, values.wildcard)) if (minute > fromMinute) found.push(minute);
    if (found.length >= count && bound === Infinity) bound = sortUnique(found)[count - 1] ?? Infinity;
    wall += 1;
  }
  return sortUnique(found).slice(0, count).map((m) => m * MINUTE_MS);
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
 * The instants (UTC minutes) at which cron starts a job matching wall minute `wall`. Cron keeps a
 * virtual wall clock and compares it with the real one each minute (cron.c, main):
 * - forward by under 5 minutes: it runs every job for each skipped minute, now;
 * - forward by 5 minutes to 3 hours (spring forward): wildcard jobs run on the new time only, and
 *   fixed-time jobs of each skipped minute run now, i.e. at the first minute after the jump;
 * - forward 3 hours or more: treated as a clock correction, only the new time runs;
 * - back by up to 3 hours (fall back): the virtual clock waits for the real one, wildcard jobs
 *   run on the repeated wall times, fixed-time jobs do not run again;
 * - back more than 3 hours: a clock correction, everything runs again.
 */
function instantsOf(wall: number, near: Near, wildcard: boolean): number[] {
  const { before, after, change } = near;
  if (change === undefined) return [wall - before];
  const first = wall - before;
  const second = wall - after;
  const jump = after - before;
  if (jump > 0 && wall >= change + before && wall < change + after) {
    // The wall time was skipped. Cron's timeDiff is the jump plus the one minute that passed.
    if (jump + 1 > LARGE_JUMP) return [];
    if (jump + 1 <= SMALL_JUMP || !wildcard) return [change];
    return [];
  }
  if (jump < 0 && wall >= change + after && wall < change + before) {
    // The wall time happens twice.
    return wildcard || jump + 1 <= -LARGE_JUMP ? [first, second] : [first];
  }
  return [first < change ? first : second];
}

/** Finds the wall minutes an entry's fields match, skipping days that cannot. */
class Calendar {
  private readonly month: boolean[];
  private readonly dom: boolean[];
  private readonly dow: boolean[];
  /** The minutes of a day (hour * 60 + minute) that match, ascending. */
  private readonly times: number[] = [];

  constructor(private readonly values: FieldValues) {
    this.month = table(values.month, 13);
    this.dom = table(values.dom, 32);
    this.dow = table(values.dow, 7);
    for (const h of values.hour) for (const m of values.minute) this.times.push(h * 60 + m);
  }

  /** The first matching wall minute at or after `wall`, or undefined if none within the search. */
  next(wall: number): number | undefined {
    let day = Math.floor(wall / DAY);
    let from = wall - day * DAY;
    for (let tried = 0; tried < MAX_SEARCH_DAYS && day * DAY < LAST_MINUTE; tried++, day++, from = 0) {
      const { year, month, date } = civil(day);
      if (this.month[month] !== true) {
        // Jump to the last day of the month; the loop steps onto the 1st of the next.
        day += daysIn(year, month) - date;
        continue;
      }
      if (!this.dayMatches(date, (((day + 4) % 7) + 7) % 7)) continue;
      const time = this.firstTimeFrom(from);
      if (time !== undefined) return day * DAY + time;
    }
    return undefined;
  }

  private firstTimeFrom(from: number): number | undefined {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.times[mid] ?? Infinity) < from) lo = mid + 1;
      else hi = mid;
    }
    return this.times[lo];
  }

  private dayMatches(date: number, weekday: number): boolean {
    const dom = this.dom[date] === true;
    const dow = this.dow[weekday] === true;
    // cron.c: if either day field starts with `*` both must match, else either may.
    return this.values.domRestricted && this.values.dowRestricted ? dom || dow : dom && dow;
  }
}

function table(values: readonly number[], size: number): boolean[] {
  const t = new Array<boolean>(size).fill(false);
  for (const v of values) t[v] = true;
  return t;
}

/** Year, month (1-12) and date of a day number (days since 1970-01-01). */
function civil(day: number): { year: number; month: number; date: number } {
  // Howard Hinnant's days-to-civil: exact for the whole proleptic Gregorian calendar.
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const date = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, date };
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

// Offsets are sampled on a fixed grid so that neighbouring days, and every entry in the same
// zone, share their samples. No zone changes its offset twice within three days, so equal
// offsets at both ends of a window mean no change inside it.
const SAMPLE = 720;
const MAX_SAMPLES = 1_000_000;
const samplesByZone = new Map<string, Map<number, number>>();

/** A zone's UTC offsets in minutes, cached, and the offset change near a wall minute. */
class Offsets {
  private readonly samples: Map<number, number>;
  private lastDay = NaN;
  private lastNear: Near = { before: 0, after: 0 };

  constructor(private readonly zone: string) {
    let samples = samplesByZone.get(zone);
    if (samples === undefined || samples.size > MAX_SAMPLES) {
      samples = new Map();
      samplesByZone.set(zone, samples);
    }
    this.samples = samples;
  }

  /** The offset (wall minus UTC, minutes) at UTC minute `minute`. */
  at(minute: number): number {
    return Math.round(zoneOffsetMs(this.zone, minute * MINUTE_MS) / MINUTE_MS);
  }

  /**
   * The offset change that can affect wall minute `wall`, looked for over the wall day's possible
   * instants (offsets are within -12h..+14h) with a day to spare either side.
   */
  near(wall: number): Near {
    const day = Math.floor(wall / DAY);
    if (day === this.lastDay) return this.lastNear;
    const from = Math.floor((day * DAY - DAY) / SAMPLE);
    const to = Math.ceil((day * DAY + 2 * DAY) / SAMPLE);
    const first = this.sample(from);
    let near: Near = { before: first, after: first };
    if (this.sample(to) !== first) {
      for (let k = from; k < to && near.change === undefined; k++) {
        const a = this.sample(k);
        const b = this.sample(k + 1);
        if (a !== b) near = { before: a, after: b, change: this.changeBetween(k * SAMPLE, (k + 1) * SAMPLE, a) };
      }
    }
    this.lastDay = day;
    this.lastNear = near;
    return near;
  }

  private sample(k: number): number {
    let offset = this.samples.get(k);
    if (offset === undefined) {
      offset = this.at(k * SAMPLE);
      this.samples.set(k, offset);
    }
    return offset;
  }

  /** The first UTC minute in (lo, hi] whose offset is no longer `before`. */
  private changeBetween(lo: number, hi: number, before: number): number {
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.at(mid) === before) lo = mid;
      else hi = mid;
    }
    return hi;
  }
}
