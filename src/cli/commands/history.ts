import type { LedgerRun } from '../../ledger/fold.js';
import { newestFirst, outcomeOf } from '../../ledger/fold.js';
import { recentRuns } from '../../ledger/query.js';
import { UserError } from '../../util/user-error.js';
import { loadForCommand } from '../load-jobfile.js';
import { openLedger } from '../open-ledger.js';
import { parseTime } from '../parse-time.js';
import type { CommonOptions } from '../paths.js';
import { stateDirPath } from '../paths.js';
import { formatElapsed, loadPaint, paintOutcome, wantsColor } from '../render/style.js';
import { formatTime } from '../render/time.js';
import { assertKnownJobs } from '../../jobfile/known-jobs.js';

const OUTCOMES = ['success', 'failed', 'timeout', 'deadline', 'skipped', 'missed', 'interrupted', 'killed', 'running'];

export interface HistoryOptions extends CommonOptions {
  limit: number;
  since?: string;
  outcome?: string;
  json?: boolean;
  /** --utc: times in UTC instead of each job's zone. */
  utc?: boolean;
}

/** `tock history [JOB]`: runs newest first, with attempts, from the ledger. */
export async function historyCommand(job: string | undefined, options: HistoryOptions): Promise<void> {
  const jobfile = loadForCommand(options, process.env);
  const ledger = openLedger(stateDirPath(options, process.env, jobfile.stateDir), jobfile.jobs.keys());
  if (job !== undefined && !jobfile.jobs.has(job) && !ledger.jobs().includes(job)) {
    assertKnownJobs(jobfile, [job]);
  }
  if (options.outcome !== undefined && !OUTCOMES.includes(options.outcome)) {
    throw new UserError('usage', `--outcome: expected one of ${OUTCOMES.join(', ')}, got "${options.outcome}"`);
  }
  const since = options.since === undefined ? undefined : new Date(await parseTime(options.since, jobfile.timezone, '--since')).toISOString();
  const jobs = job !== undefined ? [job] : ledger.jobs();
  // Each job's newest runs from the end of its ledger, then merged: never a full read.
  const keep = (r: LedgerRun): boolean => options.outcome === undefined || outcomeOf(r) === options.outcome;
  const runs = newestFirst(jobs.flatMap((j) => recentRuns(ledger, j, options.limit, { keep, ...(since !== undefined ? { since } : {}) })))
    .filter((r) => since === undefined || r.started_at >= since)
    .slice(0, options.limit);

  if (options.json === true) {
    console.log(JSON.stringify({ runs }, null, 2));
    return;
  }
  if (runs.length === 0) {
    console.log('no runs recorded yet');
    return;
  }
  const paint = await loadPaint(wantsColor(process.stdout, process.env, options.color));
  const zoneOf = (name: string): string => jobfile.jobs.get(name)?.timezone ?? jobfile.timezone;
  const rows = runs.map((r) => row(r, zoneOf(r.job), options.utc === true));
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((cells) => cells[i]?.length ?? 0), HEADER[i]?.length ?? 0)) ?? [];
  // Pad first, then paint: colour codes would throw the widths off.
  const pad = (cells: readonly string[], outcome?: LedgerRun): string => cells
    .map((c, i) => {
      const padded = c.padEnd(widths[i] ?? 0);
      return i === OUTCOME_COLUMN && outcome !== undefined ? padded.replace(outcomeOf(outcome), paintOutcome(paint, outcomeOf(outcome))) : padded;
    })
    .join('  ')
    .trimEnd();
  console.log(paint.dim(pad(HEADER)));
  for (const [i, cells] of rows.entries()) {
    const run = runs[i] as LedgerRun;
    console.log(pad(cells, run));
    for (const a of run.attempts.length > 1 || (run.attempts[0]?.error !== undefined) ? run.attempts : []) {
      const code = a.exit_code !== null ? `exit ${String(a.exit_code)}` : a.signal ?? '';
      console.log(paint.dim(`    attempt ${String(a.n)}: ${a.outcome}${code === '' ? '' : ` (${code})`}${a.error !== undefined ? ` ${a.error}` : ''}`));
    }
  }
}

const HEADER = ['STARTED', 'JOB', 'OUTCOME', 'DURATION', 'TRIGGER', 'LOGICAL TIME', 'RUN ID'];
const OUTCOME_COLUMN = 2;

function row(run: LedgerRun, zone: string, utc: boolean): string[] {
  const outcome = outcomeOf(run) + (run.reason !== undefined ? ` (${run.reason})` : '');
  return [
    formatTime(run.started_at, zone, { utc, seconds: true }),
    run.job,
    outcome,
    run.duration_ms === null ? '-' : formatElapsed(run.duration_ms),
    run.trigger,
    formatTime(run.logical_time, zone, { utc }),
    run.run_id,
  ];
}
