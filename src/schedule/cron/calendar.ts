import type { CronFields } from './expression.js';

/**
 * The one calendar matcher: which wall-clock days and times an expanded expression names, with
 * cron's day rule (a day field that starts with `*` does not restrict; with both restricted
 * either may match, otherwise both must). Days are numbered from 1970-01-01 (day 0) in wall
 * time, read as if it were UTC; times are milliseconds into the day.
 */
export const DAY_MS = 86_400_000;

// Every walk ends: at the end of year 9999, and after 400 years (a whole Gregorian cycle, so
// every weekday on every date) with no matching day.
// 0001-01-01 (Date.UTC reads years 0-99 as 19xx, so it is written as a day number).
export const FIRST_DAY = -719_162;
export const LAST_DAY = Math.floor(Date.UTC(9999, 11, 31) / DAY_MS);
const MAX_SEARCH_DAYS = 146_097;

export class Calendar {
  /** The matching times of a day (ms since wall midnight), ascending. */
  readonly times: readonly number[];
  private readonly month: boolean[];
  private readonly dom: boolean[];
  private readonly dow: boolean[];
  private readonly either: boolean;

  constructor(fields: CronFields) {
    this.month = table(fields.month, 13);
    this.dom = table(fields.dom, 32);
    this.dow = table(fields.dow, 7);
    this.either = fields.domRestricted && fields.dowRestricted;
    const times: number[] = [];
    for (const h of fields.hour) for (const m of fields.minute) for (const s of fields.second) times.push(((h * 60 + m) * 60 + s) * 1000);
    this.times = times;
  }

  /** True when the expression names this day. */
  matches(day: number): boolean {
    const { month, date } = civil(day);
    return this.month[month] === true && this.dayMatches(date, weekday(day));
  }

  /** The first matching day at or after `day`, or undefined when none comes within the search. */
  nextDay(day: number): number | undefined {
    for (let tried = 0; tried < MAX_SEARCH_DAYS && day <= LAST_DAY; tried++, day++) {
      const { year, month, date } = civil(day);
      if (this.month[month] !== true) {
        // To the last day of the month; the loop steps onto the 1st of the next.
        day += daysIn(year, month) - date;
        continue;
      }
      if (this.dayMatches(date, weekday(day))) return day;
    }
    return undefined;
  }

  /** The last matching day at or before `day`, or undefined when none comes within the search. */
  previousDay(day: number): number | undefined {
    for (let tried = 0; tried < MAX_SEARCH_DAYS && day >= FIRST_DAY; tried++, day--) {
      const { month, date } = civil(day);
      if (this.month[month] !== true) {
        // To the 1st of the month; the loop steps onto the last day of the one before.
        day -= date - 1;
        continue;
      }
      if (this.dayMatches(date, weekday(day))) return day;
    }
    return undefined;
  }

  /** The first matching wall time (ms, wall read as UTC) at or after `wall`, or undefined. */
  nextTime(wall: number): number | undefined {
    let day = Math.floor(wall / DAY_MS);
    let from = wall - day * DAY_MS;
    for (;;) {
      const found = this.nextDay(day);
      if (found === undefined) return undefined;
      if (found !== day) from = 0;
      const time = this.firstTimeFrom(from);
      if (time !== undefined) return found * DAY_MS + time;
      day = found + 1;
      from = 0;
    }
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

  private dayMatches(date: number, day: number): boolean {
    const dom = this.dom[date] === true;
    const dow = this.dow[day] === true;
    return this.either ? dom || dow : dom && dow;
  }
}

function table(values: readonly number[], size: number): boolean[] {
  const t = new Array<boolean>(size).fill(false);
  for (const v of values) t[v] = true;
  return t;
}

/** 0 Sunday .. 6 Saturday; day 0 was a Thursday. */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** Year, month (1-12) and date of a day number. */
export function civil(day: number): { year: number; month: number; date: number } {
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
