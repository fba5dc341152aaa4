import { executePlan } from '../../engine/executor.js';
import { isoUtc } from '../../engine/logical-time.js';
import { planRuns } from '../../engine/plan.js';
import { Slots } from '../../engine/slots.js';
import { readPaused } from '../../io/pause-store.js';
import { isFailure } from '../../ledger/records.js';
import type { RunRecord } from '../../ledger/records.js';
import { tockCommand } from '../command-hint.js';
import { installStopSignals, realEngineDeps, terminalOutput } from '../engine-deps.js';
import { EXIT } from '../exit-codes.js';
import { loadForCommand } from '../load-jobfile.js';
import { openLedger } from '../open-ledger.js';
import { parseTime } from '../parse-time.js';
import type { CommonOptions } from '../paths.js';
import { resolveStateDir } from '../paths.js';
import { renderRunEvent } from '../render/run-events.js';
import { loadPaint, wantsColor } from '../render/style.js';

export interface RunOptions extends CommonOptions {
  /** --cgroup DIR: where each attempt gets its own cgroup. */
  cgroup?: string;
  at?: string;
  upstream?: boolean;
  downstream?: boolean;
  json?: boolean;
}

/** `tock run JOB...`: plan once, run in dependency order, print progress, choose the exit code. */
export async function runCommand(names: string[], options: RunOptions): Promise<void> {
  const jobfile = loadForCommand(options, process.env);
  const stateDir = resolveStateDir(options, process.env, jobfile.stateDir);
  // The logical time is shared by every run of this invocation; whole seconds read better in logs.
  const logicalMs = options.at === undefined ? Math.floor(Date.now() / 1000) * 1000 : await parseTime(options.at, jobfile.timezone, '--at');
  const ledger = openLedger(stateDir, jobfile.jobs.keys());
  const plan = planRuns(jobfile, names, {
    upstream: options.upstream === true,
    downstream: options.downstream === true,
    hasSuccess: (job) => ledger.hasSuccess(job, isoUtc(logicalMs)),
  });

  const json = options.json === true;
  if (!json) notePaused(plan.map((p) => p.job.name), stateDir, options);
  const paint = await loadPaint(wantsColor(process.stderr, process.env, options.color));
  const stopper = installStopSignals((signal) => {
    if (!json) console.error(`tock: ${signal}: stopping; running jobs get SIGTERM, then SIGKILL after their kill_grace (again to kill now)`);
  });
  const emit = json ? () => undefined : (event: Parameters<typeof renderRunEvent>[0]) => {
    const line = renderRunEvent(event, paint);
    if (line !== undefined) console.error(line);
  };
  const output = json ? undefined : terminalOutput(plan.length > 1, paint.cyan);
  const deps = realEngineDeps(stateDir, ledger, emit, stopper, output, options.cgroup);
  let runs: RunRecord[];
  try {
    runs = await executePlan(deps, plan, { jobfile, logicalMs, trigger: 'manual', slots: new Slots(jobfile.maxParallel) });
  } finally {
    stopper.dispose();
    ledger.close();
  }

  if (json) console.log(JSON.stringify({ runs }, null, 2));
  else if (runs.length > 1) printSummary(runs, options);
  const notStarted = plan.length - runs.length;
  if (notStarted > 0 && !json) console.error(`tock: stopped before ${String(notStarted)} more ${notStarted === 1 ? 'job' : 'jobs'} could start`);
  process.exitCode = exitCode(runs, notStarted > 0);
}

/** `tock run` is an explicit request: a paused job runs (as a Job made by hand from a suspended CronJob), with a note. */
function notePaused(names: readonly string[], stateDir: string, options: RunOptions): void {
  let paused: ReadonlySet<string>;
  try {
    paused = readPaused(stateDir);
  } catch {
    return; // a pause file tock cannot read changes nothing for a run asked for by hand
  }
  for (const name of names.filter((n) => paused.has(n))) {
    console.error(`tock: note: ${name} is paused; it runs because you asked (the daemon skips its instants until ${tockCommand(options, 'resume', name)})`);
  }
}

function printSummary(runs: readonly RunRecord[], options: RunOptions): void {
  const failed = runs.filter((r) => isFailure(r.outcome));
  const skipped = runs.filter((r) => r.outcome === 'skipped');
  console.error(`tock: ${String(runs.length - failed.length - skipped.length)} succeeded, ${String(failed.length)} failed, ${String(skipped.length)} skipped`);
  for (const run of failed) console.error(`  see the output: ${tockCommand(options, 'logs', run.job, run.run_id)}`);
}

/** SPEC 6 (`EXIT_CODES` says each in words): `failed` beats `busy`, which is only a forbid overlap. */
function exitCode(runs: readonly RunRecord[], interrupted: boolean): number {
  const failed = runs.some((r) => isFailure(r.outcome) || r.reason === 'upstream-failed');
  if (failed || interrupted) return EXIT.failed;
  return runs.some((r) => r.reason === 'overlap') ? EXIT.busy : EXIT.ok;
}
