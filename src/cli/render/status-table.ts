import type { Outcome } from '../../ledger/records.js';
import type { Paint } from './style.js';
import { formatElapsed, outcomeLetter, paintOutcome } from './style.js';

export interface StatusRow {
  name: string;
  schedule: string;
  last: string;
  lastOutcome: Outcome | 'running' | null;
  recent: readonly Outcome[];
  next: string;
}

// 80 columns: 16 + 20 + 24 + 10 + 6, plus 4 gaps of one space.
const WIDTHS = { name: 16, schedule: 20, last: 24, recent: 10, next: 6 } as const;

/** The status table: one row a job, fitting 80 columns; long cells are cut with "…", never wrapped. */
export function renderStatusTable(rows: readonly StatusRow[], paint: Paint, glyphs: boolean): string[] {
  const header = [fit('JOB', WIDTHS.name), fit('SCHEDULE', WIDTHS.schedule), fit('LAST', WIDTHS.last), fit('RECENT', WIDTHS.recent), 'NEXT'].join(' ');
  const lines = [paint.dim(header)];
  for (const row of rows) {
    const strip = row.recent.map((o) => mark(o, paint, glyphs)).join('') + ' '.repeat(WIDTHS.recent - row.recent.length);
    const last = fit(row.last, WIDTHS.last);
    const coloured = row.lastOutcome === null ? last : last.replace(/^\S+/, (word) => paintOutcome(paint, row.lastOutcome ?? 'running', word));
    lines.push([fit(row.name, WIDTHS.name), fit(row.schedule, WIDTHS.schedule), coloured, strip, fit(row.next, WIDTHS.next).trimEnd()].join(' ').trimEnd());
  }
  lines.push(paint.dim(glyphs ? 'recent, oldest first: ✓ success  ✗ failed, timed out, killed...  - skipped'
    : 'S=success F=failed T=timeout D=deadline K=killed I=interrupted M=missed -=skip'));
  return lines;
}

function fit(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

function mark(outcome: Outcome, paint: Paint, glyphs: boolean): string {
  const letter = outcomeLetter(outcome);
  const glyph = outcome === 'success' ? '✓' : outcome === 'skipped' ? '-' : '✗';
  return paintOutcome(paint, outcome, glyphs ? glyph : letter);
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
