import { assertKnownJobs } from '../../jobfile/known-jobs.js';
import type { LedgerRun } from '../../ledger/fold.js';
import { outcomeOf } from '../../ledger/fold.js';
import { runsInWindow } from '../../ledger/window.js';
import { parseDuration } from '../../util/duration.js';
import { UserError } from '../../util/user-error.js';
import { loadForCommand } from '../load-jobfile.js';
import { openLedger } from '../open-ledger.js';
import { parseTime } from '../parse-time.js';
import type { CommonOptions } from '../paths.js';
import { stateDirPath } from '../paths.js';
import { loadPaint, wantsColor } from '../render/style.js';
import { renderTimeline } from '../render/timeline.js';

export interface TimelineOptions extends CommonOptions {
  since: string;
  utc?: boolean;
  json?: boolean;
}

const OFF_TTY_WIDTH = 80;

/** `tock timeline [JOB...]`: a Gantt of each job's runs over the window, from the ledger; creates nothing. */
export async function timelineCommand(names: string[], options: TimelineOptions): Promise<void> {
  const jobfile = loadForCommand(options, process.env);
  assertKnownJobs(jobfile, names);
  const store = openLedger(stateDirPath(options, process.env, jobfile.stateDir), jobfile.jobs.keys());
  const zone = options.utc === true ? 'UTC' : jobfile.timezone;
  const until = Date.now();
  const since = await windowStart(options.since, zone, until);
  if (since >= until) throw new UserError('usage', `--since: expected a time before now, got "${options.since}"`, 'give a duration back from now like 24h or 2d, or a past date');
  const sinceIso = new Date(since).toISOString();
  const jobs = (names.length > 0 ? names : [...jobfile.jobs.keys()]).map((name) => ({
    name,
    runs: runsInWindow(store, name, sinceIso),
  }));

  if (options.json === true) {
    const doc = { since: sinceIso, until: new Date(until).toISOString(), jobs: jobs.map((j) => ({ name: j.name, runs: j.runs.map(runEntry) })) };
    console.log(JSON.stringify(doc, null, 2));
    return;
  }
  const paint = await loadPaint(wantsColor(process.stdout, process.env, options.color));
  const input = {
    since, until, zone, width: terminalWidth(),
    jobs: jobs.map((j) => ({
      name: j.name,
      runs: j.runs.map((r) => ({ logical: Date.parse(r.logical_time), started: Date.parse(r.started_at), ended: r.ended_at === null ? null : Date.parse(r.ended_at), outcome: outcomeOf(r) })),
    })),
  };
  for (const line of renderTimeline(input, paint)) console.log(line);
}

function runEntry(run: LedgerRun): { run_id: string; logical_time: string; started_at: string; ended_at: string | null; outcome: string } {
  return { run_id: run.run_id, logical_time: run.logical_time, started_at: run.started_at, ended_at: run.ended_at, outcome: outcomeOf(run) };
}

/** `24h`, `2d` back from now, or a date or time (in the zone unless it has an offset). */
async function windowStart(text: string, zone: string, now: number): Promise<number> {
  // A bare number is a year to a person reading `--since 2026`, not seconds.
  const back = /^\d+$/.test(text) ? undefined : parseDuration(text);
  return back !== undefined ? now - back : parseTime(text, zone, '--since');
}

/** COLUMNS, else the terminal's width, else 80 (a pipe, or a terminal that reports no size). */
function terminalWidth(): number {
  const columns = Number(process.env.COLUMNS);
  if (Number.isInteger(columns) && columns > 0) return columns;
  return process.stdout.isTTY && process.stdout.columns > 0 ? process.stdout.columns : OFF_TTY_WIDTH;
}
