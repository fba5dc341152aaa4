import { once } from 'node:events';

import { DateTime } from 'luxon';

import { distinctTimes, planBackfill } from '../../backfill/plan.js';
import { planJson } from '../../backfill/plan-json.js';
import type { BackfillInstant, Window } from '../../backfill/plan.js';
import { runBackfill } from '../../backfill/run.js';
import { closure, dependentsOf } from '../../engine/graph.js';
import { readPaused } from '../../io/pause-store.js';
import { planRuns } from '../../engine/plan.js';
import type { PlannedRun } from '../../engine/plan.js';
import type { Job, Jobfile } from '../../jobfile/types.js';
import type { RunRecord } from '../../ledger/records.js';
import { isFailure } from '../../ledger/records.js';
import { tockCommand } from '../command-hint.js';
import { installStopSignals, realEngineDeps } from '../engine-deps.js';
import { EXIT } from '../exit-codes.js';
import { loadForCommand } from '../load-jobfile.js';
import { openLedger } from '../open-ledger.js';
import { parseIsoTime } from '../parse-time.js';
import type { CommonOptions } from '../paths.js';
import { resolveStateDir } from '../paths.js';
import { formatElapsed } from '../render/style.js';
import { counted } from '../../util/plural.js';
import { UserError } from '../../util/user-error.js';
import { formatTime } from '../render/time.js';

export interface BackfillCommandOptions extends CommonOptions {
  /** --cgroup DIR: where each attempt gets its own cgroup. */
  cgroup?: string;
  from: string;
  to: string;
  parallel: number;
  force?: boolean;
  backwards?: boolean;
  downstream?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  json?: boolean;
  /** --utc: times in UTC instead of each job's zone. */
  utc?: boolean;
}

interface Summary {
  planned: number;
  ran: number;
  succeeded: number;
  failed: number;
  skipped: number;
  duration_ms: number;
}

/** `tock backfill JOB... --from T --to T`: every scheduled instant in the window without a success. */
export async function backfillCommand(names: string[], options: BackfillCommandOptions): Promise<void> {
  const started = Date.now();
  const jobfile = loadForCommand(options, process.env);
  const stateDir = resolveStateDir(options, process.env, jobfile.stateDir);
  if (options.force !== true) refusePaused(jobfile, names, options, readPaused(stateDir));
  const ledger = openLedger(stateDir, jobfile.jobs.keys());
  const instants = planBackfill(jobfile, names, (job) => windowOf(job, options.from, options.to),
    { force: options.force === true, backwards: options.backwards === true, yes: options.yes === true,
      instantsCommand: tockCommand(options, 'next', 'JOB', '--from', 'TIME') },
    (job, since) => ledger.succeededSince(job, since), Date.now());

  const shown = (job: string, ms: number): string => formatTime(ms, jobfile.jobs.get(job)?.timezone ?? jobfile.timezone, { utc: options.utc === true });
  // How many runs one instant of a job makes: itself, and with --downstream its dependents.
  const perInstant = new Map(names.map((n) => [n, planRuns(jobfile, [n], { upstream: false, downstream: options.downstream === true, hasSuccess: () => false })]));
  const count = countRuns(instants, perInstant);

  if (options.dryRun === true) {
    if (options.json === true) {
      // A pipe takes the pieces as fast as its reader reads: waiting for it keeps one piece in memory, not 54 MB queued.
      for (const piece of planJson(summarize(instants, [], started), instants)) if (!process.stdout.write(piece)) await once(process.stdout, 'drain');
      process.stdout.write('\n');
    } else {
      for (const i of instants) console.log(`${i.action === 'run' ? 'run ' : 'skip'}  ${i.job}  ${shown(i.job, i.logicalMs)}${i.reason !== undefined ? `  (${i.reason})` : ''}`);
      const skipped = count.runs - count.toRun;
      console.log(`${count.label}: ${String(count.toRun)} would run, ${String(skipped)} skipped${skipped > 0 ? ' (succeeded before; --force runs them again)' : ''}`);
    }
    return;
  }

  const serial = names.filter((n) => jobfile.jobs.get(n)?.concurrency !== 'allow');
  if (options.parallel > 1 && serial.length > 0 && options.json !== true) {
    console.error(`tock: note: ${serial.join(', ')} run one instant at a time: the job lock holds (concurrency is not allow). ` +
      'For a job whose runs are partitioned by date, set concurrency: allow to let --parallel run instants together.');
  }
  const progress = await startProgress(instants.filter((i) => i.action === 'run').length, options.json === true, shown);
  const records: RunRecord[] = [];
  const stopper = installStopSignals((signal) => {
    progress.note(`tock: ${signal}: launching nothing more; running jobs get SIGTERM, then SIGKILL after their kill_grace`);
  });
  const deps = realEngineDeps(stateDir, ledger, () => undefined, stopper, undefined, options.cgroup);
  try {
    await runBackfill(deps, jobfile, instants, { parallel: options.parallel, downstream: options.downstream === true, force: options.force === true }, (instant, runs) => {
      records.push(...runs);
      progress.done(instant, runs);
    });
  } finally {
    stopper.dispose();
    progress.stop();
    ledger.close();
  }
  const summary = summarize(instants, records, started);
  if (options.json === true) console.log(JSON.stringify({ summary, runs: records }, null, 2));
  else {
    const notRun = count.runs - summary.succeeded - summary.failed - summary.skipped;
    const parts = [[summary.succeeded, 'succeeded'], [summary.failed, 'failed'], [summary.skipped, 'skipped'], [notRun, 'not run']] as const;
    const said = parts.filter(([n]) => n > 0).map(([n, what]) => `${String(n)} ${what}`);
    console.error(`tock: backfill: ${count.label}: ${said.length > 0 ? said.join(', ') : 'none ran'}, in ${formatElapsed(summary.duration_ms)}`);
    for (const r of records.filter((x) => isFailure(x.outcome))) {
      console.error(`  ${r.job} ${shown(r.job, Date.parse(r.logical_time))} ${r.outcome}: ${tockCommand(options, 'logs', r.job, r.run_id)}`);
    }
  }
  const asked = records.filter((r) => names.includes(r.job));
  const ok = !stopper.stop.signal.aborted && asked.every((r) => r.outcome === 'success' || r.reason === 'succeeded-before')
    && asked.length >= instants.filter((i) => i.action === 'run').length;
  process.exitCode = ok ? EXIT.ok : EXIT.failed;
}

/** A paused job is not backfilled (nor pulled in by --downstream) unless --force says so. */
function refusePaused(jobfile: Jobfile, names: readonly string[], options: BackfillCommandOptions, paused: ReadonlySet<string>): void {
  const known = names.filter((n) => jobfile.jobs.has(n));
  const reached = options.downstream === true ? [...new Set([...known, ...closure(known, (n) => dependentsOf(jobfile.jobs, n))])] : known;
  const refused = reached.filter((n) => paused.has(n));
  if (refused.length === 0) return;
  throw new UserError('usage', `expected jobs that are not paused, got ${refused.map((n) => `"${n}"`).join(', ')} (tock pause)`,
    `resume ${refused.length === 1 ? 'it' : 'them'} first (${tockCommand(options, 'resume', ...refused)}), or add --force to backfill ${refused.length === 1 ? 'it' : 'them'} paused`);
}

/**
 * `11 instants x 6 jobs = 66 runs` (with --downstream an instant runs its dependents too):
 * instants and runs counted apart. Several jobs on different schedules: `14 instants, 2 jobs = 18 runs`.
 */
function countRuns(instants: readonly BackfillInstant[], perInstant: ReadonlyMap<string, readonly PlannedRun[]>): { runs: number; toRun: number; label: string } {
  const times = distinctTimes(instants);
  const jobs = new Set([...perInstant.values()].flatMap((plan) => plan.map((p) => p.job.name))).size;
  let runs = 0;
  let toRun = 0;
  for (const i of instants) {
    const n = perInstant.get(i.job)?.length ?? 1;
    runs += n;
    if (i.action === 'run') toRun += n;
  }
  const label = `${counted(times, 'instant')}${times * jobs === runs ? ' x ' : ', '}${counted(jobs, 'job')} = ${counted(runs, 'run')}`;
  return { runs, toRun, label };
}

function summarize(instants: readonly BackfillInstant[], records: readonly RunRecord[], started: number): Summary {
  const before = instants.filter((i) => i.action === 'skip').length;
  return {
    planned: instants.length,
    ran: records.filter((r) => r.attempts.length > 0).length,
    succeeded: records.filter((r) => r.outcome === 'success').length,
    failed: records.filter((r) => isFailure(r.outcome)).length,
    skipped: before + records.filter((r) => r.outcome === 'skipped').length,
    duration_ms: Date.now() - started,
  };
}

/** SPEC 6: dates are whole days in the job's zone, inclusive; times are ISO 8601 (in the job's zone without an offset). */
function windowOf(job: Job, from: string, to: string): Window {
  return { fromMs: instant(from, job.timezone, 'start', '--from'), toMs: instant(to, job.timezone, 'end', '--to') };
}

function instant(text: string, zone: string, edge: 'start' | 'end', flag: string): number {
  return parseIsoTime(DateTime, text, zone, flag, `a date is a whole day in the job's zone (${zone}); a time without an offset is in that zone too`, edge);
}

interface Progress {
  done(instant: BackfillInstant, runs: readonly RunRecord[]): void;
  note(text: string): void;
  stop(): void;
}

/** A progress bar on a terminal (cli-progress); off a terminal, one line per finished instant. */
async function startProgress(total: number, quiet: boolean, shown: (job: string, ms: number) => string): Promise<Progress> {
  let finished = 0;
  let failed = 0;
  if (quiet) return { done: () => undefined, note: () => undefined, stop: () => undefined };
  if (!process.stderr.isTTY) {
    return {
      done(instant, runs) {
        finished++;
        const own = runs.find((r) => r.job === instant.job);
        const outcome = own === undefined ? 'not started' : `${own.outcome}${own.reason !== undefined ? ` (${own.reason})` : ''}`;
        console.error(`[${String(finished)}/${String(total)}] ${instant.job} ${shown(instant.job, instant.logicalMs)} ${outcome}${own !== undefined ? ` in ${formatElapsed(own.duration_ms)}` : ''}`);
      },
      note: (text) => { console.error(text); },
      stop: () => undefined,
    };
  }
  const { SingleBar, Presets } = (await import('cli-progress')).default;
  const bar = new SingleBar({
    format: '{bar} {value}/{total} | failed {failed} | {current} | ETA {eta_formatted}',
    stream: process.stderr, hideCursor: true, clearOnComplete: false,
  }, Presets.shades_classic);
  bar.start(total, 0, { failed: 0, current: '' });
  return {
    done(instant, runs) {
      finished++;
      if (runs.some((r) => isFailure(r.outcome))) failed++;
      bar.update(finished, { failed, current: `${instant.job} ${shown(instant.job, instant.logicalMs)}` });
    },
    note(text) {
      bar.stop();
      console.error(text);
    },
    stop: () => { bar.stop(); },
  };
}
