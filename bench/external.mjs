// Figures measured by scripts other streams own (issue 13): bench/wake.mjs (the cost of one wake
// of the daemon's scheduler with 100,000 jobs) and bench/engine-throughput.mjs (runs a second
// through the engine, 8 parallel `true` jobs, the ledger fsync'd, vs the same spawns with no
// ledger). run.mjs calls each in a fresh `node` and reads what it prints; a script that is not
// there yet is a row "not measured (bench/X missing)", not a failed bench.
//
// What is read (bench/README.md, "Figures from other scripts"): the last stdout line that parses
// as a JSON object, searched for the numbers below by key; failing that, the text, by pattern.
//   wake.mjs:              { "sizes": [{ "jobs": 1000, "wake_us": { "mean", "p50", "p99" }, "scan_us": { "mean" } }, ..., { "jobs": 100000, ... }] }
//                          (or one size: { "jobs": 100000, "us_per_wake": { "median": N, "p99": N } })
//   engine-throughput.mjs: { "parallel": 8, "ledger_runs_per_s": N, "no_ledger_runs_per_s": N, "spawn_runs_per_s": N, "meets": B }
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { round } from './stats.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH);

/** Every number in a JSON value, by its dotted path ("us_per_wake.median"). */
function numbers(value, prefix = '', out = []) {
  if (typeof value === 'number' && Number.isFinite(value)) out.push([prefix, value]);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) numbers(v, prefix === '' ? k : `${prefix}.${k}`, out);
  }
  return out;
}

/** The first number whose path matches one of the patterns, tried in order. */
function pick(nums, patterns) {
  for (const re of patterns) {
    const hit = nums.find(([p]) => re.test(p));
    if (hit !== undefined) return hit[1];
  }
  return undefined;
}

/** Runs `node bench/<script>`; returns { missing } | { failed } | { json, text, ms }. */
function runScript(ctx, script, timeoutMs) {
  const file = path.join(BENCH, script);
  if (!existsSync(file)) return { missing: `bench/${script} missing` };
  const t0 = process.hrtime.bigint();
  const res = spawnSync(ctx.NODE, [file], { cwd: ROOT, env: ctx.childEnv, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.error !== undefined || res.status !== 0) {
    const how = res.error !== undefined ? res.error.message : `exit ${String(res.status ?? res.signal)}`;
    const lines = `${res.stderr}`.split('\n').map((l) => l.trim()).filter(Boolean);
    return { failed: `bench/${script} failed (${how}): ${lines.find((l) => /Error/.test(l)) ?? lines.at(-1) ?? 'no output'}` };
  }
  let json;
  for (const line of res.stdout.trim().split('\n').reverse()) {
    try {
      const v = JSON.parse(line);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        json = v;
        break;
      }
    } catch {
      // not JSON
    }
  }
  if (json === undefined) {
    try {
      const v = JSON.parse(res.stdout);
      if (v !== null && typeof v === 'object') json = v;
    } catch {
      // a text report
    }
  }
  return { json, text: res.stdout, ms };
}

function notMeasured(ctx, base, why) {
  ctx.figures.push({ ...base, subject: null, baseline: null, ratio: null, meets: null, ratio_of_mins: null, not_measured: why });
  return { report: [`${base.name}: not measured (${why})`], extras: { not_measured: why } };
}

/** The cost of one wake with 100,000 jobs, in µs (bench/wake.mjs, the fire stream's). */
export function wakeFigure(ctx) {
  ctx.progress('wake: node bench/wake.mjs (the cost of one wake of the scheduler with 100,000 jobs)');
  const base = {
    id: 'daemon-wake-cost', name: 'daemon: cost of one wake, 100k jobs', command: 'node bench/wake.mjs', unit: 'µs',
    target: { kind: 'none', text: 'O(log n), report µs' }, cpu_busy_pct_before: ctx.waitQuiet(),
  };
  const run = runScript(ctx, 'wake.mjs', 300_000);
  if (run.missing !== undefined || run.failed !== undefined) return notMeasured(ctx, base, run.missing ?? run.failed);
  // wake.mjs prints one entry per size (`sizes`); the figure is the largest, the growth from the
  // smallest tells O(log n) from a scan (log(100k)/log(1k) = 1.67; a scan grows 100x).
  const sizes = Array.isArray(run.json?.sizes) ? [...run.json.sizes].filter((x) => typeof x?.jobs === 'number').sort((a, b) => a.jobs - b.jobs) : [];
  const top = sizes.at(-1);
  const nums = numbers(top ?? run.json ?? {});
  let us = pick(nums, [/^wake_us\.p50$/, /^wake_us\.median$/, /^us_per_wake\.median$/, /^us_per_wake$/, /(^|\.)median_us$/, /^wake_us\.mean$/, /wake.*us(\.median)?$/i, /(^|\.)us(\.median)?$/, /µs/]);
  const p99 = pick(nums, [/^wake_us\.p99$/, /^us_per_wake\.p99$/, /(^|\.)p99_us$/, /us.*p99|p99.*us/]);
  const scan = pick(nums, [/^scan_us\.mean$/, /^scan_us$/]);
  if (us === undefined) {
    const m = /([\d.]+)\s*(?:µs|us)\b/.exec(run.text);
    if (m !== null) us = Number(m[1]);
  }
  if (us === undefined) return notMeasured(ctx, base, 'bench/wake.mjs printed no µs figure the bench could read');
  const jobs = pick(nums, [/^jobs$/, /(^|\.)jobs$/]) ?? 100_000;
  let growth = null;
  let meets = typeof run.json?.meets === 'boolean' ? run.json.meets : null;
  if (sizes.length >= 2 && sizes[0].wake_us?.mean > 0 && top.wake_us?.mean > 0) {
    const logBound = Math.log(top.jobs) / Math.log(sizes[0].jobs);
    growth = { from_jobs: sizes[0].jobs, to_jobs: top.jobs, mean_ratio: round(top.wake_us.mean / sizes[0].wake_us.mean, 3), log_ratio: round(logBound, 3), linear_ratio: top.jobs / sizes[0].jobs };
    // Met when the wake grows no more than twice as fast as log n (noise), far from a scan's n.
    meets ??= growth.mean_ratio <= 2 * logBound;
  }
  const one = (x, p) => ({ n: 1, median: round(x, 3), min: round(x, 3), max: round(x, 3), p90: null, ...(p !== undefined ? { p99: round(p, 3) } : {}) });
  ctx.figures.push({
    ...base, subject: one(us, p99),
    baseline: scan !== undefined ? { command: 'one pass over every job\'s next fire (what a wake cost before the heap), in bench/wake.mjs', ...one(scan) } : null,
    ...(scan !== undefined ? { baseline_label: 'a scan of every job' } : {}),
    ratio: scan !== undefined ? round(us / scan, 4) : null, meets, ratio_of_mins: null, jobs, growth, output: run.json ?? run.text.trim().slice(-2000),
    note: 'from bench/wake.mjs (the fire stream\'s script), run in a fresh node: the median wake at the largest size; met when its mean grows from the smallest size to the largest by at most 2x log(n_max)/log(n_min)',
  });
  const sizesLine = sizes.map((x) => `${String(x.jobs)} jobs ${String(x.wake_us?.p50 ?? '-')} µs (p99 ${String(x.wake_us?.p99 ?? '-')}, a scan ${String(x.scan_us?.mean ?? '-')})`).join('; ');
  return {
    report: [
      `wake (bench/wake.mjs): ${String(round(us, 2))} µs a wake with ${String(jobs)} jobs${p99 !== undefined ? ` (p99 ${String(round(p99, 2))})` : ''}${scan !== undefined ? `; a scan of every job ${String(round(scan, 1))} µs` : ''}${growth !== null ? `; mean ${String(growth.mean_ratio)}x from ${String(growth.from_jobs)} to ${String(growth.to_jobs)} jobs (log n: ${String(growth.log_ratio)}x, a scan: ${String(growth.linear_ratio)}x)` : ''}`,
      ...(sizes.length > 0 ? [`  ${sizesLine}`] : run.json !== undefined ? [] : run.text.trim().split('\n').slice(-6).map((l) => `  | ${l}`)),
    ],
    extras: run.json ?? { text: run.text },
  };
}

/** Runs a second through the engine, 8 parallel `true` jobs, ledger fsync'd vs none (bench/engine-throughput.mjs, the ledger stream's). */
export function engineFigure(ctx) {
  ctx.progress('engine: node bench/engine-throughput.mjs (runs a second, 8 parallel `true` jobs, ledger fsync\'d vs the same spawns with no ledger)');
  const base = {
    id: 'engine-throughput', name: 'engine: runs/s, 8 parallel true, ledger fsync\'d', command: 'node bench/engine-throughput.mjs', unit: 'runs/s',
    target: { kind: 'rate-ratio', value: 0.8, text: '>= 0.8x' }, cpu_busy_pct_before: ctx.waitQuiet(),
  };
  const run = runScript(ctx, 'engine-throughput.mjs', 600_000);
  if (run.missing !== undefined || run.failed !== undefined) return notMeasured(ctx, base, run.missing ?? run.failed);
  const nums = run.json !== undefined ? numbers(run.json) : [];
  let tock = pick(nums, [/^ledger_runs_per_s$/, /^tock\.runs_per_s$/, /^tock_runs_per_s$/, /^runs_per_s$/, /^tock(\.overall|\.rate)?$/, /^(engine|ledger)\.runs_per_s$/]);
  let base0 = pick(nums, [/^no_ledger_runs_per_s$/, /^baseline\.runs_per_s$/, /^baseline_runs_per_s$/, /^no_ledger(\.runs_per_s)?$/, /^baseline(\.overall|\.rate)?$/]);
  const plain = pick(nums, [/^spawn_runs_per_s$/]);
  if (tock === undefined || base0 === undefined) {
    const rates = [...run.text.matchAll(/([\d.]+)\s*(?:runs\/s|\/s)/g)].map((m) => Number(m[1]));
    if (rates.length >= 2) [tock, base0] = rates;
  }
  if (tock === undefined || base0 === undefined) return notMeasured(ctx, base, 'bench/engine-throughput.mjs printed no two runs/s figures the bench could read');
  const ratio = round(tock / base0, 3);
  const meets = typeof run.json?.meets === 'boolean' ? run.json.meets : ratio >= 0.8;
  const one = (x) => ({ n: 1, median: round(x, 1), min: round(x, 1), max: round(x, 1), p90: null, overall: round(x, 1) });
  ctx.figures.push({
    ...base, subject: one(tock), baseline: { command: 'the same spawns, no ledger', ...one(base0) }, baseline_label: 'same spawns, no ledger',
    ratio, meets, ratio_of_mins: null, output: run.json ?? run.text.trim().slice(-2000), ...(plain !== undefined ? { plain_spawn_runs_per_s: plain } : {}),
    note: 'from bench/engine-throughput.mjs (the ledger stream\'s script), run in a fresh node',
  });
  const shown = run.json !== undefined ? [] : run.text.trim().split('\n').slice(-6).map((l) => `  | ${l}`);
  return {
    report: [`engine (bench/engine-throughput.mjs): ${String(round(tock, 0))} runs/s with the ledger fsync'd vs ${String(round(base0, 0))} runs/s with none: ${ratio.toFixed(2)}x (aim >= 0.8x)${plain !== undefined ? `; a plain spawn loop ${String(round(plain, 0))} runs/s` : ''}`, ...shown],
    extras: run.json ?? { text: run.text },
  };
}
