import type { Outcome } from '../../ledger/records.js';
import { isoInZone, offsetAt } from '../../schedule/cron/zone.js';
import type { Paint } from './style.js';
import { outcomeLetter, paintOutcome } from './style.js';

/** One run as the timeline draws it: times in UTC ms; `ended` null while in flight. */
export interface TimelineRun {
  logical: number;
  started: number;
  ended: number | null;
  outcome: Outcome | 'running';
}

export interface TimelineJob {
  name: string;
  runs: readonly TimelineRun[];
}

export interface TimelineInput {
  since: number;
  until: number;
  /** The zone the axis is drawn in (the jobfile's, or UTC). */
  zone: string;
  /** The whole line's width in columns. */
  width: number;
  jobs: readonly TimelineJob[];
}

// Which outcome a cell shows when several runs touch it: failures first, then what is running,
// then skips, then successes. The keys are also the legend, in this order (every outcome, or
// this will not compile).
const RANK: Record<Outcome | 'running', number> = {
  success: 0, failed: 3, timeout: 3, deadline: 3, killed: 3, interrupted: 3, missed: 3, skipped: 1, running: 2,
};
const OVERLAP = '#';
const EMPTY = '.';
const LABEL = 5; // "HH:MM" or "MM-DD"
const MINUTE = 60_000;
const DAY = 86_400_000;
const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10_080, 20_160, 43_200, 129_600, 525_600].map((m) => m * MINUTE);

/**
 * A Gantt of runs: a title with the window and zone, a time axis, one row a job (a bar a run
 * from its start to its end, at least one cell; `missed` and `skipped` as a mark at their
 * logical time; `#` where runs of the job ran at once; `.` where none ran), and a legend.
 */
export function renderTimeline(input: TimelineInput, paint: Paint): string[] {
  const nameWidth = Math.max(3, Math.min(24, Math.floor(input.width / 3), Math.max(0, ...input.jobs.map((j) => j.name.length))));
  const cells = Math.max(10, input.width - nameWidth - 1);
  const span = Math.max(1, input.until - input.since);
  const cellOf = (t: number): number => Math.min(cells - 1, Math.max(0, Math.floor(((t - input.since) / span) * cells)));
  const window = `${local(input.since, input.zone)} to ${local(input.until, input.zone)}`;
  const zone = `times in ${zoneLabel(input.zone, input.since)}`;
  // The title on one line when it fits, else the window and the zone on a line each.
  const title = window.length + 2 + zone.length <= input.width ? [`${window}, ${zone}`] : [window, zone].map((t) => fit(t, input.width).trimEnd());
  const lines = title.map((t) => paint.bold(t));
  lines.push(paint.dim(`${' '.repeat(nameWidth)} ${axis(input, cells, cellOf)}`.trimEnd()));
  for (const job of input.jobs) lines.push(`${fit(job.name, nameWidth)} ${row(job.runs, input, cells, cellOf, paint)}`);
  return [...lines, ...legend(input.width).map((l) => paint.dim(l))];
}

function row(runs: readonly TimelineRun[], input: TimelineInput, cells: number, cellOf: (t: number) => number, paint: Paint): string {
  const shown: (Outcome | 'running' | undefined)[] = new Array<undefined>(cells).fill(undefined);
  const overlap = new Array<boolean>(cells).fill(false);
  const show = (cell: number, outcome: Outcome | 'running'): void => {
    const current = shown[cell];
    if (current === undefined || RANK[outcome] > RANK[current]) shown[cell] = outcome;
  };
  const bars: { start: number; end: number }[] = [];
  for (const run of runs) {
    if (run.outcome === 'missed' || run.outcome === 'skipped') {
      if (run.logical >= input.since && run.logical <= input.until) show(cellOf(run.logical), run.outcome);
      continue;
    }
    const end = Math.min(run.ended ?? input.until, input.until);
    if (end < input.since || run.started > input.until) continue;
    for (let c = cellOf(run.started); c <= cellOf(end); c++) show(c, run.outcome);
    bars.push({ start: run.started, end });
  }
  // Runs of the job that were running at the same time (one started before another ended).
  bars.sort((a, b) => a.start - b.start);
  for (const [i, a] of bars.entries()) {
    for (const b of bars.slice(i + 1)) {
      if (b.start >= a.end) break;
      for (let c = cellOf(b.start); c <= cellOf(Math.min(a.end, b.end)); c++) overlap[c] = true;
    }
  }
  // Painted a stretch of like cells at a time: one escape code a bar, not one a cell.
  let out = '';
  for (let c = 0; c < cells;) {
    const outcome = shown[c];
    const mark = outcome === undefined ? EMPTY : overlap[c] === true ? OVERLAP : outcomeLetter(outcome);
    let end = c + 1;
    while (end < cells && shown[end] === outcome && (overlap[end] === true) === (overlap[c] === true)) end++;
    const text = mark.repeat(end - c);
    out += outcome === undefined ? paint.dim(text) : paintOutcome(paint, outcome, text);
    c = end;
  }
  return out;
}

/** Tick labels at round times in the zone, as many as fit with a space between them. */
function axis(input: TimelineInput, cells: number, cellOf: (t: number) => number): string {
  const cellMs = (input.until - input.since) / cells;
  const step = STEPS.find((s) => s >= (LABEL + 1) * cellMs) ?? STEPS.at(-1) ?? DAY;
  const out = new Array<string>(cells).fill(' ');
  let free = 0;
  const startOffset = offsetAt(input.zone, input.since);
  for (let wall = Math.ceil((input.since + startOffset) / step) * step; ; wall += step) {
    // A wall-clock time to an instant: the offset at the guess settles it (DST included).
    const at = wall - offsetAt(input.zone, wall - offsetAt(input.zone, wall - startOffset));
    if (at > input.until) break;
    const cell = cellOf(at);
    if (at < input.since || cell < free || cell + LABEL > cells) continue;
    const text = tickLabel(at, input.zone);
    for (let i = 0; i < text.length; i++) out[cell + i] = text.charAt(i);
    free = cell + LABEL + 1;
  }
  return out.join('');
}

/** `14:00`, or `12-01` at local midnight (so a window of days says which day). */
function tickLabel(at: number, zone: string): string {
  const iso = isoInZone(at, zone);
  const time = iso.slice(11, 16);
  return time === '00:00' ? iso.slice(5, 10) : time;
}

/** `2026-12-01 14:05`: the wall clock in the zone, to the minute. */
function local(at: number, zone: string): string {
  return isoInZone(at, zone).slice(0, 16).replace('T', ' ');
}

/** `UTC`, or `Europe/Berlin (+01:00)`. */
function zoneLabel(zone: string, at: number): string {
  const iso = isoInZone(at, zone);
  return iso.endsWith('Z') ? zone : `${zone} (${iso.slice(19, 25)})`;
}

function fit(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

/** Every mark and what it means, wrapped to the width. */
function legend(width: number): string[] {
  const entries = [...Object.keys(RANK).map((o) => `${outcomeLetter(o as Outcome | 'running')} ${o}`), `${OVERLAP} at once`, `${EMPTY} none`];
  const lines: string[] = [];
  for (const entry of entries) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 2 + entry.length <= width) lines[lines.length - 1] = `${last}  ${entry}`;
    else lines.push(entry);
  }
  return lines;
}
