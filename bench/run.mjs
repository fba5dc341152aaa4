// tock's benchmark: start-up, run overhead, large-jobfile validation, the ledger at 1,000,000 runs,
// a backfill plan of a year of a minutely job, an audit of 10,000 crontab lines and the daemon, each
// against a baseline measured in the same run (see bench/README.md).
//
//   npm run bench                      (builds first)
//   node bench/run.mjs [--runs N] [--breakdown] [--keep] [--quiet-wait S] [--ledger-runs N | --no-ledger] [--no-backfill] [--no-audit] [--no-schedule] [--no-daemon]
//   node bench/run.mjs --only daemon,wake   (only these groups; see GROUPS below)
//
// --runs N      timed runs per process figure (default 30; at least 5)
// --breakdown   also time `import()` of each dependency and dist module in a fresh process
// --keep        keep the temp dir (its path is printed) instead of deleting it
// --quiet-wait S  before each figure wait while the CPUs are over 25% busy, at most S seconds
//               in all (default 30)
// --ledger-runs N  runs in the big generated ledger (default 1000000; bench/ledger.mjs)
// --no-ledger   skip the ledger figures (they generate ~1.5 GB under the temp dir)
// --no-daemon   skip the daemon figures (fire latency, idle cost, start-up; ~2.5 minutes; daemon.mjs)
// --no-backfill skip the backfill figures (a year of a minutely job against 500,000 successes;
//               ~800 MB of ledger a zone, ~1.5 minutes; backfill.mjs)
// --backfill-zones Z1,Z2  the job's zones for the backfill figures (default UTC,America/New_York)
// --no-audit    skip the audit figures (tock audit of 10,000 crontab lines in 100 files, --json and
//               the report, 7 runs each after 1 warm-up; audit.mjs)
// --audit-runs N  counted runs of the audit figures (default 7)
// --no-schedule skip the schedule figures (100,000 instants of a DST and a minutely schedule,
//               in-process; schedule.mjs)
// --no-cold, --no-run, --no-validate, --no-wake, --no-engine  skip those groups too
// --only G1,G2  run only these groups: cold (--version, validate of the example), run (tock run
//               of true), validate (1,000 jobs), ledger, backfill, audit, schedule, daemon, wake
//               (bench/wake.mjs), engine (bench/engine-throughput.mjs)
// --cron-minutes N  Debian cron minute boundaries in the daemon figures (default 2; 0 skips cron)
// --firings N, --idle-settle S, --startup-runs N, --startup-runs-100k N, --cron-phase S,
// --fire-log-level L: see bench/daemon.mjs
//
// Figures are reported, never enforced: missing a target does not fail the bench. A command
// that exits non-zero does (exit 1), because its timings would be meaningless.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { generateJobfile } from './gen-jobfile.mjs';
import { auditFigures } from './audit.mjs';
import { backfillFigures } from './backfill.mjs';
import { daemonFigures } from './daemon.mjs';
import { ledgerFigures } from './ledger.mjs';
import { engineFigure, wakeFigure } from './external.mjs';
import { scheduleFigures } from './schedule.mjs';
import { ratioText, SUMMARY_HEADER, summaryRows } from './summary.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH);
const TOCK = path.join(ROOT, 'bin', 'tock.js');
const NODE = process.execPath;
const RESULTS = path.join(BENCH, 'results.json');

// ---------------------------------------------------------------------------------------------
// Options

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const RUNS = Math.max(5, Number.parseInt(option('--runs', '30'), 10) || 30);
const WARMUP = 5;
const BIG_RUNS = Math.max(5, Math.round(RUNS / 2)); // validate of 1,000 jobs: ~15 runs
const INPROC_RUNS = Math.max(5, Math.round((RUNS * 2) / 3)); // validateText in-process: ~20
const BIG_JOBS = 1000;
const LEDGER_RUNS = Math.max(1000, Number.parseInt(option('--ledger-runs', '1000000'), 10) || 1_000_000);

// The groups of figures, in the order they run; --only picks some, --no-<group> drops one.
const GROUPS = ['cold', 'run', 'validate', 'ledger', 'backfill', 'audit', 'schedule', 'daemon', 'wake', 'engine'];
const ONLY = option('--only', undefined)?.split(',').filter(Boolean);
for (const g of ONLY ?? []) {
  if (!GROUPS.includes(g)) {
    console.error(`bench: --only ${g}: expected some of ${GROUPS.join(', ')}`);
    process.exit(2);
  }
}
const runs = (group) => (ONLY === undefined || ONLY.includes(group)) && !flag(`--no-${group}`);
const whySkipped = (group) => (flag(`--no-${group}`) ? `--no-${group}` : `--only ${ONLY?.join(',') ?? ''}`);
/** The group a figure id belongs to (for the summary's "not measured (--no-daemon)"). */
const groupOf = (id) =>
  id.startsWith('cold-start') ? 'cold' : id.startsWith('run-overhead') ? 'run' : id.startsWith('validate-') ? 'validate'
    : id.startsWith('ledger-') ? 'ledger' : id.startsWith('backfill-') ? 'backfill' : id.startsWith('audit-') ? 'audit'
      : id.startsWith('schedule-') ? 'schedule' : id === 'daemon-wake-cost' ? 'wake' : id.startsWith('engine-') ? 'engine' : 'daemon';

// ---------------------------------------------------------------------------------------------
// Statistics

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p) => {
    if (s.length === 0) return NaN;
    const i = (s.length - 1) * p;
    const lo = Math.floor(i);
    const hi = Math.ceil(i);
    return s[lo] + (s[hi] - s[lo]) * (i - lo);
  };
  const r = (x) => Math.round(x * 1000) / 1000;
  return {
    n: s.length,
    median: r(at(0.5)),
    min: r(s[0]),
    max: r(s[s.length - 1]),
    p90: r(at(0.9)),
    samples: samples.map(r),
  };
}

// ---------------------------------------------------------------------------------------------
// Processes

// The children see the same environment: no TOCK_* from the caller's shell, no colour.
const childEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TOCK_')));
childEnv.NO_COLOR = '1';
// Wide enough that `status` shows whole job names (it fits its table to COLUMNS, 80 off a TTY).
childEnv.COLUMNS = '200';

class CommandFailed extends Error {}

/** Runs `node ...args` once and returns its wall time in ms; a non-zero exit throws. */
function timeNode(cmd) {
  const start = process.hrtime.bigint();
  const result = spawnSync(NODE, cmd.args, { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.error !== undefined || result.status !== 0) {
    const how = result.error !== undefined ? result.error.message : result.signal !== null ? `signal ${result.signal}` : `exit code ${result.status}`;
    throw new CommandFailed(
      `${cmd.label} failed (${how}): node ${cmd.args.join(' ')}\n` +
        `--- stdout ---\n${String(result.stdout ?? '').slice(-2000)}\n--- stderr ---\n${String(result.stderr ?? '').slice(-2000)}`,
    );
  }
  if (cmd.expectStdout !== undefined && !cmd.expectStdout.test(String(result.stdout))) {
    throw new CommandFailed(`${cmd.label}: unexpected output from node ${cmd.args.join(' ')}:\n${String(result.stdout)}${String(result.stderr)}`);
  }
  // `check(stdout)` returns undefined when the output is right, else what is wrong with it.
  const wrong = cmd.check?.(String(result.stdout));
  if (wrong !== undefined) {
    throw new CommandFailed(`${cmd.label}: ${wrong}\nfrom node ${cmd.args.join(' ')}:\n${String(result.stdout).slice(0, 4000)}${String(result.stderr).slice(0, 2000)}`);
  }
  return ms;
}

/**
 * Interleaved timing of several commands: each round runs every one, the order rotated by one
 * each round (A B C, B C A, C A B, ...; for two, A B, B A) so drift in machine load and any
 * position effect fall on all equally. Returns each command's samples, in the order given.
 */
function interleaveAll(cmds, runs, warmup = WARMUP) {
  const samples = cmds.map(() => []);
  for (let i = 0; i < warmup + runs; i++) {
    for (let k = 0; k < cmds.length; k++) {
      const j = (i + k) % cmds.length;
      const ms = timeNode(cmds[j]);
      if (i >= warmup) samples[j].push(ms);
    }
  }
  return samples;
}

/** Interleaved A/B timing (see interleaveAll); `baseline` may be undefined. */
function interleave(baseline, subject, runs, warmup = WARMUP) {
  if (baseline === undefined) return { baseline: [], subject: interleaveAll([subject], runs, warmup)[0] };
  const [a, b] = interleaveAll([baseline, subject], runs, warmup);
  return { baseline: a, subject: b };
}

// ---------------------------------------------------------------------------------------------
// Figures

const figures = [];

function addFigure({ id, name, subject, baseline, samples, baseSamples, target, extra, busy }) {
  const s = stats(samples);
  const b = baseSamples !== undefined ? stats(baseSamples) : undefined;
  const ratio = b !== undefined ? Math.round((s.median / b.median) * 1000) / 1000 : null;
  const measured = target.kind === 'ratio' ? ratio : s.median;
  figures.push({
    id,
    name,
    command: subject,
    unit: 'ms',
    subject: s,
    baseline: b !== undefined ? { command: baseline, ...b } : null,
    ratio,
    target: { ...target, text: target.kind === 'none' ? '(for the record)' : target.kind === 'ratio' ? `<= ${target.value}x` : `< ${target.value} ms` },
    meets: target.kind === 'none' ? null : target.kind === 'ratio' ? measured <= target.value : measured < target.value,
    ratio_of_mins: b !== undefined ? Math.round((s.min / b.min) * 1000) / 1000 : null,
    cpu_busy_pct_before: busy ?? null,
    ...(extra !== undefined ? extra : {}),
  });
}

/**
 * A throughput figure (units a second, higher is better): `rates` are per-batch rates, `overall`
 * is units / total time. The optional baseline is another writer measured in alternating batches;
 * the ratio is overall / baseline overall (the share of the baseline's rate). The table shows
 * the overall rates; results.json has the batches too.
 */
function addRateFigure({ id, name, unit, subject, rates, overall, units, ms, baseline, target, busy, extra }) {
  const s = stats(rates);
  const b = baseline !== undefined ? { command: baseline.command, ...stats(baseline.rates), overall: Math.round(baseline.overall), units: baseline.units, ms: Math.round(baseline.ms) } : null;
  figures.push({
    id,
    name,
    command: subject,
    unit,
    subject: { ...s, overall: Math.round(overall), units, ms: Math.round(ms) },
    baseline: b,
    ratio: b !== null ? Math.round((overall / baseline.overall) * 1000) / 1000 : null,
    target: { ...target, text: `>= ${String(target.value)} ${unit}` },
    meets: overall >= target.value,
    ratio_of_mins: null,
    cpu_busy_pct_before: busy ?? null,
    ...(baseline?.label !== undefined ? { baseline_label: baseline.label } : {}),
    ...(extra !== undefined ? extra : {}),
  });
}

function progress(text) {
  process.stderr.write(`  ${text}\n`);
}

/** Share of all CPUs busy over `ms` (from /proc/stat), or null where there is no /proc. */
function cpuBusy(ms) {
  const read = () => {
    try {
      const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
      const idle = (f[3] ?? 0) + (f[4] ?? 0);
      return { idle, total: f.reduce((a, b) => a + b, 0) };
    } catch {
      return null;
    }
  };
  const a = read();
  if (a === null) return null;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  const b = read();
  const total = b.total - a.total;
  return total > 0 ? Math.round((1 - (b.idle - a.idle) / total) * 1000) / 10 : 0;
}

// Before each figure, wait (within a budget) for the machine to be quiet: other work on the
// same cores inflates both sides of a ratio, but not equally. What was seen is recorded.
const QUIET_PCT = 25;
let quietBudgetMs = Number.parseInt(option('--quiet-wait', '30'), 10) * 1000;
function waitQuiet() {
  let busy = cpuBusy(500);
  while (busy !== null && busy > QUIET_PCT && quietBudgetMs > 0) {
    quietBudgetMs -= 1000;
    busy = cpuBusy(1000);
  }
  if (busy !== null && busy > QUIET_PCT) progress(`warning: CPU ${busy}% busy before this figure; it will be noisy`);
  return busy;
}

// ---------------------------------------------------------------------------------------------
// Main

if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js')) || !existsSync(path.join(ROOT, 'dist', 'jobfile', 'load.js'))) {
  console.error('bench: dist/ is missing; build first (npm run build, or npm run bench which builds)');
  process.exit(1);
}

const TMP = mkdtempSync(path.join(os.tmpdir(), 'tock-bench-'));
const cleanup = () => {
  if (flag('--keep')) console.error(`bench: kept ${TMP}`);
  else rmSync(TMP, { recursive: true, force: true });
};
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

const started = Date.now();
const loadBefore = os.loadavg();
let exitCode = 0;
try {
  if (loadBefore[0] > os.cpus().length * 0.5) {
    console.error(`bench: warning: load average is ${loadBefore[0].toFixed(2)} on ${os.cpus().length} CPUs; figures will be noisy`);
  }
  let busy;
  const nodeE0 = { label: 'node -e 0', args: ['-e', '0'] };
  const display = (cmd) => (cmd.args[0] === '-e' ? `node ${cmd.args.join(' ')}` : `node ${cmd.args.map((a) => (a.startsWith(ROOT) ? path.relative(ROOT, a) : a)).join(' ')}`);

  const validateState = path.join(TMP, 'validate-state');
  let r;

  // 1. Cold start: --version, and validate of examples/pipeline.yaml.
  if (runs('cold')) {
    busy = waitQuiet();
    progress(`cold start: tock --version vs node -e 0 (${RUNS} runs each after ${WARMUP} warm-ups)`);
    const version = { label: 'tock --version', args: [TOCK, '--version'], expectStdout: /^\d+\.\d+\.\d+/ };
    r = interleave(nodeE0, version, RUNS);
    addFigure({
      id: 'cold-start-version',
      name: 'cold start: tock --version',
      subject: display(version),
      baseline: display(nodeE0),
      samples: r.subject,
      baseSamples: r.baseline,
      target: { kind: 'ratio', value: 1.3 },
      busy,
    });

    busy = waitQuiet();
    progress(`cold start: tock validate -f examples/pipeline.yaml vs node -e 0 (${RUNS} runs each)`);
    const validate = {
      label: 'tock validate (pipeline.yaml)',
      args: [TOCK, 'validate', '-f', path.join(ROOT, 'examples', 'pipeline.yaml'), '--state-dir', validateState],
      expectStdout: /^ok: \d+ jobs/m,
    };
    r = interleave(nodeE0, validate, RUNS);
    addFigure({
      id: 'cold-start-validate',
      name: 'cold start: tock validate pipeline.yaml',
      subject: display(validate).replaceAll(TMP, '<tmp>'),
      baseline: display(nodeE0),
      samples: r.subject,
      baseSamples: r.baseline,
      target: { kind: 'ratio', value: 1.6 },
      busy,
    });
  }

  // 2. Run overhead: `tock run` of a job running `true`, vs a node script that spawns `true`
  // (the floor for any Node CLI that runs a command), and the execa one for the record.
  if (runs('run')) {
    busy = waitQuiet();
    progress(`run overhead: tock run noop vs node bench/baseline-spawn-true.mjs and bench/baseline-execa-true.mjs (${RUNS} rounds of the three after ${WARMUP} warm-ups)`);
    const noopFile = path.join(TMP, 'noop.yaml');
    const runState = path.join(TMP, 'state');
    writeFileSync(noopFile, 'version: 1\njobs:\n  noop:\n    command: ["true"]\n    schedule: "@daily"\n    concurrency: allow\n');
    const run = { label: 'tock run noop', args: [TOCK, 'run', 'noop', '-f', noopFile, '--state-dir', runState] };
    const spawnTrue = { label: 'baseline-spawn-true.mjs', args: [path.join(BENCH, 'baseline-spawn-true.mjs')] };
    const execaTrue = { label: 'baseline-execa-true.mjs', args: [path.join(BENCH, 'baseline-execa-true.mjs')] };
    const [spawnMs, runMs, execaMs] = interleaveAll([spawnTrue, run, execaTrue], RUNS);
    // The ledger is ledger/<job>/<YYYY-MM>.jsonl: count the noop job's lines (events, 4 a run).
    const noopLedger = path.join(runState, 'ledger', 'noop');
    const ledgerRecords = existsSync(noopLedger)
      ? readdirSync(noopLedger).filter((f) => f.endsWith('.jsonl')).reduce((n, f) => n + readFileSync(path.join(noopLedger, f), 'utf8').split('\n').filter(Boolean).length, 0)
      : 0;
    const note = `one state dir reused by every run (steady state); after ${WARMUP + RUNS} runs the ledger held ${ledgerRecords} lines; the three commands in rotated order each round`;
    const runMedian = stats(runMs).median;
    addFigure({
      id: 'run-overhead',
      name: 'run overhead: tock run noop',
      subject: display(run).replaceAll(TMP, '<tmp>'),
      baseline: display(spawnTrue),
      samples: runMs,
      baseSamples: spawnMs,
      target: { kind: 'ratio', value: 1.3 },
      busy,
      extra: { overhead_ms: Math.round((runMedian - stats(spawnMs).median) * 1000) / 1000, note },
    });
    addFigure({
      id: 'run-overhead-execa',
      name: 'run overhead: tock run noop vs execa (record)',
      subject: display(run).replaceAll(TMP, '<tmp>'),
      baseline: display(execaTrue),
      samples: runMs,
      baseSamples: execaMs,
      target: { kind: 'none' },
      busy,
      extra: { overhead_ms: Math.round((runMedian - stats(execaMs).median) * 1000) / 1000, note },
    });
  }

  // 3a. Validation of a 1,000-job jobfile, end to end.
  const big = generateJobfile(BIG_JOBS);
  if (runs('validate')) {
    const bigFile = path.join(TMP, 'big.yaml');
    writeFileSync(bigFile, big.text);
    busy = waitQuiet();
    progress(`validate ${big.jobs} jobs (${big.text.split('\n').length - 1} lines) end to end vs node -e 0 (${BIG_RUNS} runs each)`);
    const validateBig = {
      label: 'tock validate (big.yaml)',
      args: [TOCK, 'validate', '-f', bigFile, '--state-dir', validateState],
      expectStdout: new RegExp(`^ok: ${big.jobs} jobs`, 'm'),
    };
    r = interleave(nodeE0, validateBig, BIG_RUNS, 2);
    addFigure({
      id: 'validate-1000-cli',
      name: `validate ${big.jobs} jobs (CLI, end to end)`,
      subject: display(validateBig).replaceAll(TMP, '<tmp>'),
      baseline: display(nodeE0),
      samples: r.subject,
      baseSamples: r.baseline,
      target: { kind: 'ms', value: 300 },
      busy,
      extra: { jobfile: { jobs: big.jobs, pipelines: big.pipelines, bytes: Buffer.byteLength(big.text), lines: big.text.split('\n').length - 1 } },
    });

    // 3b. validateText in this process (no Node start-up, no module loading).
    busy = waitQuiet();
    progress(`validateText of ${big.jobs} jobs in-process (${INPROC_RUNS} iterations after ${WARMUP} warm-ups)`);
    const importStart = process.hrtime.bigint();
    const { validateText } = await import(pathToFileURL(path.join(ROOT, 'dist', 'jobfile', 'load.js')).href);
    const importMs = Number(process.hrtime.bigint() - importStart) / 1e6;
    const inproc = [];
    let firstCallMs;
    for (let i = 0; i < WARMUP + INPROC_RUNS; i++) {
      const t0 = process.hrtime.bigint();
      const result = validateText(big.text, bigFile);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (result.ok !== true) {
        const first = (result.diagnostics ?? []).slice(0, 5).map((d) => `${d.path}: ${d.message}`).join('\n');
        throw new CommandFailed(`validateText(big.yaml) returned ok: false:\n${first}`);
      }
      if (result.jobfile.jobs.size !== big.jobs) throw new CommandFailed(`validateText found ${result.jobfile.jobs.size} jobs, expected ${big.jobs}`);
      if (i === 0) firstCallMs = ms;
      if (i >= WARMUP) inproc.push(ms);
    }
    addFigure({
      id: 'validate-1000-inprocess',
      name: `validateText ${big.jobs} jobs (in-process)`,
      subject: 'validateText(text, file) from dist/jobfile/load.js',
      baseline: undefined,
      samples: inproc,
      baseSamples: undefined,
      target: { kind: 'ms', value: 300 },
      busy,
      extra: {
        first_import_ms: Math.round(importMs * 1000) / 1000,
        first_call_ms: Math.round(firstCallMs * 1000) / 1000,
        note: 'no baseline: absolute time with a warm JIT; first_call_ms is the cold first call, closest to what the CLI pays',
      },
    });
  }

  // 4. The ledger at 1,000,000 runs: status, history, appending, bytes per run (bench/ledger.mjs).
  let ledger;
  if (runs('ledger')) {
    ledger = await ledgerFigures({
      TMP, TOCK, NODE, childEnv, figures, interleave, addFigure, addRateFigure, waitQuiet, progress, CommandFailed, display,
      keep: flag('--keep'), ledgerRuns: LEDGER_RUNS, timedRuns: BIG_RUNS,
    });
  }

  // 5. Backfill: planning a year of a minutely job against 500,000 successes (bench/backfill.mjs).
  let backfill;
  if (runs('backfill')) {
    backfill = await backfillFigures({
      TMP, NODE, childEnv, figures, waitQuiet, progress, CommandFailed, keep: flag('--keep'),
      zones: option('--backfill-zones', 'UTC,America/New_York').split(',').filter(Boolean),
    });
  }

  // 6. Audit: 10,000 crontab lines in 100 files with the week's clash analysis (bench/audit.mjs).
  let audit;
  if (runs('audit')) {
    audit = await auditFigures({
      TMP, NODE, childEnv, figures, waitQuiet, progress, CommandFailed, keep: flag('--keep'),
      runs: Number(option('--audit-runs', '7')),
    });
  }

  // 6b. The schedule: 100,000 instants in a DST zone and of a minutely job, in-process (bench/schedule.mjs).
  let schedule;
  if (runs('schedule')) {
    schedule = await scheduleFigures({ figures, waitQuiet, progress, CommandFailed, runs: 7 });
  }

  // 7. The daemon: fire latency (vs a bare Node timer and Debian cron), idle cost, start-up (bench/daemon.mjs).
  let daemon;
  if (runs('daemon')) {
    daemon = await daemonFigures({
      TMP, NODE, childEnv, figures, waitQuiet, progress, CommandFailed, display, keep: flag('--keep'),
      cronMinutes: Number(option('--cron-minutes', '2')), firings: Number(option('--firings', '40')),
      idleSettleS: Number(option('--idle-settle', '10')), startupRuns: Number(option('--startup-runs', '5')),
      startupRuns100k: Number(option('--startup-runs-100k', '2')), cronPhase: Number(option('--cron-phase', '0.25')),
      fireLogLevel: option('--fire-log-level', 'info'),
    });
  }

  // 8. Figures from other streams' scripts: one wake with 100,000 jobs, the engine's runs a second.
  const wake = runs('wake') ? wakeFigure({ NODE, childEnv, figures, waitQuiet, progress }) : undefined;
  const engine = runs('engine') ? engineFigure({ NODE, childEnv, figures, waitQuiet, progress }) : undefined;

  // Optional: what each import costs in a fresh process.
  let breakdown;
  if (flag('--breakdown')) breakdown = importBreakdown();

  // ------------------------------------------------------------------------------------------
  // Report
  const fmt = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));
  // Rate figures show their overall rate and per-batch min/p90/max instead of ms.
  // A figure with `show: 'p99'` (the daemon's fire latency) shows that statistic, not the median.
  const rate = (x) => `${fmt(x, 0)}/s`;
  const isRate = (f) => f.unit.endsWith('/s');
  const shownStat = (x, f) => fmt(x[f.show ?? 'median']);
  const signed = (x) => `${x >= 0 ? '+' : ''}${fmt(x, 2)} ms`;
  const rows = figures.map((f) => f.subject === null
    ? [f.name, `not measured (${String(f.not_measured)})`, '', '', '', '', f.target.text, '-']
    : [
      f.show !== undefined ? `${f.name} (${f.show} in the median columns)` : f.unit !== 'ms' && !isRate(f) ? `${f.name} (${f.unit})` : f.name,
      !isRate(f) ? shownStat(f.subject, f) : rate(f.subject.overall),
      !isRate(f) ? `${fmt(f.subject.min)}/${fmt(f.subject.p90)}/${fmt(f.subject.max)}` : `${fmt(f.subject.min, 0)}/${fmt(f.subject.p90, 0)}/${fmt(f.subject.max, 0)}`,
      f.baseline ? f.baseline_label ?? f.baseline.command.replace(/^node bench\//, '') : '(none)',
      !f.baseline ? '-' : !isRate(f) ? shownStat(f.baseline, f) : rate(f.baseline.overall),
      f.diff_ms !== undefined ? signed(f.diff_ms) : f.ratio !== null ? ratioText(f.ratio) : '-',
      f.target.text,
      f.meets === null ? '-' : f.meets ? 'yes' : 'NO',
    ]);
  const header = ['figure', 'median', 'min/p90/max', 'baseline', 'base median', 'ratio', 'target', 'meets target'];
  printTable(header, rows);
  console.log('');
  const over = figures.find((f) => f.id === 'run-overhead');
  const overExeca = figures.find((f) => f.id === 'run-overhead-execa');
  if (over !== undefined) console.log(`run overhead: tock run noop median ${fmt(over.subject.median)} ms, node spawning true ${fmt(over.baseline.median)} ms (+${fmt(over.overhead_ms)} ms), node + execa ${fmt(overExeca.baseline.median)} ms (${signed(overExeca.overhead_ms)}) (${over.note})`);
  const bigFig = figures.find((f) => f.id === 'validate-1000-cli');
  const inprocFig = figures.find((f) => f.id === 'validate-1000-inprocess');
  if (bigFig !== undefined) console.log(`validate ${big.jobs} jobs: CLI ${fmt(bigFig.subject.median)} ms end to end (node -e 0: ${fmt(bigFig.baseline.median)} ms); validateText alone ${fmt(inprocFig.subject.median)} ms warm, ${fmt(inprocFig.first_call_ms)} ms on its first (cold) call`);
  if (ledger !== undefined) console.log(ledger.report.join('\n'));
  if (backfill !== undefined) console.log(backfill.report.join('\n'));
  if (audit !== undefined) console.log(audit.report.join('\n'));
  if (schedule !== undefined) console.log(schedule.report.join('\n'));
  if (daemon !== undefined) console.log(daemon.report.join('\n'));
  if (wake !== undefined) console.log(wake.report.join('\n'));
  if (engine !== undefined) console.log(engine.report.join('\n'));
  if (breakdown !== undefined) {
    console.log('\nimport() cost in a fresh process (ms, median; includes everything the module imports):');
    printTable(['module', 'median ms', 'min', 'max'], breakdown.map((b) => [b.module, fmt(b.median), fmt(b.min), fmt(b.max)]));
  }

  // The closing summary: issue 13's table, each row with its baseline from this run.
  const summary = summaryRows(figures, (id) => whySkipped(groupOf(id)));
  console.log('\nsummary (issue 13\'s figures; each baseline measured in this run):');
  printTable(SUMMARY_HEADER, summary);

  const loadAfter = os.loadavg();
  const cpus = os.cpus();
  const doc = {
    date: new Date(started).toISOString(),
    duration_s: Math.round((Date.now() - started) / 100) / 10,
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpus: cpus.length,
    cpu_model: cpus[0]?.model ?? 'unknown',
    loadavg: { before: loadBefore.map((x) => Math.round(x * 100) / 100), after: loadAfter.map((x) => Math.round(x * 100) / 100) },
    tock_version: JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version,
    method: {
      runs: RUNS,
      warmup: WARMUP,
      big_validate_runs: BIG_RUNS,
      in_process_iterations: INPROC_RUNS,
      timing: 'wall time of child_process.spawnSync(process.execPath, ...) via process.hrtime.bigint(); baseline and subject alternate, swapping order every round',
      percentiles: 'linear interpolation between closest ranks',
      ledger_runs: ledger !== undefined ? LEDGER_RUNS : null,
      groups: GROUPS.filter(runs),
    },
    figures,
    summary: summary.map((row) => Object.fromEntries(SUMMARY_HEADER.map((h, i) => [h, row[i]]))),
    ...(ledger !== undefined ? { ledger: ledger.extras } : {}),
    ...(backfill !== undefined ? { backfill: backfill.extras } : {}),
    ...(audit !== undefined ? { audit: audit.extras } : {}),
    ...(schedule !== undefined ? { schedule: schedule.extras } : {}),
    ...(daemon !== undefined ? { daemon: daemon.extras } : {}),
    ...(wake !== undefined ? { wake: wake.extras } : {}),
    ...(engine !== undefined ? { engine: engine.extras } : {}),
    ...(breakdown !== undefined ? { import_breakdown: breakdown } : {}),
  };
  writeFileSync(RESULTS, `${JSON.stringify(doc, null, 2)}\n`);
  console.log(`\nnode ${process.version}, ${cpus.length} CPUs (${doc.cpu_model}), load ${loadBefore[0].toFixed(2)} -> ${loadAfter[0].toFixed(2)}, ${doc.duration_s} s; wrote ${path.relative(process.cwd(), RESULTS) || RESULTS}`);
} catch (error) {
  if (error instanceof CommandFailed) {
    console.error(`\nbench: ${error.message}\nbench: a command failed, so the figures would be meaningless; no results written.`);
    exitCode = 1;
  } else {
    throw error;
  }
} finally {
  cleanup();
}
process.exitCode = exitCode;

// ---------------------------------------------------------------------------------------------
// Helpers

function printTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
  const numeric = (i) => rows.every((row) => /^[-\d.x/ ]+$|^-$/.test(String(row[i])));
  const line = (cells) => cells.map((c, i) => (numeric(i) ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

/**
 * Time `await import(X)` inside a fresh Node process for each dependency and each dist entry
 * point, in isolation (so each figure includes everything X imports, and shared modules are
 * counted in every figure that loads them). Node's own start-up is excluded.
 */
function importBreakdown() {
  const modules = [
    'commander', 'chalk', 'yaml', 'luxon', 'proper-lockfile', 'execa',
    'dist/cli/commands/validate.js', 'dist/cli/commands/run.js', 'dist/jobfile/load.js', 'dist/jobfile/validate-shape.js',
    'dist/schedule/parse.js', 'dist/engine/executor.js', 'dist/io/jsonl-ledger.js', 'dist/io/file-locks.js', 'dist/io/host.js',
    'dist/io/spawner.js',
  ];
  const runs = 7;
  const empty = path.join(TMP, 'empty.mjs');
  writeFileSync(empty, 'export {};\n');
  modules.unshift(empty);
  progress(`import breakdown: ${modules.length} modules x ${runs} fresh processes`);
  const script =
    'const t=process.hrtime.bigint();await import(process.argv[1]);' +
    'process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6));';
  const out = [];
  for (const m of modules) {
    const spec = m === empty ? pathToFileURL(empty).href : m.startsWith('dist/') ? pathToFileURL(path.join(ROOT, m)).href : m;
    const samples = [];
    for (let i = 0; i < runs + 1; i++) {
      const res = spawnSync(NODE, ['--input-type=module', '-e', script, spec], { cwd: ROOT, env: childEnv, encoding: 'utf8' });
      if (res.status !== 0) throw new CommandFailed(`import(${m}) failed:\n${res.stderr}`);
      if (i > 0) samples.push(Number(res.stdout));
    }
    const s = stats(samples);
    out.push({ module: m === empty ? '(an empty .mjs: the fixed cost of a first import)' : m, median: s.median, min: s.min, max: s.max, p90: s.p90 });
  }
  return out;
}
