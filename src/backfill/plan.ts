import type { Job, Jobfile } from '../jobfile/types.js';
import { scheduledRoot } from '../engine/joins.js';
import { instantsInWindow } from '../schedule/window.js';
import { UserError } from '../util/user-error.js';
import { assertKnownJobs } from '../jobfile/known-jobs.js';

/** SPEC 6: more instants than this needs `--yes`. */
export const CONFIRM_OVER = 100_000;

/**
 * Even with `--yes`, a backfill plans at most this many instants: a plan is held in memory, and an
 * every-second job over ten years (315M) would exhaust it. Counting stops at the limit, so the
 * refusal is immediate whatever the window.
 */
export const MAX_INSTANTS = 1_000_000;

export interface Window {
  fromMs: number;
  toMs: number;
}

/** One instant of a backfill and what will happen to it. */
export interface BackfillInstant {
  job: string;
  logicalMs: number;
  action: 'run' | 'skip';
  reason?: 'succeeded-before';
}

export interface PlanOptions {
  force: boolean;
  backwards: boolean;
  yes: boolean;
  /** The command that lists a job's instants, for the hint when a window has none. */
  instantsCommand?: string;
}

/**
 * Every scheduled instant of each job in its window, oldest first (or newest with --backwards),
 * each marked run or skip: an instant that already succeeded is skipped unless --force.
 * A job without a schedule of its own uses its upstream root's instants. Jitter never moves a
 * logical time.
 */
export function planBackfill(
  jobfile: Jobfile, names: readonly string[], windowOf: (job: Job) => Window, options: PlanOptions,
  succeeded: (job: string, sinceIso: string) => { has(ms: number): boolean },
  now: number,
): BackfillInstant[] {
  assertKnownJobs(jobfile, names);
  const all: BackfillInstant[] = [];
  for (const name of names) {
    const job = jobfile.jobs.get(name) as Job;
    // The future belongs to the daemon: a window reaching past now stops at now.
    const asked = windowOf(job);
    const window = { fromMs: asked.fromMs, toMs: Math.min(asked.toMs, now) };
    if (asked.fromMs > asked.toMs) {
      throw new UserError('bad-time', `--from must be before --to, got ${new Date(asked.fromMs).toISOString()} after ${new Date(asked.toMs).toISOString()}`, 'swap them');
    }
    const root = scheduledRoot(jobfile.jobs, name, new Set());
    if (root?.schedule === undefined) {
      throw new UserError('usage', `expected a job with a schedule (or needs that have one), got "${name}"`, 'backfill runs a job at its scheduled instants');
    }
    const limit = (options.yes ? MAX_INSTANTS : CONFIRM_OVER) + 1 - all.length;
    const instants = instantsInWindow(root.schedule, root.timezone, window.fromMs, window.toMs, limit);
    if (!options.yes && all.length + instants.length > CONFIRM_OVER) {
      throw new UserError('usage', `expected at most ${String(CONFIRM_OVER)} instants without --yes, got more in this window`, 'narrow the window, or add --yes if you mean it');
    }
    if (all.length + instants.length > MAX_INSTANTS) {
      throw new UserError('usage', `expected at most ${String(MAX_INSTANTS)} instants in one backfill (even with --yes), got more in this window`,
        'split the window into several backfills (each --from/--to a part of it); one plan is held in memory');
    }
    // As numbers: formatting half a million instants to compare strings costs most of a second.
    const done = options.force ? { has: () => false } : succeeded(name, new Date(window.fromMs - 3_600_000).toISOString());
    for (const logicalMs of instants) {
      const ok = done.has(logicalMs);
      all.push(ok ? { job: name, logicalMs, action: 'skip', reason: 'succeeded-before' } : { job: name, logicalMs, action: 'run' });
    }
  }
  if (all.length === 0) {
    throw new UserError('usage', 'expected a window with at least one scheduled instant, got none', `widen --from/--to; \`${options.instantsCommand ?? 'tock next JOB --from TIME'}\` shows the instants`);
  }
  all.sort((a, b) => (options.backwards ? b.logicalMs - a.logicalMs : a.logicalMs - b.logicalMs));
  return all;
}

/** How many logical times a plan has (several jobs may share one); the plan is sorted by time. */
export function distinctTimes(instants: readonly BackfillInstant[]): number {
  let n = 0;
  for (let i = 0; i < instants.length; i++) if (i === 0 || instants[i]?.logicalMs !== instants[i - 1]?.logicalMs) n++;
  return n;
}
