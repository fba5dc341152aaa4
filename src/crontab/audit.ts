import { offsetChanges } from '../schedule/cron/zone.js';
import { wallMinute } from './audit/wall.js';
import { dstFindings } from './audit/dst.js';
import { lineFindings } from './audit/line-checks.js';
import type { Firings } from './audit/week.js';
import { duplicateFindings, weekFindings } from './audit/week.js';
import { fieldValues } from './fields.js';
import type { Finding } from './finding.js';
import { SEVERITY_ORDER } from './finding.js';
import type { Crontab, CrontabEntry } from './types.js';
import { vixieFirings } from './vixie.js';
import { entryZone, unknownZoneReason } from './entry-zone.js';

const WEEK_MS = 7 * 86_400_000;
const YEAR_MS = 365 * 86_400_000;
// A minutely job has 10,080 starts a week: the most a week can hold.
const MAX_FIRINGS = 10_081;

export interface Histogram {
  zone: string;
  /** Jobs read in this zone. */
  jobs: number;
  /** Starts per hour of the zone's day (24 counts). */
  hours: number[];
}

export interface AuditResult {
  findings: Finding[];
  jobs: number;
  files: string[];
  /** Starts per hour of the day over the coming week: one histogram per zone the jobs are read in, the busiest first. */
  histograms: Histogram[];
  /** The busiest minutes of the coming week: when, and how many jobs start. */
  busiest: { at: number; count: number }[];
}

/**
 * SPEC 7: every finding across all the crontabs audited together (clashes and duplicates are
 * across files), most severe first, then by file and line.
 */
export function auditCrontabs(crontabs: readonly Crontab[], now: number, systemZone: string, durationOf?: (entry: CrontabEntry) => number | undefined): AuditResult {
  const entries = crontabs.flatMap((c) => c.entries);
  const zoneOf = (e: CrontabEntry): string => entryZone(e, systemZone);
  // A jobfile's jobs count in clashes, overlaps and the histogram; cron's line rules are not theirs.
  const cronOnly = crontabs.filter((c) => c.origin !== 'jobfile');
  const findings: Finding[] = cronOnly.flatMap((c) => lineFindings(c));
  // An entry in a zone nobody knows (a path, a typo) has no instants to compute: it is a finding.
  const badZone = (e: CrontabEntry): boolean => unknownZoneReason(zoneOf(e)) !== undefined;
  for (const entry of entries.filter(badZone)) findings.push(zoneFinding(entry, zoneOf(entry)));
  // Thousands of lines share a few schedules (`*/5 * * * *`): each schedule's week, in each zone, is walked once.
  const weeks = new Map<string, readonly number[]>();
  const weekOf = (entry: CrontabEntry): readonly number[] => {
    const zone = zoneOf(entry);
    const key = `${zone}\u0000${String(entry.everyMs ?? '')}\u0000${entry.macro ?? entry.fields?.join(' ') ?? ''}`;
    let at = weeks.get(key);
    if (at === undefined) {
      at = firingsUntil(entry, zone, now, now + WEEK_MS);
      weeks.set(key, at);
    }
    return at;
  };
  const firings: Firings[] = entries.map((entry) => ({ entry, at: entry.macro === '@reboot' || badZone(entry) ? [] : weekOf(entry) }));
  findings.push(...weekFindings(firings, zoneOf, durationOf), ...duplicateFindings(cronOnly.flatMap((c) => c.entries)), ...readsWhatOthersWrite(firings));
  const changes = new Map<string, ReturnType<typeof offsetChanges>>();
  for (const entry of cronOnly.flatMap((c) => c.entries)) {
    const fields = entry.macro === '@reboot' || badZone(entry) ? undefined : fieldValues(entry);
    if (fields === undefined) continue;
    const zone = zoneOf(entry);
    // The coming year's offset changes, once per zone: not a year of samples per line.
    let zoneChanges = changes.get(zone);
    if (zoneChanges === undefined) {
      zoneChanges = offsetChanges(zone, now, now + YEAR_MS);
      changes.set(zone, zoneChanges);
    }
    findings.push(...dstFindings(entry, fields, zone, zoneChanges));
  }
  findings.sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || a.file.localeCompare(b.file) || a.line - b.line);

  return { findings, jobs: entries.length, files: crontabs.map((c) => c.file), histograms: histograms(firings, zoneOf), busiest: busiestMinutes(firings, now) };
}

/** The five minutes of the week where most jobs start (more than one), most first, then earliest. */
function busiestMinutes(firings: readonly Firings[], now: number): { at: number; count: number }[] {
  // Every start is a whole minute in (now, now + a week]: counted in an array, not a map of millions.
  const first = Math.floor(now / 60_000);
  const perMinute = new Int32Array(WEEK_MS / 60_000 + 2);
  // Entries of one schedule share their week (see `weekOf`): each week is added once, times its entries.
  const entriesOf = new Map<readonly number[], number>();
  for (const f of firings) entriesOf.set(f.at, (entriesOf.get(f.at) ?? 0) + 1);
  for (const [at, entries] of entriesOf) {
    for (const t of at) {
      const i = t / 60_000 - first;
      if (!(i >= 0 && i < perMinute.length && Number.isInteger(i))) throw new Error(`internal: a start outside the week: ${new Date(t).toISOString()}`);
      perMinute[i] = (perMinute[i] ?? 0) + entries;
    }
  }
  const minutes: { at: number; count: number }[] = [];
  perMinute.forEach((count, i) => { if (count > 1) minutes.push({ at: (first + i) * 60_000, count }); });
  return minutes.sort((a, b) => b.count - a.count || a.at - b.at).slice(0, 5);
}

/** Each job's starts in its own zone's hours (CRON_TZ/TZ, else the host's): a histogram per zone, busiest first. */
function histograms(firings: readonly Firings[], zoneOf: (e: CrontabEntry) => string): Histogram[] {
  const byZone = new Map<string, Histogram>();
  const hoursOf = new Map<readonly number[], number[]>();
  for (const f of firings) {
    const zone = zoneOf(f.entry);
    if (unknownZoneReason(zone) !== undefined) continue;
    const histogram = byZone.get(zone) ?? { zone, jobs: 0, hours: Array.from({ length: 24 }, () => 0) };
    histogram.jobs++;
    // Entries of one schedule share their week (see `weekOf`): its hours are counted once.
    let hours = hoursOf.get(f.at);
    if (hours === undefined) {
      hours = new Array<number>(24).fill(0);
      for (const t of f.at) {
        const hour = Math.floor((((wallMinute(t, zone) % 1440) + 1440) % 1440) / 60);
        hours[hour] = (hours[hour] ?? 0) + 1;
      }
      hoursOf.set(f.at, hours);
    }
    hours.forEach((n, hour) => { histogram.hours[hour] = (histogram.hours[hour] ?? 0) + n; });
    byZone.set(zone, histogram);
  }
  const total = (h: Histogram): number => h.hours.reduce((a, b) => a + b, 0);
  return [...byZone.values()].sort((a, b) => total(b) - total(a) || b.jobs - a.jobs);
}

function zoneFinding(entry: CrontabEntry, zone: string): Finding {
  const name = entry.env.CRON_TZ !== undefined && entry.env.CRON_TZ !== '' ? 'CRON_TZ' : 'TZ';
  return { severity: 'error', code: 'syntax', file: entry.file, line: entry.line,
    message: `${name}=${JSON.stringify(zone)} above this line is not a time zone this host knows (the IANA tz database has no such name), so when it runs cannot be said`,
    fix: `set ${name} to a zone name like Europe/London (timedatectl list-timezones), or remove the line for the host's zone` };
}

/** An entry's starts in (from, to], at most a week's worth. */
function firingsUntil(entry: CrontabEntry, zone: string, from: number, to: number): number[] {
  if (entry.everyMs !== undefined) return everyMinutes(entry.everyMs, from, to);
  return vixieFirings(entry, zone, from, MAX_FIRINGS, to);
}

/**
 * An `@every` job's starts in (from, to] at minute resolution: the minutes holding a multiple of
 * the interval since the epoch (an every-10-seconds job starts in every minute), at most a week's.
 */
function everyMinutes(everyMs: number, from: number, to: number): number[] {
  const out: number[] = [];
  for (let t = (Math.floor(from / everyMs) + 1) * everyMs; t <= to && out.length < MAX_FIRINGS; t += everyMs) {
    const minute = Math.floor(t / 60_000) * 60_000;
    if (minute > from && out.at(-1) !== minute) out.push(minute);
  }
  return out;
}

/**
 * `hidden-dependency`: a job that starts a few minutes after another and reads a file the other
 * writes (`> file`): cron cannot say "after", so the gap stands in for it. Written paths are
 * indexed once, so this is linear in the number of jobs, not quadratic.
 */
function readsWhatOthersWrite(firings: readonly Firings[]): Finding[] {
  const writers = new Map<string, Firings[]>();
  const writes = new Map<Firings, Set<string>>();
  for (const f of firings) {
    const paths = new Set([...f.entry.command.matchAll(/>>?\s*([^\s;&|]+)/g)].map((m) => m[1] ?? '').filter((p) => p !== '' && !p.startsWith('/dev/') && !p.startsWith('&')));
    writes.set(f, paths);
    for (const path of paths) writers.set(path, [...(writers.get(path) ?? []), f]);
  }
  const out: Finding[] = [];
  for (const reader of firings) {
    const own = writes.get(reader) ?? new Set<string>();
    const mentioned = new Set(reader.entry.command.split(/[\s;&|<>()"']+/).filter((t) => writers.has(t) && !own.has(t)));
    for (const path of mentioned) {
      for (const writer of writers.get(path) ?? []) {
        const first = writer.at[0];
        if (writer === reader || first === undefined) continue;
        const start = reader.at.find((t) => t > first);
        if (start === undefined || start - first > 60 * 60_000) continue;
        out.push({ severity: 'warning', code: 'hidden-dependency', file: reader.entry.file, line: reader.entry.line,
          message: `starts ${String(Math.round((start - first) / 60_000))} min after ${writer.entry.file}:${String(writer.entry.line)} and reads ${path}, which that job writes: the gap is a guess at how long it takes`,
          fix: 'in tock: needs: [the writer] runs it as soon as the writer succeeds, and never on a half-written file' });
      }
    }
  }
  return out;
}
