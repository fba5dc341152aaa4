import { escapedNote } from '../../engine/attempt.js';
import { writeFileAtomic } from '../../io/atomic-write.js';
import type { Job } from '../../jobfile/types.js';
import { assertKnownJobs } from '../../jobfile/known-jobs.js';
import { jobMetrics } from '../../ledger/metrics.js';
import type { JobSummary } from '../../ledger/summary.js';
import { summarizeJob } from '../../ledger/summary.js';
import { describeSchedule } from '../../schedule/describe.js';
import { nextRun } from '../../schedule/next-run.js';
import { UserError } from '../../util/user-error.js';
import { loadForCommand } from '../load-jobfile.js';
import { metricsText, statusDocument } from '../status-doc.js';
import { openLedger } from '../open-ledger.js';
import type { CommonOptions } from '../paths.js';
import { stateDirPath } from '../paths.js';
import type { StatusRow } from '../render/status-table.js';
import { ago, formatAge, formatElapsed, renderStatusTable, until } from '../render/status-table.js';
import { loadPaint, wantsColor } from '../render/style.js';

export interface StatusOptions extends CommonOptions {
  json?: boolean;
  prometheus?: string;
}

/** `tock status [JOB...]`: one row a job, from the tail of each job's ledger; no daemon needed. */
export async function statusCommand(names: string[], options: StatusOptions): Promise<void> {
  const jobfile = loadForCommand(options, process.env);
  assertKnownJobs(jobfile, names);
  const store = openLedger(stateDirPath(options, process.env, jobfile.stateDir), jobfile.jobs.keys());
  const jobs = [...jobfile.jobs.values()].filter((j) => names.length === 0 || names.includes(j.name));
  const now = Date.now();
  const summaries = new Map(jobs.map((j) => [j.name, summarizeJob(store, j.name)]));

  // Counting outcomes streams each job's whole ledger (bounded memory, whatever its size).
  if (options.prometheus !== undefined) writeMetrics(options.prometheus, metricsText(jobs.map((j) => jobMetrics(store, j.name, summaries.get(j.name)))));
  if (options.json === true) {
    console.log(JSON.stringify(statusDocument(jobs, summaries, now), null, 2));
    return;
  }
  if (options.prometheus !== undefined) return;
  const rows = await Promise.all(jobs.map((j) => tableRow(j, summaries.get(j.name), now)));
  const paint = await loadPaint(wantsColor(process.stdout, process.env, options.color));
  for (const line of renderStatusTable(rows, paint, process.stdout.isTTY && wantsColor(process.stdout, process.env, options.color))) console.log(line);
  for (const [name, summary] of summaries) {
    const escaped = summary.last?.attempts.reduce((n, a) => n + (a.escaped ?? 0), 0) ?? 0;
    if (escaped > 0) console.log(paint.dim(`${name}: in its last run ${escapedNote(escaped)} (a cgroup would hold them: see --cgroup)`));
  }
}

async function tableRow(job: Job, summary: JobSummary | undefined, now: number): Promise<StatusRow> {
  const schedule = job.schedule === undefined
    ? `after ${job.needs.join(', ')}`
    : `${await describeSchedule(job.schedule)} (${shortZone(job.timezone)})`;
  const running = summary?.running[0];
  const last = summary?.last ?? null;
  let lastText = 'never ran';
  if (running !== undefined) lastText = `running ${formatAge(now - Date.parse(running.started_at))} pid ${String(running.pid)}`;
  else if (last !== null) lastText = `${last.outcome} ${ago(now - Date.parse(last.ended_at))} ${formatElapsed(last.duration_ms)}`;
  const next = nextRun(job, now);
  return {
    name: job.name,
    schedule,
    last: lastText,
    lastOutcome: running !== undefined ? 'running' : last?.outcome ?? null,
    recent: summary?.recent ?? [],
    next: !job.enabled ? 'off' : next === undefined ? '-' : until(next - now),
  };
}

/** `Europe/London` -> `London`: the city says which zone in a narrow column; --json has the full name. */
function shortZone(zone: string): string {
  return (zone.split('/').at(-1) ?? zone).replaceAll('_', ' ');
}

/** node_exporter's textfile collector reads the file whenever it likes: write it whole, atomically. */
function writeMetrics(file: string, text: string): void {
  try {
    writeFileAtomic(file, text, 0o644);
  } catch (error) {
    throw new UserError('usage', `--prometheus: cannot write ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      'give a path in a directory tock can write, e.g. /var/lib/node_exporter/textfile_collector/tock.prom');
  }
}
