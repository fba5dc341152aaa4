import type { Finding } from '../finding.js';
import type { CrontabEntry } from '../types.js';

// A job this frequent clashes with everything; it is reported as a possible overlap instead.
const FREQUENT_MS = 5 * 60_000;

export interface Firings {
  entry: CrontabEntry;
  /** Minutes (UTC ms) it starts in the coming week. */
  at: readonly number[];
}

/**
 * `clash`: minutes of the coming week where several jobs start together, grouped by the set of
 * jobs (a herd at three or more). `overlap`: a job that starts more often than its recent runs
 * took (from tock's ledger), or every 5 minutes or more often with no lock.
 */
export function weekFindings(firings: readonly Firings[], zoneOf: (e: CrontabEntry) => string, durationOf: (e: CrontabEntry) => number | undefined = () => undefined): Finding[] {
  const out: Finding[] = [];
  const byMinute = new Map<number, number[]>();
  firings.forEach((f, i) => {
    const gap = smallestGap(f.at);
    const took = durationOf(f.entry);
    if (gap !== undefined && took !== undefined && took > gap) {
      out.push({ severity: 'warning', code: 'overlap', file: f.entry.file, line: f.entry.line,
        message: `starts every ${String(Math.round(gap / 60_000))} min, but its recent runs took up to ${String(Math.round(took / 60_000))} min (tock's ledger): runs overlap`,
        fix: 'give it more time between runs; tock never overlaps a job (concurrency: forbid), and skips a start that finds it still running' });
    }
    if (gap !== undefined && gap <= FREQUENT_MS) {
      if (!/\bflock\b|\blockrun\b|\bsetlock\b/.test(f.entry.command)) {
        out.push({ severity: 'warning', code: 'overlap', file: f.entry.file, line: f.entry.line,
          message: `runs every ${String(Math.round(gap / 60_000))} min with no lock: a slow run overlaps the next`,
          fix: 'tock never overlaps a job (concurrency: forbid is the default); or wrap it in flock -n' });
      }
      return;
    }
    for (const minute of f.at) byMinute.set(minute, [...(byMinute.get(minute) ?? []), i]);
  });
  const groups = new Map<string, { members: number[]; first: number; count: number }>();
  for (const [minute, members] of byMinute) {
    if (members.length < 2) continue;
    const key = members.join(',');
    const group = groups.get(key) ?? { members, first: minute, count: 0 };
    group.count++;
    group.first = Math.min(group.first, minute);
    groups.set(key, group);
  }
  for (const group of groups.values()) {
    const entries = group.members.map((i) => firings[i]?.entry).filter((e): e is CrontabEntry => e !== undefined);
    const [first] = entries;
    if (first === undefined) continue;
    const herd = entries.length >= 3;
    const when = new Date(group.first).toISOString().slice(0, 16).replace('T', ' ');
    out.push({
      severity: herd ? 'warning' : 'info', code: 'clash', file: first.file, line: first.line,
      message: `${String(entries.length)} jobs start together${herd ? ' (a herd)' : ''} ${String(group.count)} times in the coming week, first at ${when} UTC (${zoneOf(first)}): ${listed(entries)}`,
      fix: 'spread them with jitter: (e.g. jitter: 5m), or order them with needs: if one feeds another',
    });
  }
  return out;
}

/** `duplicate`: the same schedule, user and command more than once, across all files. */
export function duplicateFindings(entries: readonly CrontabEntry[]): Finding[] {
  const seen = new Map<string, CrontabEntry>();
  const out: Finding[] = [];
  for (const entry of entries) {
    const key = `${entry.schedule}\u0000${entry.user ?? ''}\u0000${entry.command.trim()}`;
    const earlier = seen.get(key);
    if (earlier === undefined) {
      seen.set(key, entry);
      continue;
    }
    out.push({ severity: 'warning', code: 'duplicate', file: entry.file, line: entry.line,
      message: `the same job as ${earlier.file}:${String(earlier.line)}: it runs twice each time`, fix: 'remove one; tock import makes one job of each' });
  }
  return out;
}

// A herd of hundreds is one finding, not a page: name the first few.
const LISTED = 10;

function listed(entries: readonly CrontabEntry[]): string {
  const names = entries.slice(0, LISTED).map((e) => `${e.file}:${String(e.line)}`).join(', ');
  return entries.length > LISTED ? `${names} and ${String(entries.length - LISTED)} more` : names;
}

function smallestGap(at: readonly number[]): number | undefined {
  let gap: number | undefined;
  for (let i = 1; i < at.length; i++) {
    const d = (at[i] ?? 0) - (at[i - 1] ?? 0);
    if (gap === undefined || d < gap) gap = d;
  }
  return gap;
}
