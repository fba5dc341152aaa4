import { escapedNote } from '../../engine/attempt.js';
import { writeFileAtomic } from '../../io/atomic-write.js';
import type { Jobfile } from '../../jobfile/types.js';
import { assertKnownJobs } from '../../jobfile/known-jobs.js';
import { jobMetrics } from '../../ledger/metrics.js';
import { describeSchedule } from '../../schedule/describe.js';
import { parseDuration } from '../../util/duration.js';
import { UserError } from '../../util/user-error.js';
import { tockCommand } from '../command-hint.js';
import { hostZone } from '../host-zone.js';
import { loadForCommand } from '../load-jobfile.js';
import { openLedger } from '../open-ledger.js';
import type { CommonOptions } from '../paths.js';
import { stateDirPath } from '../paths.js';
import { daemonLines } from '../render/status-daemon.js';
import type { StatusRow } from '../render/status-table.js';
import { ago, formatElapsed, renderStatusTable, terminalWidth, until } from '../render/status-table.js';
import type { Paint } from '../render/style.js';
import { loadPaint, wantsColor } from '../render/style.js';
import type { TimeStyle } from '../render/time.js';
import { formatTime } from '../render/time.js';
import type { JobState, StatusView } from '../status-doc.js';
import { metricsText, readStatus, statusDocument } from '../status-doc.js';
import { redrawLoop } from './status-watch.js';

export interface StatusOptions extends CommonOptions {
  json?: boolean;
  prometheus?: string;
  watch?: boolean;
  interval?: string;
  /** Show the daemon's start (and --watch's clock) in UTC instead of the host's zone. */
  utc?: boolean;
}

/** `tock status [JOB...]`: whether a daemon schedules the state dir, then one row a job, from the tail of each job's ledger. */
export async function statusCommand(names: string[], options: StatusOptions): Promise<void> {
  const intervalMs = watchInterval(options);
  const jobfile = loadForCommand(options, process.env);
  assertKnownJobs(jobfile, names);
  const stateDir = stateDirPath(options, process.env, jobfile.stateDir);
  const store = openLedger(stateDir, jobfile.jobs.keys());
  const jobs = [...jobfile.jobs.values()].filter((j) => names.length === 0 || names.includes(j.name));
  const view = readStatus(jobs, store, stateDir, Date.now());

  // Counting outcomes streams each job's whole ledger (bounded memory, whatever its size).
  if (options.prometheus !== undefined) writeMetrics(options.prometheus, metricsText(view.jobs.map((s) => jobMetrics(store, s.job.name, s.summary))));
  if (options.json === true) {
    console.log(JSON.stringify(statusDocument(view), null, 2));
    return;
  }
  if (options.prometheus !== undefined) return;
  const paint = await loadPaint(wantsColor(process.stdout, process.env, options.color));
  const zone = hostZone();
  const style = { utc: options.utc === true };
  const startWith = [tockCommand(options, 'daemon'), tockCommand(options, 'service', 'install')];
  const screen = async (v: StatusView): Promise<string[]> => render(v, jobfile, stateDir, paint, terminalWidth(process.stdout, process.env), zone, style, startWith);
  if (intervalMs === undefined) {
    for (const line of await screen(view)) console.log(line);
    return;
  }
  await redrawLoop(process.stdout, intervalMs, async () => [
    paint.dim(`every ${options.interval ?? '2s'}: tock status (Ctrl-C to stop)  ${formatTime(Date.now(), zone, { ...style, seconds: true }).slice(11)}`),
    ...await screen(readStatus(jobs, store, stateDir, Date.now())),
  ]);
}

/** The interval of `--watch`, checked before anything is read; undefined without --watch. */
function watchInterval(options: StatusOptions): number | undefined {
  if (options.watch !== true) {
    if (options.interval !== undefined) throw new UserError('usage', '--interval: expected it with --watch, got it alone', 'add --watch, or leave --interval out');
    return undefined;
  }
  if (options.json === true || options.prometheus !== undefined) {
    throw new UserError('usage', `--watch redraws the table; expected no ${options.json === true ? '--json' : '--prometheus'} with it`, `run ${tockCommand(options, 'status', '--json')} in a loop instead`);
  }
  if (!process.stdout.isTTY) {
    throw new UserError('usage', '--watch redraws a terminal; stdout is not one', `run ${tockCommand(options, 'status')} without --watch, or ${tockCommand(options, 'status', '--json')} in a loop`);
  }
  const ms = parseDuration(options.interval ?? '2s');
  if (ms === undefined || ms < 100) throw new UserError('usage', `--interval: expected a duration like 2s (at least 100ms), got "${options.interval ?? ''}"`);
  return ms;
}

async function render(view: StatusView, jobfile: Jobfile, stateDir: string, paint: Paint, width: number, zone: string, style: TimeStyle, startWith: readonly string[]): Promise<string[]> {
  const rows = await Promise.all(view.jobs.map((s) => tableRow(s, view.now)));
  const lines = [...daemonLines(view.daemon, jobfile, stateDir, view.now, paint, zone, style, startWith), ...renderStatusTable(rows, paint, width)];
  for (const { job, summary } of view.jobs) {
    const escaped = summary.last?.attempts.reduce((n, a) => n + (a.escaped ?? 0), 0) ?? 0;
    if (escaped > 0) lines.push(paint.dim(`${job.name}: in its last run ${escapedNote(escaped)} (a cgroup would hold them: see --cgroup)`));
  }
  return lines;
}

async function tableRow({ job, summary, paused, lateSince, next }: JobState, now: number): Promise<StatusRow> {
  const last = summary.last;
  const states: string[] = [];
  if (!job.enabled) states.push('disabled');
  if (paused) states.push('paused');
  const [running, ...others] = summary.running;
  if (running !== undefined) {
    states.push(`running${others.length > 0 ? ` x${String(others.length + 1)}` : ''} ${formatElapsed(now - Date.parse(running.started_at))} pid ${String(running.pid)}`);
  }
  if (lateSince !== undefined) states.push(`late ${formatElapsed(Math.floor((now - lateSince) / 1000) * 1000)}`);
  return {
    name: job.name,
    description: job.description ?? '',
    schedule: job.schedule === undefined ? `after ${job.needs.join(', ')}` : await describeSchedule(job.schedule),
    zone: job.schedule === undefined ? undefined : shortZone(job.timezone),
    state: states.length === 0 ? '-' : states.join(', '),
    stateTone: running !== undefined ? 'running' : lateSince !== undefined ? 'late' : paused ? 'paused' : 'none',
    last: last === null ? 'never ran' : `${last.outcome} ${ago(now - Date.parse(last.ended_at))} ${formatElapsed(last.duration_ms)}`,
    lastOutcome: last?.outcome ?? null,
    recent: summary.recent,
    // A late job's next instant is no promise: nothing ran the last one.
    next: !job.enabled ? 'off' : paused ? 'paused' : lateSince !== undefined ? 'late' : next === undefined ? '-' : until(next - now),
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
