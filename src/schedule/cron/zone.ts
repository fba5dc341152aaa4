/**
 * The zone model every schedule walk uses: a zone's UTC offset at an instant and its offset
 * changes, found exactly (to the second) for any size of change: an hour, 30 minutes (Lord
 * Howe), 45 minutes (Chatham), or a whole day (Samoa, 2011). The zone database is Intl's (ICU).
 */

/** A change of a zone's offset: from `at` (UTC ms, the first instant on the new offset) on, `after` applies. */
export interface OffsetChange {
  at: number;
  before: number;
  after: number;
}

const SAMPLE_MS = 3 * 86_400_000;

// One formatter per zone (and per locale for zone names), the only Intl cache in tock: building
// one wakes ICU, which costs far more than using it. `longOffset` gives the offset itself
// ("GMT+05:45"), so nothing is parsed back from a local date.
const formatters = new Map<string, Intl.DateTimeFormat | undefined>();

function formatter(zone: string, locale = 'en-US', timeZoneName: 'longOffset' | 'short' = 'longOffset'): Intl.DateTimeFormat | undefined {
  const key = timeZoneName === 'longOffset' ? zone : `${zone}\u0000${locale}`;
  if (formatters.has(key)) return formatters.get(key);
  let format: Intl.DateTimeFormat | undefined;
  try {
    format = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName });
  } catch {
    format = undefined;
  }
  formatters.set(key, format);
  return format;
}

/** True when the IANA zone is known to this Node.js (its ICU data). */
export function isKnownZone(zone: string): boolean {
  return isUtc(zone) || formatter(zone) !== undefined;
}

function isUtc(zone: string): boolean {
  return zone === 'UTC' || zone === 'Etc/UTC';
}

/** The zone's offset from UTC at `ms` (local wall time minus UTC), in milliseconds, straight from Intl. */
function intlOffset(zone: string, ms: number): number {
  const format = formatter(zone);
  if (format === undefined) throw new RangeError(`unknown time zone ${zone}`);
  // "1/1/2026, GMT-05:00", "GMT+05:45", "GMT-04:56:02" (local mean time), or plain "GMT" for zero.
  const text = format.format(ms);
  const at = text.lastIndexOf('GMT') + 3;
  if (at >= text.length) return 0;
  const number = (from: number): number => Number(text.slice(from, from + 2));
  const seconds = (number(at + 1) * 60 + number(at + 4)) * 60 + (text.length > at + 6 ? number(at + 7) : 0);
  return (text[at] === '-' ? -1 : 1) * seconds * 1000;
}

interface Year {
  start: number;
  changes: OffsetChange[];
}

// A zone's changes, by UTC year, found on first use: sampled every 3 days, then narrowed to the
// second. Two changes closer than that would hide each other; in the zone database no zone has
// changed twice within a week since 1970 (the closest: Brazil's in October 2000, 7 days apart).
const years = new Map<string, Map<number, Year>>();

function yearOf(zone: string, year: number): Year {
  let byYear = years.get(zone);
  if (byYear === undefined) {
    byYear = new Map();
    years.set(zone, byYear);
  }
  let found = byYear.get(year);
  if (found === undefined) {
    found = scanYear(zone, year);
    byYear.set(year, found);
  }
  return found;
}

function scanYear(zone: string, year: number): Year {
  const from = Date.UTC(year, 0, 1);
  const to = Date.UTC(year + 1, 0, 1);
  const start = intlOffset(zone, from);
  const changes: OffsetChange[] = [];
  let previous = start;
  for (let t = from; t < to; t += SAMPLE_MS) {
    const next = Math.min(t + SAMPLE_MS, to);
    const offset = intlOffset(zone, next);
    if (offset !== previous) changes.push({ at: narrow(zone, t, next, previous), before: previous, after: offset });
    previous = offset;
  }
  return { start, changes };
}

/** The first whole second in (lo, hi] whose offset is no longer `before`. */
function narrow(zone: string, lo: number, hi: number, before: number): number {
  let a = Math.floor(lo / 1000);
  let b = Math.ceil(hi / 1000);
  while (b - a > 1) {
    const mid = Math.floor((a + b) / 2);
    if (intlOffset(zone, mid * 1000) === before) a = mid;
    else b = mid;
  }
  return b * 1000;
}

function utcYear(ms: number): number {
  return new Date(ms).getUTCFullYear();
}

/** The zone's offset from UTC at `ms` (wall time minus UTC), in milliseconds. Throws a RangeError for an unknown zone. */
export function offsetAt(zone: string, ms: number): number {
  if (isUtc(zone)) return 0;
  const { start, changes } = yearOf(zone, utcYear(ms));
  let offset = start;
  for (const change of changes) {
    if (change.at > ms) break;
    offset = change.after;
  }
  return offset;
}

/** Each offset change with `at` in [fromMs, toMs], oldest first. */
export function offsetChanges(zone: string, fromMs: number, toMs: number): OffsetChange[] {
  if (isUtc(zone) || toMs < fromMs) return [];
  const out: OffsetChange[] = [];
  for (let year = utcYear(fromMs); year <= utcYear(toMs); year++) {
    for (const change of yearOf(zone, year).changes) if (change.at >= fromMs && change.at <= toMs) out.push(change);
  }
  return out;
}

/** A stretch of time with no offset change: every change is at or before `after`, or at or after `before`. */
export interface SteadySpan {
  after: number;
  before: number;
  offset: number;
}

/** The stretch around `ms` without an offset change, looked for a year either side. */
export function steadySpan(zone: string, ms: number): SteadySpan {
  if (isUtc(zone)) return { after: -Infinity, before: Infinity, offset: 0 };
  const year = utcYear(ms);
  let after = Date.UTC(year - 1, 0, 1);
  let before = Date.UTC(year + 2, 0, 1);
  for (const change of offsetChanges(zone, after, before - 1)) {
    if (change.at <= ms) after = change.at;
    else if (change.at < before) before = change.at;
  }
  return { after, before, offset: offsetAt(zone, ms) };
}

/**
 * An instant as local ISO 8601 in `zone` with its offset, to the second:
 * `2026-11-21T11:15:00+09:00`, or `...Z` in UTC.
 */
export function isoInZone(ms: number, zone: string): string {
  const whole = Math.floor(ms / 1000) * 1000;
  if (isUtc(zone)) return new Date(whole).toISOString().replace('.000Z', 'Z');
  const offset = intlOffset(zone, whole);
  const local = new Date(whole + offset).toISOString().slice(0, 19);
  const seconds = Math.abs(offset) / 1000;
  const two = (n: number): string => String(Math.floor(n)).padStart(2, '0');
  // Local mean time offsets have seconds (New York's was -04:56:02).
  const rest = seconds % 60 === 0 ? '' : `:${two(seconds % 60)}`;
  return `${local}${offset < 0 ? '-' : '+'}${two(seconds / 3600)}:${two((seconds / 60) % 60)}${rest}`;
}

// CLDR gives a zone its letters abbreviation only in the locales where it is commonly used
// (CET in en-GB, EST in en-US, IST in en-IN, AEST in en-AU); these English ones never disagree.
const NAME_LOCALES = ['en-US', 'en-GB', 'en-AU', 'en-IN', 'en-NZ', 'en-IE', 'en-ZA', 'en-SG'];
// A zone's name by its offset: CET/CEST, EST/EDT. Looked up once per (zone, offset).
const names = new Map<string, string>();

/**
 * What a person calls the zone at `ms`: its abbreviation where Intl has one in letters
 * (`CET`, `EDT`, `UTC`), else the offset (`+0530`, `-0300`).
 */
export function zoneName(zone: string, ms: number): string {
  if (isUtc(zone)) return 'UTC';
  const offset = offsetAt(zone, ms);
  const key = `${zone}\u0000${String(offset)}`;
  const known = names.get(key);
  if (known !== undefined) return known;
  let name: string | undefined;
  for (const locale of NAME_LOCALES) {
    const text = formatter(zone, locale, 'short')?.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value;
    if (text !== undefined && /^[A-Z]{2,5}$/.test(text)) {
      name = text;
      break;
    }
  }
  const minutes = Math.round(Math.abs(offset) / 60_000);
  const two = (n: number): string => String(n).padStart(2, '0');
  name ??= `${offset < 0 ? '-' : '+'}${two(Math.floor(minutes / 60))}${two(minutes % 60)}`;
  names.set(key, name);
  return name;
}
