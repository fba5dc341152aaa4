import type { Finding } from '../finding.js';
import type { CrontabEntry } from '../types.js';
import { herdFindings } from './herds.js';

// A job this frequent clashes with everything; it is reported as a possible overlap instead.
const FREQUENT_MS = 5 * 60_000;

export interface Firings {
  entry: CrontabEntry;
  /** Minutes (UTC ms) it starts in the coming week. */
  at: readonly number[];
}

/**
 * `clash`: minutes of the coming week where several jobs start together, one finding a herd
 * (herds.ts). `overlap`: a job that starts more often than its recent runs
 * took (from tock's ledger), or every 5 minutes or more often with no lock.
 */
export function weekFindings(firings: readonly Firings[], zoneOf: (e: CrontabEntry) => string, durationOf: (e: CrontabEntry) => number | undefined = () => undefined): Finding[] {
  const out: Finding[] = [];
  const byMinute = new MinuteLists(firings);
  const gaps = new Map<readonly number[], number | undefined>();
  firings.forEach((f, i) => {
    // Entries of one schedule share their week's array: its gap is found once.
    let gap = gaps.get(f.at);
    if (!gaps.has(f.at)) {
      gap = smallestGap(f.at);
      gaps.set(f.at, gap);
    }
    const took = durationOf(f.entry);
    if (gap !== undefined && took !== undefined && took > gap) {
      out.push({ severity: 'warning', code: 'overlap', file: f.entry.file, line: f.entry.line,
        message: `starts every ${String(Math.round(gap / 60_000))} min, but its recent runs took up to ${String(Math.round(took / 60_000))} min (tock's ledger): runs overlap`,
        fix: 'give it more time between runs; tock never overlaps a job (concurrency: forbid), and skips a start that finds it still running' });
    }
    if (gap !== undefined && gap <= FREQUENT_MS) {
      // A tock job never overlaps itself (concurrency: forbid unless it says otherwise): only cron's lines lack a lock.
      if (f.entry.job === undefined && !/\bflock\b|\blockrun\b|\bsetlock\b/.test(f.entry.command)) {
        out.push({ severity: 'warning', code: 'overlap', file: f.entry.file, line: f.entry.line,
          message: `runs every ${String(Math.round(gap / 60_000))} min with no lock: a slow run overlaps the next`,
          fix: 'tock never overlaps a job (concurrency: forbid is the default); or wrap it in flock -n' });
      }
      return;
    }
    for (const minute of f.at) byMinute.add(minute, i);
  });
  out.push(...herdFindings(byMinute.toMap(), (i) => (firings[i] as Firings).entry, zoneOf));
  return out;
}

/**
 * Which entries start in each minute of the week, as a Map in the order the minutes were first
 * added: a list per minute held in an array by the minute's place in the week (millions of
 * starts in a big audit), not looked up in a map each time.
 */
class MinuteLists {
  readonly #first: number;
  readonly #lists: (number[] | undefined)[] = [];
  readonly #order: number[] = [];

  constructor(firings: readonly Firings[]) {
    let first = Infinity;
    for (const f of firings) first = Math.min(first, f.at[0] ?? Infinity);
    this.#first = first;
  }

  add(minute: number, entry: number): void {
    const slot = (minute - this.#first) / 60_000;
    const list = this.#lists[slot];
    if (list !== undefined) list.push(entry);
    else {
      this.#lists[slot] = [entry];
      this.#order.push(minute);
    }
  }

  toMap(): Map<number, number[]> {
    return new Map(this.#order.map((minute) => [minute, this.#lists[(minute - this.#first) / 60_000] ?? []]));
  }
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

function smallestGap(at: readonly number[]): number | undefined {
  let gap: number | undefined;
  for (let i = 1; i < at.length; i++) {
    const d = (at[i] ?? 0) - (at[i - 1] ?? 0);
    if (gap === undefined || d < gap) gap = d;
  }
  return gap;
}
