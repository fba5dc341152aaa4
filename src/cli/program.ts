import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';

import { describeStorageError, isStorageError } from '../util/storage-error.js';
import { InternalError } from '../util/unreachable.js';
import { UserError } from '../util/user-error.js';
import type { AuditOptions } from './commands/audit.js';
import type { BackfillCommandOptions } from './commands/backfill.js';
import type { DaemonOptions } from './commands/daemon.js';
import type { ExportOptions } from './commands/export.js';
import type { GraphOptions } from './commands/graph.js';
import type { ImportOptions } from './commands/import.js';
import type { InitOptions } from './commands/init.js';
import type { Shell } from './commands/completion.js';
import type { HistoryOptions } from './commands/history.js';
import type { LedgerOptions } from './commands/ledger.js';
import type { LogsOptions } from './commands/logs.js';
import type { NextOptions } from './commands/next.js';
import type { PauseOptions } from './commands/pause.js';
import type { RunOptions } from './commands/run.js';
import type { ServiceOptions } from './commands/service.js';
import type { StatusOptions } from './commands/status.js';
import type { TimelineOptions } from './commands/timeline.js';
import type { ValidateOptions } from './commands/validate.js';
import type { WhyOptions } from './commands/why.js';
import { EXIT, exitCodesHelp } from './exit-codes.js';
import type { CommonOptions } from './paths.js';
import { defaultStateDir } from './paths.js';
import { version } from './version.js';

// Each command's module is imported only when that command runs (and `tock --version` alone does not
// even load this file: main.ts): a `tock validate` must not pay for what `tock run` needs (docs/decisions.md).

// The default that applies to whoever asks: root's differs from a user's (SPEC 1).
const STATE_DIR_HELP = `ledger, locks and logs (default: $TOCK_STATE_DIR, the jobfile's state_dir, else ${
  process.getuid?.() === 0 ? defaultStateDir(process.env) : `$XDG_STATE_HOME/tock: ${defaultStateDir(process.env)}`})`;

function common(command: Command): Command {
  return command
    .option('-f, --jobfile <path>', 'the jobfile (default: $TOCK_JOBFILE, ./tock.yaml, ~/.config/tock/tock.yaml, /etc/tock/tock.yaml)')
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .option('--no-color', 'no colour, even on a terminal');
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected a whole number (0 or more), got "${value}"`);
  return n;
}

function positiveInt(value: string): number {
  const n = Number(value);
  // commander names the option in its message: "option '--limit <n>' argument '0' is invalid."
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number of at least 1, got "${value}"`);
  return n;
}

// A write past `ulimit -f` raises SIGXFSZ as well as failing with EFBIG, which tock handles.
// Node ignores the signal, but signal-exit (under proper-lockfile) re-raises it to kill the
// process unless someone else listens: this listener keeps tock alive.
process.on('SIGXFSZ', () => undefined);

const program = new Command('tock')
  .description('Runs the jobs of a YAML jobfile on time, never twice at once, and records every outcome.')
  .version(version, '-V, --version')
  .showSuggestionAfterError()
  .exitOverride()
  .configureOutput({ outputError: (text, write) => { write(text.replace(/^error:/, 'tock: error:')); } })
  .addHelpText('after', `\n${exitCodesHelp()}`);

const CGROUP_HELP = 'a cgroup v2 directory to give each attempt a cgroup of its own in (default: $TOCK_CGROUP, else tock\'s own cgroup when delegated)';

common(program.command('validate'))
  .description('check the jobfile; prints "ok: N jobs"')
  .option('--json', 'print { ok, jobs, diagnostics } as JSON')
  .action(async (options: ValidateOptions) => (await import('./commands/validate.js')).validateCommand(options));

common(program.command('run'))
  .description('run jobs now, in dependency order')
  .argument('<job...>', 'jobs to run')
  .option('--at <time>', 'logical time (ISO 8601 date or time; default now)')
  .option('--upstream', 'also run needs with no success for this logical time')
  .option('--downstream', 'also run every job that depends on these')
  .option('--json', 'print { runs } as JSON; job output goes only to the logs')
  .option('--cgroup <dir>', CGROUP_HELP)
  .action(async (jobs: string[], options: RunOptions) => (await import('./commands/run.js')).runCommand(jobs, options));

common(program.command('history'))
  .description('past runs, newest first, with their attempts')
  .argument('[job]', 'only this job')
  .addOption(new Option('--limit <n>', 'at most this many runs').default(20).argParser(positiveInt))
  .option('--since <time>', 'only runs started at or after this time: a date, a time or a duration back from now (2d, 12h)')
  .option('--outcome <outcome>', 'only runs with this outcome (or "running")')
  .option('--json', 'print { runs } as JSON')
  .option('--utc', 'show times in UTC instead of each job\'s zone')
  .action(async (job: string | undefined, options: HistoryOptions) => (await import('./commands/history.js')).historyCommand(job, options));

common(program.command('logs'))
  .description("a run's captured output (default: the job's latest run)")
  .argument('<job>', 'the job')
  .argument('[run_id]', 'the run (see `tock history JOB`)')
  .addOption(new Option('-n, --lines <n>', 'only the last N lines').argParser(wholeNumber))
  .option('--follow', 'keep printing as the run writes; without RUN_ID, follow the job\'s runs as they start, until Ctrl-C')
  .action(async (job: string, runId: string | undefined, options: LogsOptions) => (await import('./commands/logs.js')).logsCommand(job, runId, options));

common(program.command('status'))
  .description('whether a daemon schedules the state dir, then one row a job: schedule, state, last outcome, recent outcomes, next run')
  .argument('[job...]', 'only these jobs')
  .option('--json', 'print { daemon, jobs } as JSON')
  .option('--prometheus <file>', 'write the metrics for node_exporter\'s textfile collector to FILE (atomically)')
  .option('--watch', 'redraw the table in place on a terminal until Ctrl-C')
  .option('--interval <duration>', 'how often --watch redraws (default 2s)')
  .option('--utc', 'show the daemon\'s start in UTC instead of the host\'s zone')
  .action(async (jobs: string[], options: StatusOptions) => (await import('./commands/status.js')).statusCommand(jobs, options));

common(program.command('why'))
  .description('the latest failure of a job: attempts, log tail, what it blocked, what changed since it last worked')
  .argument('<job>', 'the job')
  .option('--json', 'print the explanation as JSON')
  .option('--utc', 'show times in UTC instead of the job\'s zone')
  .action(async (job: string, options: WhyOptions) => (await import('./commands/why.js')).whyCommand(job, options));

common(program.command('timeline'))
  .description('a Gantt of each job\'s runs over a window: what ran when, what overlapped, what was missed')
  .argument('[job...]', 'only these jobs')
  .option('--since <time>', 'start of the window: a duration back from now (24h, 2d) or a date or time', '24h')
  .option('--utc', 'draw the time axis in UTC instead of the jobfile\'s timezone')
  .option('--json', 'print { since, until, jobs } as JSON')
  .action(async (jobs: string[], options: TimelineOptions) => (await import('./commands/timeline.js')).timelineCommand(jobs, options));

common(program.command('next'))
  .description('upcoming instants of each job, in its zone and UTC (jitter and the DST rule applied)')
  .argument('[job...]', 'only these jobs')
  .addOption(new Option('--count <n>', 'instants per job').default(5).argParser(positiveInt))
  .option('--from <time>', 'list instants after this time instead of now')
  .option('--json', 'print { jobs } as JSON')
  .action(async (jobs: string[], options: NextOptions) => (await import('./commands/next.js')).nextCommand(jobs, options));

common(program.command('graph'))
  .description('the dependency graph')
  .addOption(new Option('--format <format>', 'text, dot or mermaid').choices(['text', 'dot', 'mermaid']).default('text'))
  .option('--json', 'print { jobs, edges } as JSON')
  .action(async (options: GraphOptions) => (await import('./commands/graph.js')).graphCommand(options));

common(program.command('pause'))
  .description('stop the daemon running jobs (their instants are recorded skipped, paused) until `tock resume`; no SIGHUP needed')
  .argument('[job...]', 'jobs to pause')
  .option('--all', 'every job of the jobfile')
  .action(async (jobs: string[], options: PauseOptions) => (await import('./commands/pause.js')).pauseCommand(jobs, options));

common(program.command('resume'))
  .description('let the daemon run paused jobs again from their next instant (the skipped ones are not caught up)')
  .argument('[job...]', 'jobs to resume')
  .option('--all', 'every paused job')
  .action(async (jobs: string[], options: PauseOptions) => (await import('./commands/pause.js')).resumeCommand(jobs, options));

common(program.command('daemon'))
  .description('run the jobs on their schedules, in the foreground (for systemd); SIGHUP reloads, SIGTERM stops')
  .option('--listen <host:port>', 'serve /metrics (Prometheus) and /status (JSON) over HTTP, e.g. 127.0.0.1:9464')
  .addOption(new Option('--log-format <format>', 'one line per event on stderr').choices(['text', 'json']).default('text'))
  .addOption(new Option('--log-level <level>', 'info: a line per finished run, warnings and errors; debug: also armed, fired and attempt lines').choices(['info', 'debug']).default('info'))
  .option('--utc', 'log job times in UTC instead of each job\'s zone')
  .option('--cgroup <dir>', CGROUP_HELP)
  .action(async (options: DaemonOptions) => (await import('./commands/daemon-start.js')).daemonCommand(options));

const service = program.command('service').description('run the daemon under systemd');
common(service.command('install'))
  .description('write a systemd unit that runs `tock daemon` on this jobfile')
  .option('--user', 'a user unit (~/.config/systemd/user) instead of a system one (/etc/systemd/system)')
  .option('--print', 'print the unit instead of writing it')
  .action(async (options: ServiceOptions) => (await import('./commands/service.js')).serviceInstallCommand(options));

common(program.command('backfill'))
  .description('run every scheduled instant in a past window that has no success, oldest first')
  .argument('<job...>', 'jobs to backfill')
  .requiredOption('--from <time>', 'start: a date (a whole day in the job\'s zone), an ISO 8601 time or a duration back from now (2d)')
  .requiredOption('--to <time>', 'end, inclusive: a date, an ISO 8601 time or a duration back from now')
  .addOption(new Option('--parallel <n>', 'instants at once (also bounded by max_parallel)').default(1).argParser(positiveInt))
  .option('--force', 'run instants that succeeded before too')
  .option('--backwards', 'newest first')
  .option('--downstream', 'after each instant, run its dependents for it')
  .option('--dry-run', 'list each instant and what would happen; run nothing')
  .option('--yes', 'allow more than 100,000 instants')
  .option('--json', 'print { summary, runs } as JSON')
  .option('--utc', 'show times in UTC instead of each job\'s zone')
  .option('--cgroup <dir>', CGROUP_HELP)
  .action(async (jobs: string[], options: BackfillCommandOptions) => (await import('./commands/backfill.js')).backfillCommand(jobs, options));

common(program.command('audit'))
  .description('find what is wrong with crontabs: clashes, DST traps, hidden dependencies, lost output...')
  .argument('[file...]', 'crontab files, or - for standard input (default: crontab -l, /etc/crontab, /etc/cron.d/*)')
  .addOption(new Option('--format <format>', 'crontab format (default: system for /etc/crontab and /etc/cron.d/*, else user)').choices(['user', 'system']))
  .option('--json', 'print { findings, jobs, files } as JSON')
  .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding this severe is found').choices(['error', 'warning', 'never']).default('error'))
  .action(async (files: string[], options: AuditOptions) => (await import('./commands/audit.js')).auditCommand(files, options));

common(program.command('import'))
  .description('turn a crontab into a jobfile, and prove each job fires at the same instants')
  .argument('[file]', 'a crontab file, or - for standard input (the default)')
  .addOption(new Option('--format <format>', 'crontab format (default: system for /etc/crontab and /etc/cron.d/*, else user)').choices(['user', 'system']))
  .option('-o, --output <file>', 'write the jobfile here instead of standard output')
  .option('--json', 'print { jobfile, jobs, reboot, carried, proof } as JSON')
  .option('--strict', 'a line cron skips or that never runs is an error (exit 2, nothing written), not a comment')
  .option('--force', 'exit 0 even when the proof finds differences')
  .action(async (file: string | undefined, options: ImportOptions) => { (await import('./commands/import.js')).importCommand(file, options); });

common(program.command('export'))
  .description('hand the jobfile to Kubernetes (CronJobs), Argo Workflows (CronWorkflows) or systemd (timers)')
  .addArgument(new Argument('<target>', 'kubernetes, argo or systemd').choices(['kubernetes', 'argo', 'systemd']))
  .option('-o, --output <dir>', 'write one file per object into DIR instead of one stream on standard output')
  .option('--image <image>', 'the container image that runs the commands (kubernetes and argo)')
  .option('--workdir <dir>', 'the working directory inside the container (kubernetes and argo; default: the image\'s)')
  .action(async (target: 'kubernetes' | 'argo' | 'systemd', options: ExportOptions) => (await import('./commands/export.js')).exportCommand(target, options));

const ledger = program.command('ledger').description('verify or shrink the ledger');
common(ledger.command('check'))
  .description('report every line of the ledger that is not a whole event; exit 1 if any')
  .option('--json', 'print { ok, jobs, segments, bad_lines } as JSON')
  .action(async (options: LedgerOptions) => (await import('./commands/ledger.js')).ledgerCheckCommand(options));
common(ledger.command('compact'))
  .description('drop runs older than --keep (each job keeps its latest run and latest success) and their logs')
  .requiredOption('--keep <duration>', 'how much history to keep, e.g. 90d')
  .option('--json', 'print what was dropped and kept as JSON')
  .action(async (options: LedgerOptions & { keep: string }) => (await import('./commands/ledger.js')).ledgerCompactCommand(options));

common(program.command('init'))
  .description('write a commented starter jobfile (./tock.yaml, or -f PATH) that validates and runs; never overwrites')
  .addOption(new Option('--example <name>', 'start from an example instead: pipeline, a six-job pipeline in plain sh').choices(['pipeline']))
  .action(async (options: InitOptions) => { (await import('./commands/init.js')).initCommand(options); });

// For the completion scripts: the jobfile's job names, one a line; silent, and exit 0, on any error.
const COMPLETE_JOBS = '__complete-jobs';
program.command('completion')
  .description('print a shell completion script (commands, flags, job names): source <(tock completion bash)')
  .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
  .action(async (shell: Shell) => { (await import('./commands/completion.js')).completionCommand(program, shell, COMPLETE_JOBS); });

common(program.command(COMPLETE_JOBS, { hidden: true }))
  .action(async (options: CommonOptions) => { (await import('./commands/completion.js')).completeJobsCommand(options); });

// An empty path would resolve to the working directory: `--state-dir ''` must not write there.
program.hook('preAction', (_program, action) => {
  const given = action.opts<{ jobfile?: unknown; stateDir?: unknown; output?: unknown }>();
  const paths: [string, unknown][] = [['-f/--jobfile', given.jobfile], ['--state-dir', given.stateDir], ['-o/--output', given.output],
    ['$TOCK_JOBFILE', process.env.TOCK_JOBFILE], ['$TOCK_STATE_DIR', process.env.TOCK_STATE_DIR]];
  const name = paths.find(([, value]) => value === '')?.[0];
  if (name !== undefined) {
    throw new UserError('usage', `${name}: expected a path, got an empty string`,
      name.startsWith('$') ? `set ${name.slice(1)} to a path, or unset it (unset ${name.slice(1)})` : `give ${name} a path, or leave it out`);
  }
});

try {
  await program.parseAsync();
} catch (error) {
  process.exitCode = report(error);
}
await new Promise<void>((resolve) => process.stdout.write('', () => { resolve(); }));
process.exit(process.exitCode ?? 0);

function report(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and --version "fail" with code 0; every real usage mistake is a usage error.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof UserError) {
    for (const line of error.details) console.error(line);
    console.error(`tock: error: ${error.message}`);
    if (error.hint !== undefined) console.error(`  hint: ${error.hint}`);
    return EXIT.usage;
  }
  if (isStorageError(error)) {
    // The host's disk, not a bug: say which file and why, and fail like a failed run.
    console.error(`tock: error: cannot write${error.path !== undefined ? ` ${error.path}` : ''}: ${describeStorageError(error)}`);
    console.error('  hint: free some space (or raise the limit) on the state dir\'s file system; tock retries on its next write');
    return EXIT.failed;
  }
  const kind = error instanceof InternalError ? 'internal error' : 'unexpected error';
  console.error(`tock: ${kind} (a bug in tock ${version}, please report it with this output):`);
  console.error(error instanceof Error ? error.stack ?? error.message : String(error));
  return EXIT.internal;
}
