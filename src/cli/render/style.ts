import type { ChalkInstance } from 'chalk';

import type { Outcome } from '../../ledger/records.js';
import { unreachable } from '../../util/unreachable.js';

/** Colour only on a TTY, and never with NO_COLOR or --no-color (SPEC 1). */
export function wantsColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv, flag: boolean | undefined): boolean {
  return flag !== false && stream.isTTY && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

/** Loaded only when colour is on: chalk costs start-up time a pipe does not need. */
export async function loadPaint(enabled: boolean): Promise<Paint> {
  if (!enabled) return plainPaint;
  const { Chalk } = await import('chalk');
  const chalk: ChalkInstance = new Chalk({ level: 1 });
  return { green: chalk.green, red: chalk.red, yellow: chalk.yellow, dim: chalk.dim, bold: chalk.bold, cyan: chalk.cyan };
}

export interface Paint {
  green: (s: string) => string;
  red: (s: string) => string;
  yellow: (s: string) => string;
  dim: (s: string) => string;
  bold: (s: string) => string;
  cyan: (s: string) => string;
}

const same = (s: string): string => s;
export const plainPaint: Paint = { green: same, red: same, yellow: same, dim: same, bold: same, cyan: same };

/** `text` in the colour of `outcome`: green for success, yellow for skipped or running, red for the rest. */
export function paintOutcome(paint: Paint, outcome: Outcome | 'running', text: string = outcome): string {
  switch (outcome) {
    case 'success':
      return paint.green(text);
    case 'skipped':
    case 'running':
      return paint.yellow(text);
    case 'failed':
    case 'timeout':
    case 'deadline':
    case 'missed':
    case 'interrupted':
    case 'killed':
      return paint.red(text);
  }
  return unreachable(outcome);
}

/** The one letter an outcome is drawn with where a word does not fit (status's strip, timeline): `-` for skipped, else its initial. */
export function outcomeLetter(outcome: Outcome | 'running'): string {
  return outcome === 'skipped' ? '-' : outcome.charAt(0).toUpperCase();
}

/** 1234 -> `1.2s`, 75000 -> `1m15s`. */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${String(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${String(h)}h${String(m)}m` : `${String(m)}m${String(s % 60)}s`;
}
