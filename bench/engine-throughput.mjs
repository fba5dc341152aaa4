// Runs a second through tock's engine (issue 13: "8 parallel `true` jobs, ledger fsync'd, >= 0.8x
// the same spawns with no ledger"). Standalone; prints ONE JSON line on stdout:
//
//   node bench/engine-throughput.mjs [--seconds S] [--parallel N] [--rounds R]
//
// Three loops, each keeping N runs of `true` in flight for S seconds, alternated R times (so
// load on a shared machine falls on all of them alike); the medians over the rounds:
//   ledger    the real engine (`runJob` with the CLI's deps: job locks, spawner, run logs) and the
//             real JSON Lines ledger in a temp state dir: every event written and fsync'd
//   no_ledger the same engine and deps with a ledger port that keeps nothing (`append` does
//             nothing): the same spawns, locks and logs, no ledger I/O. ratio = the median over
//             the rounds of ledger / no_ledger (each pair run back to back); ratio_of_medians too
//   spawn     a plain loop of `child_process.spawn('true')`, N at a time: the floor, for scale
// N jobs (`j1`..`jN`, `command: ["true"]`), each run after the other by its own loop, so the N
// job locks never contend. Needs `npm run build` (imports dist/).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = async (p) => import(pathToFileURL(path.join(ROOT, 'dist', p)).href);
const { loadJobfile } = await dist('jobfile/load.js');
const { realEngineDeps } = await dist('cli/engine-deps.js');
const { openLedger } = await dist('cli/open-ledger.js');
const { resolveStateDir } = await dist('cli/paths.js');
const { runJob } = await dist('engine/run-job.js');

const argv = process.argv.slice(2);
const option = (flag, fallback) => {
  const i = argv.indexOf(flag);
  return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : fallback;
};
const SECONDS = option('--seconds', 2);
const PARALLEL = option('--parallel', 8);
const ROUNDS = option('--rounds', 3);

/** A ledger port that keeps nothing: the engine's reads find no runs, its writes go nowhere. */
const noLedger = {
  append() {},
  rememberDefinition() {},
  hasSuccess: () => false,
  successOrInFlight: () => [],
  recordInterrupted: () => undefined,
  close() {},
};

const stopper = () => ({ stop: new AbortController(), hardStop: new AbortController(), dispose() {} });

/** Keeps `parallel` loops of `one()` going for `seconds`; returns runs/s and the failures. */
async function loop(one) {
  const until = performance.now() + SECONDS * 1000;
  let runs = 0;
  let failed = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: PARALLEL }, async (_, k) => {
    while (performance.now() < until) {
      if (!(await one(k))) failed++;
      runs++;
    }
  }));
  return { per_s: runs / ((performance.now() - t0) / 1000), runs, failed };
}

function engineLoop(base, withLedger, round) {
  // As the CLI makes it: 0700 with ledger/, locks/ and logs/.
  const stateDir = resolveStateDir({ stateDir: path.join(base, `state-${withLedger ? 'ledger' : 'none'}-${String(round)}`) }, {}, undefined);
  const jobfilePath = path.join(base, 'jobs.yaml');
  const loaded = loadJobfile(jobfilePath);
  if (!loaded.ok) throw new Error(`jobs.yaml: ${JSON.stringify(loaded.diagnostics)}`);
  const { jobfile } = loaded;
  const ledger = withLedger ? openLedger(stateDir, jobfile.jobs.keys()) : noLedger;
  const deps = realEngineDeps(stateDir, ledger, () => undefined, stopper(), undefined);
  const jobs = [...jobfile.jobs.values()];
  return loop(async (k) => {
    const run = await runJob(deps, { job: jobs[k], logicalMs: Date.now(), trigger: 'manual', jobfilePath, jobfileHash: jobfile.hash });
    return run.outcome === 'success';
  }).finally(() => { ledger.close(); });
}

function spawnLoop() {
  return loop(() => new Promise((resolve) => {
    const child = spawn('true', [], { stdio: 'ignore', detached: true });
    child.on('error', () => { resolve(false); });
    child.on('close', (code) => { resolve(code === 0); });
  }));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round1 = (x) => Math.round(x * 10) / 10;

const base = mkdtempSync(path.join(os.tmpdir(), 'tock-engine-throughput-'));
try {
  writeFileSync(path.join(base, 'jobs.yaml'), ['version: 1', 'jobs:', ...Array.from({ length: PARALLEL }, (_, i) => `  j${String(i + 1)}:\n    schedule: "0 0 1 1 *"\n    command: ["true"]`), ''].join('\n'));
  const samples = { ledger: [], no_ledger: [], spawn: [] };
  let failed = 0;
  // One short warm-up of each, then the rounds, alternating the order.
  const kinds = { ledger: (r) => engineLoop(base, true, r), no_ledger: (r) => engineLoop(base, false, r), spawn: () => spawnLoop() };
  for (let r = 0; r <= ROUNDS; r++) {
    const order = r % 2 === 0 ? ['ledger', 'no_ledger', 'spawn'] : ['spawn', 'no_ledger', 'ledger'];
    for (const kind of order) {
      const res = await kinds[kind](r);
      if (r === 0) continue;
      samples[kind].push(res.per_s);
      failed += res.failed;
    }
  }
  const ledger = median(samples.ledger);
  const none = median(samples.no_ledger);
  const plain = median(samples.spawn);
  process.stdout.write(`${JSON.stringify({
    id: 'engine-throughput',
    unit: 'runs/s',
    parallel: PARALLEL,
    seconds: SECONDS,
    rounds: ROUNDS,
    ledger_runs_per_s: round1(ledger),
    no_ledger_runs_per_s: round1(none),
    // Each round's two loops ran back to back under the same load: the median of those ratios.
    ratio: Math.round(median(samples.ledger.map((x, i) => x / (samples.no_ledger[i] ?? NaN))) * 1000) / 1000,
    ratio_of_medians: Math.round((ledger / none) * 1000) / 1000,
    spawn_runs_per_s: round1(plain),
    ratio_to_spawn: Math.round((ledger / plain) * 1000) / 1000,
    samples: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.map(round1)])),
    failed_runs: failed,
    baseline: 'no_ledger: the same engine (runJob, real locks, spawner and run logs) with a ledger port whose append does nothing; spawn: a plain loop of child_process.spawn("true"), for scale',
    target: { ratio_at_least: 0.8 },
    meets: median(samples.ledger.map((x, i) => x / (samples.no_ledger[i] ?? NaN))) >= 0.8,
    tmp_fs: os.tmpdir(),
  })}\n`);
} finally {
  rmSync(base, { recursive: true, force: true });
}
