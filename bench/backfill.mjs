// The backfill figure of the bench (bench/README.md, "The backfill figure"): planning a backfill
// of one year of a minutely job (525,600 instants) against a ledger holding 500,000 successes of
// that job, `tock backfill JOB --from Y-01-01 --to Y-12-31 --dry-run --json --yes` end to end,
// in UTC and in a zone with DST (America/New_York). Target: under 2 s (issue 13).
//
// Called from bench/run.mjs (skip with --no-backfill). Standalone, it runs only this figure and
// prints its report (no results.json):
//
//   node bench/backfill.mjs [--zones UTC,America/New_York] [--runs N] [--keep] [--json]
//   node bench/backfill.mjs gen STATE_DIR [ZONE]     (writes STATE_DIR/ledger/minutely/... and STATE_DIR/jobs.yaml)
//
// Helpers run in fresh child processes (cold, as the CLI is):
//   node bench/backfill.mjs --read LEDGER_JOB_DIR LINES   the baseline: a plain full read of the job's segments
//   node bench/backfill.mjs --pieces JOBFILE STATE_DIR JOB FROM TO   the plan's steps timed one by one, as JSON
//
// The ledger is written directly as segment files (`ledger/<job>/<YYYY-MM>.jsonl`, by the UTC
// month of each event's `at`), one large write per segment, with the 4-line runs bench/ledger.mjs
// writes (run-started, attempt-started, attempt-finished, run-finished): through tock (a write
// and an fsync per line) 2,000,000 lines would take many minutes.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { DateTime } from 'luxon';

import { attemptJson, hex, iso, prng, segmentWriter, serializeEvent } from './ledger.mjs';
import { runStandalone } from './standalone.mjs';
import { pct, round, summary } from './stats.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH);
const TOCK = path.join(ROOT, 'bin', 'tock.js');

export const BACKFILL_JOB = 'minutely';
const INSTANTS = 525_600; // 365 days of minutes
const SUCCESSES = 500_000;
const TARGET_MS = 2000; // issue 13 (was 3000 in issue 12)
const DEFAULT_ZONES = ['UTC', 'America/New_York'];
const BIG_BUFFER = 512 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// The window and the ledger

const isLeap = (y) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** The window tock computes for `--from Y-01-01 --to Y-12-31` (whole days in the job's zone). */
export function yearWindow(year, zone) {
  const fromMs = DateTime.fromISO(`${String(year)}-01-01`, { zone }).startOf('day').toMillis();
  const toMs = DateTime.fromISO(`${String(year)}-12-31`, { zone }).endOf('day').toMillis();
  return { fromMs, toMs };
}

/**
 * The latest year of 365 days whose window is entirely in the past in every zone asked for
 * (backfill stops a window at now): 525,600 minutes.
 */
export function backfillYear(zones, now = Date.now()) {
  let year = new Date(now).getUTCFullYear() - 1;
  while (isLeap(year) || zones.some((z) => yearWindow(year, z).toMs >= now)) year--;
  return year;
}

/** Minute i of the window has no success: 25,600 gaps spread evenly over the 525,600 minutes. */
const gapIndex = (i, n, gaps) => Math.floor(((i + 1) * gaps) / n) - Math.floor((i * gaps) / n) === 1 ? Math.floor((i * gaps) / n) : -1;

export function backfillJobfile(zone) {
  return [
    '# bench/backfill.mjs: a minutely job with a year of runs in its ledger',
    'version: 1',
    'jobs:',
    `  ${BACKFILL_JOB}:`,
    '    schedule: "* * * * *"',
    `    timezone: ${zone}`,
    '    command: ["true"]',
    '',
  ].join('\n');
}

/**
 * Writes the job's ledger under `stateDir/ledger`: every minute of the window is a successful
 * scheduled run except 25,600 spread evenly, of which every other one holds a failed run (so
 * the plan must tell a failure from a success) and the rest nothing (the daemon was down).
 * Each run's events are written at, or some ms after, its instant. Lines are built as text in
 * the key order of tock's serializer (checked against `serializeEvent` of objects built as
 * src/engine/run-job.ts `record()` builds them, for the first runs of each kind).
 */
export function generateBackfillLedger(stateDir, { zone, year, successes = SUCCESSES, seed = 20250101 }) {
  const t0 = process.hrtime.bigint();
  const { fromMs, toMs } = yearWindow(year, zone);
  const n = Math.floor((toMs - fromMs) / 60_000) + 1;
  if (n !== INSTANTS) throw new Error(`generator: ${String(year)} in ${zone} has ${String(n)} minutes, expected ${String(INSTANTS)}`);
  const gaps = n - successes;
  const rand = prng(seed);
  const job = BACKFILL_JOB;
  const dir = path.join(stateDir, 'ledger', job);
  mkdirSync(dir, { recursive: true });
  const host = os.hostname();
  const hostJson = JSON.stringify(host);
  const logDir = path.join(stateDir, 'logs', job);
  const logPrefix = JSON.stringify(`${logDir}/`).slice(0, -1);
  const jobHash = hex(rand, 8) + hex(rand, 8);
  const jobfileHash = hex(rand, 8) + hex(rand, 8);
  const totals = { runs: 0, lines: 0, bytes: 0, segments: 0, successes: 0, failed: 0, empty_minutes: 0, successes_in_window: 0 };
  const writer = segmentWriter(dir, job, () => { totals.segments++; });
  const flush = writer.flush;
  const put = (line, at) => {
    totals.lines++;
    totals.bytes += writer.put(line, at);
  };
  const head = (type, at) => `{"v":1,"type":"${type}","at":"${at}","job":"${job}"`;
  let pid = 0;
  let pidStart = '';
  let childPid = 0;
  let checkedSuccess = 0;
  let checkedFailure = 0;
  for (let i = 0; i < n; i++) {
    const logicalMs = fromMs + i * 60_000;
    const gap = gapIndex(i, n, gaps);
    if (gap !== -1 && gap % 2 === 1) {
      totals.empty_minutes++;
      continue;
    }
    const ok = gap === -1;
    // The daemon (a long-running tock) is restarted now and then.
    if (totals.runs % 50_000 === 0) {
      pid = 900 + Math.floor(rand() * 3_000_000);
      pidStart = String(100_000 + Math.floor(rand() * 90_000_000));
      childPid = pid + 1;
    }
    childPid += 1 + Math.floor(rand() * 8);
    const logical = iso(logicalMs);
    const runId = `${logical.slice(0, 4)}${logical.slice(5, 7)}${logical.slice(8, 13)}${logical.slice(14, 16)}${logical.slice(17, 19)}Z-${hex(rand, 4)}`;
    const startedMs = logicalMs + 3 + Math.floor(rand() * 400);
    const attemptMs = startedMs + 2 + Math.floor(rand() * 4);
    const attemptEndMs = attemptMs + 20 + Math.floor(rand() * 200);
    const endedMs = attemptEndMs + Math.floor(rand() * 3);
    const startedAt = iso(startedMs);
    const attemptAt = iso(attemptMs);
    const endedAt = iso(endedMs);
    const attempt = { n: 1, started_at: attemptAt, ended_at: iso(attemptEndMs), exit_code: ok ? 0 : 1, signal: null, outcome: ok ? 'success' : 'failed' };
    // A run record's keys in the serializer's order: who, then what happened, then where it ran.
    const ids = `{"run_id":"${runId}","job":"${job}","logical_time":"${logical}","trigger":"schedule"`;
    const where = `"log":${logPrefix}${runId}.log","host":${hostJson},"pid":${String(pid)},"pid_start":"${pidStart}","job_hash":"${jobHash}","jobfile_hash":"${jobfileHash}"`;
    const start = `${ids},"started_at":"${startedAt}",${where}`;
    const lines = [
      `${head('run-started', startedAt)},"run":${start}}}`,
      `${head('attempt-started', attemptAt)},"run_id":"${runId}","n":1,"pid":${String(childPid)}}`,
      `${head('attempt-finished', attempt.ended_at)},"run_id":"${runId}","attempt":${attemptJson(attempt)}}`,
      `${head('run-finished', endedAt)},"run":${ids},"outcome":"${attempt.outcome}","started_at":"${startedAt}","ended_at":"${endedAt}","duration_ms":${String(endedMs - startedMs)},"exit_code":${String(attempt.exit_code)},"signal":null,"attempts":[${attemptJson(attempt)}],${where}}}`,
    ];
    put(lines[0], startedAt);
    put(lines[1], attemptAt);
    put(lines[2], attempt.ended_at);
    put(lines[3], endedAt);
    // The text must be what tock writes: its serializer's output for the same objects. Check
    // the first runs of each kind against objects built as src/engine/run-job.ts builds them.
    if ((ok && checkedSuccess < 3) || (!ok && checkedFailure < 3)) {
      if (ok) checkedSuccess++;
      else checkedFailure++;
      const runStart = { run_id: runId, job, logical_time: logical, trigger: 'schedule', started_at: startedAt, log: `${logDir}/${runId}.log`, host, pid, pid_start: pidStart, job_hash: jobHash, jobfile_hash: jobfileHash };
      const record = { ...runStart, outcome: attempt.outcome, ended_at: endedAt, duration_ms: endedMs - startedMs, exit_code: attempt.exit_code, signal: null, attempts: [attempt] };
      const expected = [
        { v: 1, type: 'run-started', at: startedAt, job, run: runStart },
        { v: 1, type: 'attempt-started', at: attemptAt, job, run_id: runId, n: 1, pid: childPid },
        { v: 1, type: 'attempt-finished', at: attempt.ended_at, job, run_id: runId, attempt },
        { v: 1, type: 'run-finished', at: endedAt, job, run: record },
      ].map((e) => serializeEvent(e));
      for (const [k, line] of lines.entries()) if (line !== expected[k]) throw new Error(`generator: not what tock writes:\n${line}\n${expected[k]}`);
      if (logical !== new Date(logicalMs).toISOString()) throw new Error(`generator: logical_time ${logical} is not toISOString()`);
      if (!lines[3].startsWith('{"v":1,"type":"run-finished"')) throw new Error('generator: run-finished line does not start as tock\'s does');
    }
    totals.runs++;
    if (ok) {
      totals.successes++;
      if (logicalMs >= fromMs && logicalMs <= toMs) totals.successes_in_window++;
    } else {
      totals.failed++;
    }
  }
  flush();
  return { ...totals, instants: n, from_ms: fromMs, to_ms: toMs, gaps, log_path_chars: path.join(logDir, '20250101T000000Z-3fa9.log').length, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

/** Whether minute i of the window holds a success, as generateBackfillLedger wrote it. */
function isSuccess(i, n, gaps) {
  return gapIndex(i, n, gaps) === -1;
}

function dirBytes(dir) {
  return readdirSync(dir).filter((f) => f.endsWith('.jsonl')).reduce((sum, f) => sum + statSync(path.join(dir, f)).size, 0);
}

// ---------------------------------------------------------------------------------------------
// Statistics

const median = (xs) => pct([...xs].sort((a, b) => a - b), 0.5);
const fmt = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));
const zoneId = (zone) => zone.toLowerCase().replace(/^.*\//, '').replace(/[^a-z0-9]+/g, '-');

// ---------------------------------------------------------------------------------------------
// The figure

/** Runs `node ...args` once; returns wall ms and stdout. A failure or wrong output throws. */
function timeNode(ctx, cmd) {
  const t0 = process.hrtime.bigint();
  const res = spawnSync(ctx.NODE, cmd.args, { cwd: ROOT, env: ctx.childEnv, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: BIG_BUFFER });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.error !== undefined || res.status !== 0) {
    const how = res.error !== undefined ? res.error.message : res.signal !== null ? `signal ${res.signal}` : `exit code ${String(res.status)}`;
    throw new ctx.CommandFailed(`${cmd.label} failed (${how}): node ${cmd.args.join(' ')}\n--- stdout ---\n${String(res.stdout ?? '').slice(-2000)}\n--- stderr ---\n${String(res.stderr ?? '').slice(-2000)}`);
  }
  const wrong = cmd.check?.(res.stdout);
  if (wrong !== undefined) throw new ctx.CommandFailed(`${cmd.label}: ${wrong}\nfrom node ${cmd.args.join(' ')}\n--- stderr ---\n${String(res.stderr).slice(0, 2000)}`);
  return { ms, bytes: res.stdout.length };
}

/**
 * The check of every dry run: one JSON document whose summary plans all 525,600 instants and
 * whose runs are the window's minutes in order, each "skip" (succeeded-before) exactly where
 * the ledger has a success and "run" elsewhere (failed runs and empty minutes).
 */
function checkPlan(gen) {
  return (stdout) => {
    let doc;
    try {
      doc = JSON.parse(stdout.toString('utf8'));
    } catch (error) {
      return `not one JSON document: ${String(error)}`;
    }
    if (doc?.summary?.planned !== INSTANTS) return `expected summary.planned ${String(INSTANTS)}, got ${String(doc?.summary?.planned)}`;
    if (!Array.isArray(doc.runs) || doc.runs.length !== INSTANTS) return `expected ${String(INSTANTS)} runs, got ${String(doc.runs?.length)}`;
    let skips = 0;
    for (const [i, r] of doc.runs.entries()) {
      const want = new Date(gen.from_ms + i * 60_000).toISOString();
      if (r.job !== BACKFILL_JOB || r.logical_time !== want) return `runs[${String(i)}]: expected ${BACKFILL_JOB} at ${want}, got ${JSON.stringify(r)}`;
      const ok = isSuccess(i, gen.instants, gen.gaps);
      if (r.action === 'skip') skips++;
      if (ok ? r.action !== 'skip' || r.reason !== 'succeeded-before' : r.action !== 'run' || r.reason !== undefined) {
        return `runs[${String(i)}] (${want}): expected ${ok ? 'skip (succeeded-before)' : 'run'}, got ${JSON.stringify(r)}`;
      }
    }
    if (skips !== gen.successes_in_window) return `expected ${String(gen.successes_in_window)} "skip" actions (the successes in the window), got ${String(skips)}`;
    if (doc.summary.skipped !== skips) return `summary.skipped is ${String(doc.summary.skipped)}, the runs have ${String(skips)} skips`;
    return undefined;
  };
}

/**
 * The backfill figures. `ctx` is run.mjs's toolkit: { TMP, NODE, childEnv, figures, waitQuiet,
 * progress, CommandFailed, keep } and optionally { zones, runs }. Pushes one figure a zone and
 * returns { report, extras }.
 */
export async function backfillFigures(ctx) {
  const { progress, CommandFailed } = ctx;
  const zones = ctx.zones ?? DEFAULT_ZONES;
  const runs = Math.max(1, ctx.runs ?? 5);
  const warmup = 1;
  const pieceRuns = 3;
  const year = backfillYear(zones);
  const base = mkdtempSync(path.join(ctx.TMP, 'backfill-'));
  const report = [`backfill (bench/backfill.mjs): plan a year (${String(year)}, ${INSTANTS.toLocaleString('en-US')} minutely instants) against ${SUCCESSES.toLocaleString('en-US')} successes, --dry-run --json end to end, median of ${String(runs)} after ${String(warmup)} warm-up`];
  const extras = { year, job: BACKFILL_JOB, schedule: '* * * * *', runs, warmup, zones: {} };
  try {
    for (const zone of zones) {
      const dir = path.join(base, zoneId(zone));
      const stateDir = path.join(dir, 'state');
      const jobfile = path.join(dir, 'jobs.yaml');
      mkdirSync(dir, { recursive: true });
      writeFileSync(jobfile, backfillJobfile(zone));
      progress(`backfill (${zone}): generating ${String(year)}'s ledger of a minutely job (${SUCCESSES.toLocaleString('en-US')} successes)`);
      let gen;
      try {
        gen = generateBackfillLedger(stateDir, { zone, year });
      } catch (error) {
        throw new CommandFailed(`backfill ledger (${zone}): ${String(error instanceof Error ? error.message : error)}`);
      }
      if (gen.successes_in_window !== SUCCESSES) throw new CommandFailed(`backfill ledger (${zone}): ${String(gen.successes_in_window)} successes in the window, expected ${String(SUCCESSES)}`);
      const jobDir = path.join(stateDir, 'ledger', BACKFILL_JOB);
      const disk = dirBytes(jobDir);
      if (disk !== gen.bytes) throw new CommandFailed(`backfill ledger (${zone}): ${String(disk)} bytes on disk, expected ${String(gen.bytes)}`);
      progress(`backfill (${zone}): ${String(gen.runs)} runs, ${String(gen.lines)} lines, ${(gen.bytes / 1e6).toFixed(0)} MB in ${String(gen.segments)} segments, generated in ${(gen.ms / 1000).toFixed(1)} s`);

      const from = `${String(year)}-01-01`;
      const to = `${String(year)}-12-31`;
      const plan = {
        label: `tock backfill --dry-run --json (${zone})`,
        args: [TOCK, 'backfill', BACKFILL_JOB, '--from', from, '--to', to, '--dry-run', '--json', '--yes', '-f', jobfile, '--state-dir', stateDir],
        check: checkPlan(gen),
      };
      const read = {
        label: `plain full read of ${BACKFILL_JOB}'s ledger (${zone})`,
        args: [fileURLToPath(import.meta.url), '--read', jobDir, String(gen.lines)],
      };
      const nodeE0 = { label: 'node -e 0', args: ['-e', '0'] };
      const busy = ctx.waitQuiet();
      progress(`backfill (${zone}): tock backfill --dry-run --json vs a plain full read of the ledger and node -e 0 (${String(runs)} runs each after ${String(warmup)} warm-up)`);
      const samples = { plan: [], read: [], node: [] };
      let outBytes = 0;
      for (let i = 0; i < warmup + runs; i++) {
        const order = i % 2 === 0 ? [['node', nodeE0], ['read', read], ['plan', plan]] : [['plan', plan], ['read', read], ['node', nodeE0]];
        for (const [key, cmd] of order) {
          const res = timeNode(ctx, cmd);
          if (key === 'plan') outBytes = res.bytes;
          if (i >= warmup) samples[key].push(res.ms);
        }
      }
      if (dirBytes(jobDir) !== gen.bytes) throw new CommandFailed(`backfill --dry-run changed the ledger of ${zone} (it should only read it)`);

      // Where the time goes: the plan's steps one by one in fresh processes.
      progress(`backfill (${zone}): the plan's steps in ${String(pieceRuns)} fresh processes`);
      const pieces = [];
      let piecesFailed;
      for (let i = 0; i < pieceRuns; i++) {
        const res = spawnSync(ctx.NODE, [fileURLToPath(import.meta.url), '--pieces', jobfile, stateDir, BACKFILL_JOB, from, to], { cwd: ROOT, env: ctx.childEnv, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
        // The steps call dist/ modules by name: one that moved or changed shape is a note, not a failed bench.
        if (res.status !== 0) {
          piecesFailed = `${res.stderr}${res.stdout}`.split('\n').find((l) => /Error/.test(l)) ?? `exit ${String(res.status)}`;
          break;
        }
        const doc = JSON.parse(res.stdout);
        if (doc.succeeded !== gen.successes || doc.planned !== INSTANTS || doc.skips !== SUCCESSES) {
          throw new CommandFailed(`backfill pieces (${zone}): succeededSince found ${String(doc.succeeded)} (expected ${String(gen.successes)}), planned ${String(doc.planned)}, skips ${String(doc.skips)}`);
        }
        pieces.push(doc);
      }
      const pieceMs = piecesFailed !== undefined ? {} : Object.fromEntries(Object.keys(pieces[0].ms).map((k) => [k, round(median(pieces.map((p) => p.ms[k])), 1)]));
      const breakdown = piecesFailed !== undefined ? { skipped: piecesFailed } : {
        runs: pieceRuns, ms: pieceMs, json_bytes: pieces[0].json_bytes, max_rss_mib: round(median(pieces.map((p) => p.max_rss_mib)), 1),
        heap_used_mib: round(median(pieces.map((p) => p.heap_used_mib)), 1),
        note: 'each step once, in order, in a fresh node process (cold, as the CLI runs them); median per step over the processes',
      };

      const s = summary(samples.plan);
      const b = summary(samples.read);
      const e0 = summary(samples.node);
      const id = zone === 'UTC' ? 'backfill-plan-year' : `backfill-plan-year-${zoneId(zone)}`;
      const ledgerInfo = {
        zone, runs: gen.runs, successes: gen.successes, failed: gen.failed, empty_minutes: gen.empty_minutes, lines: gen.lines, bytes: gen.bytes,
        segments: gen.segments, bytes_per_run: round(gen.bytes / gen.runs, 1), log_path_chars: gen.log_path_chars, generate_s: round(gen.ms / 1000, 1), window: { from: new Date(gen.from_ms).toISOString(), to: new Date(gen.to_ms).toISOString() },
      };
      ctx.figures.push({
        id,
        name: `backfill: plan a year of a minutely job, ${zone}`,
        command: `node bin/tock.js backfill ${BACKFILL_JOB} --from ${from} --to ${to} --dry-run --json --yes -f <tmp>/jobs.yaml --state-dir <tmp>/state`,
        unit: 'ms',
        subject: s,
        baseline: { command: `node bench/backfill.mjs --read <tmp>/state/ledger/${BACKFILL_JOB} ${String(gen.lines)}`, ...b },
        baseline_label: 'plain read of the ledger',
        ratio: round(s.median / b.median, 3),
        target: { kind: 'ms', value: TARGET_MS, text: `< ${String(TARGET_MS)} ms` },
        meets: s.median < TARGET_MS,
        ratio_of_mins: round(s.min / b.min, 3),
        cpu_busy_pct_before: busy ?? null,
        node_e_0: e0,
        output_bytes: outBytes,
        ledger: ledgerInfo,
        breakdown,
        note: 'baseline: a fresh node that reads every segment of the job (readFileSync, utf8) and counts its lines: the floor for any plan that looks at the ledger text; the target is the absolute median',
      });
      extras.zones[zone] = { figure: id, ledger: ledgerInfo, end_to_end: s, plain_read: b, node_e_0: e0, output_bytes: outBytes, breakdown };
      const p = pieceMs;
      report.push(
        `  ${zone} (window ${ledgerInfo.window.from} .. ${ledgerInfo.window.to}): ${fmt(s.median, 0)} ms median (min ${fmt(s.min, 0)}, max ${fmt(s.max, 0)}; target < ${String(TARGET_MS)}), output ${(outBytes / 1e6).toFixed(1)} MB; ` +
          `plain read of the ledger ${fmt(b.median, 0)} ms (${fmt(s.median / b.median, 2)}x); node -e 0 ${fmt(e0.median, 0)} ms`,
        `    ledger: ${String(gen.runs)} runs (${String(gen.successes)} successes, ${String(gen.failed)} failed, ${String(gen.empty_minutes)} minutes with none), ${String(gen.lines)} lines, ${(gen.bytes / 1e6).toFixed(0)} MB in ${String(gen.segments)} segments (${fmt(gen.bytes / gen.runs, 0)} bytes a run, log path ${String(gen.log_path_chars)} chars), generated in ${(gen.ms / 1000).toFixed(1)} s`,
        piecesFailed !== undefined ? `    in a fresh process: not measured (${piecesFailed})` : `    in a fresh process (median of ${String(pieceRuns)}, ms): import ${fmt(p.import, 0)}, load jobfile ${fmt(p.load_jobfile, 0)}, openLedger ${fmt(p.open_ledger, 0)}, ` +
          `instantsInWindow ${fmt(p.instants_in_window, 0)} (again, warm: ${fmt(p.instants_in_window_warm, 0)}), succeededSince ${fmt(p.succeeded_since, 0)}, ` +
          `planBackfill given that set ${fmt(p.plan_given_set, 0)} (of which, replicated warm: the lookup per instant ${fmt(p.of_which_iso_and_lookup, 0)}, sort ${fmt(p.of_which_sort, 0)}), runs for the JSON ${fmt(p.to_runs, 0)}, JSON.stringify ${fmt(p.stringify, 0)} (${(breakdown.json_bytes / 1e6).toFixed(1)} MB), write to /dev/null ${fmt(p.write, 0)}; ` +
          `sum ${fmt(p.sum, 0)}; max RSS ${fmt(breakdown.max_rss_mib, 0)} MiB`,
      );
      // The ledger is ~700 MB: gone as soon as its figure is done.
      if (!ctx.keep) rmSync(dir, { recursive: true, force: true });
    }
    return { report, extras };
  } finally {
    if (!ctx.keep) rmSync(base, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Children

/** The baseline: every segment of the job read whole (utf8, as succeededSince reads it) and its lines counted. */
function readChild(jobDir, expected) {
  let lines = 0;
  for (const f of readdirSync(jobDir).filter((s) => /^\d{4}-\d{2}\.jsonl$/.test(s)).sort()) {
    const text = readFileSync(path.join(jobDir, f), 'utf8');
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  }
  if (expected !== undefined && lines !== Number(expected)) {
    console.error(`read ${String(lines)} lines, expected ${String(expected)}`);
    process.exitCode = 1;
  }
  process.stdout.write(`${String(lines)}\n`);
}

/** The plan's steps, one by one, timed in this (fresh) process; printed as JSON. */
async function piecesChild(file, stateDir, job, from, to) {
  const t = () => Number(process.hrtime.bigint()) / 1e6;
  const ms = {};
  let a = t();
  const href = (p) => pathToFileURL(path.join(ROOT, 'dist', p)).href;
  // What the backfill command loads (besides commander and the CLI's entry point).
  await import(href('cli/commands/backfill.js'));
  const { loadJobfile } = await import(href('jobfile/load.js'));
  const { openLedger } = await import(href('cli/open-ledger.js'));
  const { planBackfill } = await import(href('backfill/plan.js'));
  const { instantsInWindow } = await import(href('schedule/window.js'));
  ms.import = t() - a;

  a = t();
  const loaded = loadJobfile(file);
  ms.load_jobfile = t() - a;
  if (!loaded.ok) throw new Error(`${file} is not valid: ${JSON.stringify(loaded.diagnostics.slice(0, 3))}`);
  const jobfile = loaded.jobfile;
  const theJob = jobfile.jobs.get(job);

  a = t();
  const ledger = openLedger(stateDir, jobfile.jobs.keys());
  ms.open_ledger = t() - a;

  const day = (text, edge) => {
    const d = DateTime.fromISO(text, { zone: theJob.timezone });
    return (edge === 'start' ? d.startOf('day') : d.endOf('day')).toMillis();
  };
  const window = { fromMs: day(from, 'start'), toMs: day(to, 'end') };

  a = t();
  const instants = instantsInWindow(theJob.schedule, theJob.timezone, window.fromMs, window.toMs, Number.MAX_SAFE_INTEGER);
  ms.instants_in_window = t() - a;
  a = t();
  instantsInWindow(theJob.schedule, theJob.timezone, window.fromMs, window.toMs, Number.MAX_SAFE_INTEGER);
  ms.instants_in_window_warm = t() - a;

  a = t();
  const done = ledger.succeededSince(job, new Date(window.fromMs - 3_600_000).toISOString());
  ms.succeeded_since = t() - a;

  a = t();
  const planned = planBackfill(jobfile, [job], () => window, { force: false, backwards: false, yes: true }, () => done, Date.now());
  ms.plan_given_set = t() - a;

  // What planBackfill does per instant, replicated here (warm: planBackfill just ran it): each
  // instant looked up in the set (by its ISO string in a Set<string>, by its ms in a set of
  // times), then the sort of the marked instants.
  a = t();
  const marked = [];
  const byIso = done instanceof Set;
  for (const logicalMs of instants) {
    const ok = done.has(byIso ? new Date(logicalMs).toISOString() : logicalMs);
    marked.push(ok ? { job, logicalMs, action: 'skip', reason: 'succeeded-before' } : { job, logicalMs, action: 'run' });
  }
  ms.of_which_iso_and_lookup = t() - a;
  a = t();
  marked.sort((x, y) => x.logicalMs - y.logicalMs);
  ms.of_which_sort = t() - a;

  a = t();
  const runs = planned.map((i) => ({ job: i.job, logical_time: new Date(i.logicalMs).toISOString(), action: i.action, ...(i.reason !== undefined ? { reason: i.reason } : {}) }));
  ms.to_runs = t() - a;

  a = t();
  const skips = planned.filter((i) => i.action === 'skip').length;
  const text = JSON.stringify({ summary: { planned: planned.length, ran: 0, succeeded: 0, failed: 0, skipped: skips, duration_ms: 0 }, runs });
  ms.stringify = t() - a;

  a = t();
  const fd = openSync('/dev/null', 'w');
  writeSync(fd, `${text}\n`);
  closeSync(fd);
  ms.write = t() - a;
  ledger.close();

  ms.sum = Object.entries(ms).filter(([k]) => k !== 'instants_in_window_warm' && !k.startsWith('of_which')).reduce((sum, [, v]) => sum + v, 0);
  const mem = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({
    ms: Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, round(v, 2)])),
    instants: instants.length, succeeded: done.size, planned: planned.length, skips, json_bytes: Buffer.byteLength(text) + 1,
    max_rss_mib: round(process.resourceUsage().maxRSS / 1024, 1), heap_used_mib: round(mem.heapUsed / 2 ** 20, 1),
  })}\n`);
}

// ---------------------------------------------------------------------------------------------
// Standalone

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2);
  if (argv[0] === '--read') {
    readChild(argv[1], argv[2]);
  } else if (argv[0] === '--pieces') {
    await piecesChild(argv[1], argv[2], argv[3], argv[4], argv[5]);
  } else if (argv[0] === 'gen') {
    const [, dir, zone = 'UTC'] = argv;
    if (dir === undefined) {
      console.error('usage: node bench/backfill.mjs gen STATE_DIR [ZONE]');
      process.exit(2);
    }
    const year = backfillYear([zone]);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'jobs.yaml'), backfillJobfile(zone));
    const res = generateBackfillLedger(dir, { zone, year });
    console.log(JSON.stringify({ ...res, year, jobfile: path.join(dir, 'jobs.yaml'), try: `node bin/tock.js backfill ${BACKFILL_JOB} --from ${String(year)}-01-01 --to ${String(year)}-12-31 --dry-run --json --yes -f ${path.join(dir, 'jobs.yaml')} --state-dir ${dir}` }));
  } else {
    await runStandalone('backfill', argv, (context, option) => backfillFigures({
      ...context,
        zones: option('--zones', DEFAULT_ZONES.join(',')).split(',').filter(Boolean), runs: Number(option('--runs', '5')),
    }));
  }
}
