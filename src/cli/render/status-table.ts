import type { Outcome } from '../../ledger/records.js';
import type { Paint } from './style.js';
import { formatElapsed, outcomeLetter, paintOutcome } from './style.js';

export interface StatusRow {
  name: string;
  description: string;
  /** The schedule in words (`At 02:15`, `after extract`), cut to fit before the zone ever is. */
  schedule: string;
  /** The zone's short name, shown whole after the words; undefined for a job that runs after its needs. */
  zone: string | undefined;
  /** `running 12s pid 31337`, `paused`, `late 4m58s`, `disabled`, or `-`. */
  state: string;
  stateTone: 'running' | 'paused' | 'late' | 'none';
  last: string;
  lastOutcome: Outcome | null;
  recent: readonly Outcome[];
  next: string;
}

type Column = 'name' | 'schedule' | 'state' | 'last' | 'recent' | 'next' | 'description';
const HEADERS: Record<Column, string> = { name: 'JOB', schedule: 'SCHEDULE', state: 'STATE', last: 'LAST', recent: 'RECENT', next: 'NEXT', description: 'DESCRIPTION' };
const ORDER: readonly Column[] = ['name', 'schedule', 'state', 'last', 'recent', 'next', 'description'];
// What each column may shrink to when the terminal is narrow: the description is dropped first;
// the schedule gives up its words, never its zone.
const SHRINK: readonly [Column, number][] = [['description', 12], ['schedule', 0], ['last', 12], ['name', 7], ['state', 14]];
export const LEGEND = 'S=success F=failed T=timeout D=deadline K=killed I=interrupted M=missed -=skipped';

/**
 * The status table, `width` columns wide: every column as wide as its widest cell, then, if the
 * terminal is narrower, shrunk (cut with "…", never wrapped) down to SHRINK's floors; a
 * description that cannot keep 12 columns is left out first (it is in --json).
 */
export function renderStatusTable(rows: readonly StatusRow[], paint: Paint, width: number): string[] {
  const zoneOf = (row: StatusRow): string => (row.zone === undefined ? '' : ` (${row.zone})`);
  const cells = (row: StatusRow): Record<Column, string> => ({
    name: row.name, schedule: `${row.schedule}${zoneOf(row)}`, state: row.state, last: row.last,
    recent: row.recent.map((o) => outcomeLetter(o)).join(''), next: row.next, description: row.description,
  });
  const widths = Object.fromEntries(ORDER.map((c) => [c, Math.max(HEADERS[c].length, ...rows.map((r) => cells(r)[c].length))])) as Record<Column, number>;
  const minSchedule = Math.max(HEADERS.schedule.length, ...rows.map((r) => zoneOf(r).length + 4));
  let columns = ORDER.filter((c) => c !== 'description' || rows.some((r) => r.description !== ''));
  const total = (): number => columns.reduce((n, c) => n + widths[c], 0) + columns.length - 1;
  const floor = (column: Column, min: number): number => Math.min(widths[column], column === 'schedule' ? minSchedule : Math.max(min, HEADERS[column].length));
  // The description goes first, whole, when it could not keep its 12 columns with the others at their least.
  const least = SHRINK.reduce((n, [c, min]) => n + floor(c, min), 0) + widths.recent + widths.next + columns.length - 1;
  if (least > width) columns = columns.filter((c) => c !== 'description');
  // Then the description down to its floor, then a column at a time, the one with the most to
  // give, so that no one column is cut to nothing.
  if (columns.includes('description')) widths.description = Math.max(floor('description', 12), widths.description - Math.max(0, total() - width));
  const floors = SHRINK.filter(([c]) => columns.includes(c) && c !== 'description').map(([c, min]) => [c, floor(c, min)] as const);
  while (total() > width) {
    const [column] = floors.reduce((best, f) => (widths[f[0]] - f[1] > widths[best[0]] - best[1] ? f : best), floors[0] ?? ['name', 0]);
    const at = floors.find(([c]) => c === column)?.[1] ?? 0;
    if (widths[column] <= at) break;
    widths[column] -= 1;
  }

  const lines = [paint.dim(columns.map((c) => HEADERS[c].padEnd(widths[c])).join(' ').trimEnd())];
  for (const row of rows) {
    const text = cells(row);
    const shown: Record<Column, string> = {
      name: fit(text.name, widths.name),
      schedule: `${fit(row.schedule, widths.schedule - zoneOf(row).length).trimEnd()}${zoneOf(row)}`.padEnd(widths.schedule),
      state: tone(paint, row.stateTone, fit(text.state, widths.state)),
      last: row.lastOutcome === null ? fit(text.last, widths.last) : fit(text.last, widths.last).replace(/^\S+/, (w) => paintOutcome(paint, row.lastOutcome ?? 'success', w)),
      recent: row.recent.map((o) => paintOutcome(paint, o, outcomeLetter(o))).join('') + ' '.repeat(Math.max(0, widths.recent - row.recent.length)),
      next: fit(text.next, widths.next),
      description: paint.dim(fit(text.description, widths.description)),
    };
    lines.push(columns.map((c) => shown[c]).join(' ').trimEnd());
  }
  for (const line of wrap(`recent, oldest first: ${LEGEND}`, width)) lines.push(paint.dim(line));
  return lines;
}

/** The terminal's width: $COLUMNS, else the TTY's, else 80 (a pipe, a file). */
export function terminalWidth(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): number {
  const fromEnv = Number(env.COLUMNS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return stream.isTTY && stream.columns > 0 ? stream.columns : 80;
}

/** Words laid out in lines of at most `width` (a word longer than that gets a line of its own). */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const word of text.split(' ')) {
    const last = out.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= width) out[out.length - 1] = `${last} ${word}`;
    else out.push(word);
  }
  return out;
}

function fit(text: string, width: number): string {
  if (width <= 0) return '';
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

function tone(paint: Paint, kind: StatusRow['stateTone'], text: string): string {
  switch (kind) {
    case 'running': return paint.cyan(text);
    case 'paused': return paint.yellow(text);
    case 'late': return paint.red(text);
    case 'none': return text;
  }
}

/** `5m ago`, `3h ago`, `2d ago`. */
export function ago(ms: number): string {
  return `${formatAge(ms)} ago`;
}

/** `in 4m`, `in 19h`. */
export function until(ms: number): string {
  return ms <= 0 ? 'now' : `in ${formatAge(ms)}`;
}

/** `45s`, `5m`, `3h`, `2d`: an age in the fewest characters. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${String(s)}s`;
  if (s < 3600) return `${String(Math.round(s / 60))}m`;
  if (s < 86_400) return `${String(Math.round(s / 3600))}h`;
  return `${String(Math.round(s / 86_400))}d`;
}

export { formatElapsed };
