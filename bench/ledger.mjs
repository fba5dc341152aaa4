// The ledger figures of the bench (see bench/README.md, "Ledger figures"): `tock status` and
// `tock history` on a ledger of 1,000,000 runs against one of 1,000, appending with fsync, bytes
// per run on disk, and what a plain full read of the big ledger costs.
//
// Also usable alone, to look at a generated ledger:
//
//   node bench/ledger.mjs gen STATE_DIR [RUNS]    (writes STATE_DIR/ledger/... and STATE_DIR/jobs.yaml)
//
// The ledgers are written directly as segment files (`ledger/<job>/<YYYY-MM>.jsonl`), with one
// large write per segment: going through tock (one write and one fsync per line) would take
// hours for 4,000,000 lines. The lines have the shapes a real `tock run` writes (run-started,
// attempt-started, attempt-finished, run-finished; a skipped run has only its run-finished),
// with varying fields from a seeded PRNG.
import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH);
// Every ledger line tock writes goes through this; the generators' text is checked against it.
export const { serializeEvent } = await import(pathToFileURL(path.join(ROOT, 'dist', 'ledger', 'serialize.js')).href);

export const LEDGER_JOBS = 50;
/** Every job runs every 40 minutes: 20,000 runs cover about 18 months, ending now. */
const INTERVAL_MS = 40 * 60_000;

/**
 * Appends generated lines to a job's monthly segments (`<dir>/YYYY-MM.jsonl`, by the event's
 * time) in large writes. Events come in time order, so a segment is complete when the month
 * changes. `put` returns the bytes the line takes.
 */
export function segmentWriter(dir, label, onNewSegment) {
  let month = '';
  let pending = [];
  const flush = () => {
    if (pending.length === 0) return;
    writeFileSync(path.join(dir, `${month}.jsonl`), `${pending.join('\n')}\n`, { mode: 0o600, flag: 'a' });
    pending = [];
  };
  const put = (line, at) => {
    const m = at.slice(0, 7);
    if (m !== month) {
      flush();
      if (month !== '' && m < month) throw new Error(`generator: ${label} went back in time (${at})`);
      month = m;
      onNewSegment();
    }
    pending.push(line);
    return line.length + 1; // ASCII only: characters are bytes
  };
  return { put, flush };
}

/** mulberry32: a small seeded PRNG, so every bench run generates the same ledger shape. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASES = ['backup-db', 'etl-orders', 'sync-users', 'report-sales', 'rotate-logs', 'index-search', 'purge-cache', 'export-s3', 'check-certs', 'sitemap'];
/** Typical durations (ms) of a job's command; each run varies around its job's. */
const DURATIONS = [40, 350, 2_500, 18_000, 95_000, 240_000];

/** The 50 job names, each at most 16 characters (the width of status's JOB column). */
export function ledgerJobNames(jobs = LEDGER_JOBS) {
  return Array.from({ length: jobs }, (_, i) => `${BASES[i % BASES.length]}-${String(Math.floor(i / BASES.length) + 1).padStart(2, '0')}`);
}

/** The jobfile for the generated ledgers: the same 50 jobs, each `@every 40m`. */
export function ledgerJobfile(jobs = LEDGER_JOBS) {
  const lines = ['version: 1', 'timezone: UTC', 'jobs:'];
  ledgerJobNames(jobs).forEach((name, i) => {
    lines.push(`  ${name}:`, `    description: ${JSON.stringify(`generated for the ledger bench (${name})`)}`, '    schedule: "@every 40m"', '    command: ["true"]');
    if (i % 3 === 1) lines.push(`    retries: ${String((i % 2) + 1)}`, '    retry_delay: 10s');
    if (i % 5 === 2) lines.push('    timeout: 10m');
  });
  return `${lines.join('\n')}\n`;
}

export const hex = (rand, digits) => Math.floor(rand() * 16 ** digits).toString(16).padStart(digits, '0');

// toISOString is a large share of generating 10 million timestamps; the day part is cached.
let isoDay = -1;
let isoPrefix = '';
const p2 = (n) => (n < 10 ? `0${String(n)}` : String(n));
const p3 = (n) => (n < 10 ? `00${String(n)}` : n < 100 ? `0${String(n)}` : String(n));
export function iso(ms) {
  const day = Math.floor(ms / 86_400_000);
  if (day !== isoDay) {
    isoDay = day;
    isoPrefix = new Date(day * 86_400_000).toISOString().slice(0, 11);
  }
  let rest = ms - day * 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  return `${isoPrefix}${p2(h)}:${p2(m)}:${p2(s)}.${p3(rest - s * 1000)}Z`;
}

/** The JSON of an attempt, keys in the order tock writes them (src/ledger/serialize.ts). */
export function attemptJson(a) {
  return `{"n":${String(a.n)},"started_at":"${a.started_at}","ended_at":"${a.ended_at}","exit_code":${String(a.exit_code)},"signal":${a.signal === null ? 'null' : `"${a.signal}"`},"outcome":"${a.outcome}"${a.error === undefined ? '' : `,"error":${JSON.stringify(a.error)}`}}`;
}

/**
 * Writes `runsPerJob` runs of each of `jobs` jobs into `stateDir/ledger`, one run every 40 minutes
 * per job ending about now (so 20,000 runs span ~18 months of monthly segments; 20 runs ~13 hours).
 * Lines are built as text in the key order tock's serializer writes (checked by parsing and
 * re-serialising the first runs of each job with it). Returns counts: runs, lines, bytes,
 * segments, and the bytes of the plain 4-line runs.
 */
export function generateLedger(stateDir, { jobs = LEDGER_JOBS, runsPerJob, endMs = Date.now(), seed = 20261121, intervalMs = INTERVAL_MS }) {
  const t0 = process.hrtime.bigint();
  const rand = prng(seed);
  const host = JSON.stringify(os.hostname());
  const ledgerDir = path.join(stateDir, 'ledger');
  const logsDir = path.join(stateDir, 'logs');
  // The newest logical time: on the minute, 10 minutes ago, so every run has finished.
  const lastGrid = Math.floor((endMs - 10 * 60_000) / 60_000) * 60_000;
  const totals = { runs: 0, lines: 0, bytes: 0, segments: 0, fourLineRuns: 0, fourLineBytes: 0, outcomes: {} };
  const names = ledgerJobNames(jobs);

  for (const [j, job] of names.entries()) {
    const dir = path.join(ledgerDir, job);
    mkdirSync(dir, { recursive: true });
    const jobHash = hex(rand, 8) + hex(rand, 8);
    const retries = j % 3 === 1 ? (j % 2) + 1 : 0;
    const typical = DURATIONS[j % DURATIONS.length];
    const logPrefix = JSON.stringify(`${path.join(logsDir, job)}/`).slice(0, -1);
    const { put, flush } = segmentWriter(dir, job, () => { totals.segments++; });
    const head = (type, at) => `{"v":1,"type":"${type}","at":"${at}","job":"${job}"`;
    // The tock process (a long-running `tock` under systemd, restarted now and then).
    let pid = 0;
    let pidStart = '';
    let jobfileHash = '';
    let childPid = 0;
    for (let k = 0; k < runsPerJob; k++) {
      if (k % 700 === 0) {
        pid = 900 + Math.floor(rand() * 3_000_000);
        pidStart = String(100_000 + Math.floor(rand() * 90_000_000));
        childPid = pid + 1;
      }
      if (k % 2_500 === 0) jobfileHash = hex(rand, 8) + hex(rand, 8);
      const grid = lastGrid - (runsPerJob - 1 - k) * intervalMs - (j % 40) * 60_000;
      const r = rand();
      const trigger = r < 0.975 ? 'schedule' : r < 0.99 ? 'manual' : 'catchup';
      // A manual run is asked for by hand between two scheduled ones; its logical time is "now".
      const startedMs = trigger === 'manual' ? grid + 60_000 + Math.floor(rand() * 9 * 60_000) : grid + 3 + Math.floor(rand() * 400);
      const logicalMs = trigger === 'manual' ? Math.floor(startedMs / 1000) * 1000 : grid;
      const logical = iso(logicalMs);
      const runId = `${logical.slice(0, 4)}${logical.slice(5, 7)}${logical.slice(8, 13)}${logical.slice(14, 16)}${logical.slice(17, 19)}Z-${hex(rand, 4)}`;
      // A run record's keys in the serializer's order (src/ledger/serialize.ts): who, then what
      // happened, then where it ran. `start` is a RunStart without its closing brace.
      const ids = `{"run_id":"${runId}","job":"${job}","logical_time":"${logical}","trigger":"${trigger}"`;
      const where = `"log":${logPrefix}${runId}.log","host":${host},"pid":${String(pid)},"pid_start":"${pidStart}","job_hash":"${jobHash}","jobfile_hash":"${jobfileHash}"`;
      const start = (started) => `${ids},"started_at":"${started}",${where}`;
      const first = [];
      let bytes = 0;
      let lines = 0;
      const o = rand();
      let outcome;
      if (o < 0.012) {
        // Skipped (overlap): refused the lock, so only a run-finished line, no attempts.
        const endedAt = iso(startedMs + 1 + Math.floor(rand() * 4));
        const message = `already running (run ${runId.slice(0, 16)}-${hex(rand, 4)}, pid ${String(pid)}); concurrency is forbid`;
        const line = `${head('run-finished', endedAt)},"run":${ids},"outcome":"skipped","reason":"overlap","message":"${message}","started_at":"${endedAt}","ended_at":"${endedAt}","duration_ms":0,"exit_code":null,"signal":null,"attempts":[],${where}}}`;
        bytes += put(line, endedAt);
        first.push(line);
        lines = 1;
        outcome = 'skipped';
      } else {
        const startedAt = iso(startedMs);
        const line = `${head('run-started', startedAt)},"run":${start(startedAt)}}}`;
        bytes += put(line, startedAt);
        first.push(line);
        lines++;
        // A success, or failures (retried up to the job's `retries`), or a timeout.
        const kind = o < 0.96 ? 'success' : o < 0.975 && retries > 0 ? 'retried' : o < 0.997 ? 'failed' : 'timeout';
        const attempts = [];
        let at = startedMs + 2 + Math.floor(rand() * 4);
        const count = kind === 'success' || kind === 'timeout' ? 1 : kind === 'retried' ? 2 : retries + 1;
        for (let n = 1; n <= count; n++) {
          childPid += 1 + Math.floor(rand() * 40);
          const attemptStart = iso(at);
          const started = `${head('attempt-started', attemptStart)},"run_id":"${runId}","n":${String(n)},"pid":${String(childPid)}}`;
          bytes += put(started, attemptStart);
          first.push(started);
          let attempt;
          if (kind === 'timeout') {
            at += 600_000 + 3 + Math.floor(rand() * 30);
            attempt = { n, started_at: attemptStart, ended_at: iso(at), exit_code: null, signal: 'SIGTERM', outcome: 'timeout', error: 'timed out after 600s; stopped with SIGTERM' };
          } else {
            at += Math.max(1, Math.round(typical * (0.6 + rand() * 1.2)));
            const ok = n === count && kind !== 'failed';
            const code = ok ? 0 : rand() < 0.8 ? 1 : rand() < 0.5 ? 2 : 127;
            attempt = { n, started_at: attemptStart, ended_at: iso(at), exit_code: code, signal: null, outcome: ok ? 'success' : 'failed', ...(code === 127 ? { error: 'exit 127: command not found' } : {}) };
          }
          attempts.push(attempt);
          const finished = `${head('attempt-finished', attempt.ended_at)},"run_id":"${runId}","attempt":${attemptJson(attempt)}}`;
          bytes += put(finished, attempt.ended_at);
          first.push(finished);
          lines += 2;
          if (n < count) at += 10_000 + Math.floor(rand() * 5);
        }
        const last = attempts.at(-1);
        const endedMs = at + Math.floor(rand() * 3);
        const endedAt = iso(endedMs);
        outcome = last.outcome;
        const message = last.error !== undefined && outcome !== 'success' ? `,"message":${JSON.stringify(last.error)}` : '';
        const done = `${head('run-finished', endedAt)},"run":${ids},"outcome":"${outcome}"${message},"started_at":"${startedAt}","ended_at":"${endedAt}","duration_ms":${String(endedMs - startedMs)},"exit_code":${String(last.exit_code)},"signal":${last.signal === null ? 'null' : `"${last.signal}"`},"attempts":[${attempts.map(attemptJson).join(',')}],${where}}}`;
        bytes += put(done, endedAt);
        first.push(done);
        lines++;
      }
      // The text must be what tock's serializer makes of the same event: check the first runs.
      if (k < 3 || outcome !== 'success' && k < 200) {
        for (const line of first) if (serializeEvent(JSON.parse(line)) !== line) throw new Error(`generator: not what tock writes: ${line}`);
      }
      totals.runs++;
      totals.lines += lines;
      totals.bytes += bytes;
      totals.outcomes[outcome] = (totals.outcomes[outcome] ?? 0) + 1;
      if (lines === 4) {
        totals.fourLineRuns++;
        totals.fourLineBytes += bytes;
      }
    }
    flush();
  }
  return { ...totals, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

/** Bytes in every segment under a state dir's ledger, and how many segment files. */
function ledgerBytes(stateDir) {
  const dir = path.join(stateDir, 'ledger');
  let bytes = 0;
  let files = 0;
  for (const job of readdirSync(dir, { withFileTypes: true })) {
    if (!job.isDirectory() || job.name.startsWith('.')) continue;
    for (const f of readdirSync(path.join(dir, job.name))) {
      if (!f.endsWith('.jsonl')) continue;
      bytes += statSync(path.join(dir, job.name, f)).size;
      files++;
    }
  }
  return { bytes, files };
}

/** A plain full read: readline over every segment of every job, JSON.parse of every line. */
async function readAll(stateDir) {
  const t0 = process.hrtime.bigint();
  const dir = path.join(stateDir, 'ledger');
  let lines = 0;
  let runs = 0;
  for (const job of readdirSync(dir).filter((d) => !d.startsWith('.')).sort()) {
    for (const f of readdirSync(path.join(dir, job)).filter((s) => s.endsWith('.jsonl')).sort()) {
      const rl = createInterface({ input: createReadStream(path.join(dir, job, f)), crlfDelay: Infinity });
      for await (const line of rl) {
        if (line === '') continue;
        const event = JSON.parse(line);
        lines++;
        if (event.type === 'run-finished') runs++;
      }
    }
  }
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, lines, runs };
}

/** What the file system under `dir` is (ext4, xfs, tmpfs...), for reading the append figure. */
function fsType(dir) {
  const names = { 0xef53: 'ext2/3/4', 0x58465342: 'xfs', 0x9123683e: 'btrfs', 0x01021994: 'tmpfs', 0x794c7630: 'overlayfs', 0x2fc12fc1: 'zfs' };
  try {
    const t = statfsSync(dir).type;
    return names[t] ?? `0x${t.toString(16)}`;
  } catch {
    return 'unknown';
  }
}

/**
 * Appends the same events through several writers, in alternating batches (A B, B A, ...), for
 * about `seconds` or `maxUnits` units each, whichever comes first, after a short warm-up of each.
 * `eventsOf(i, atIso)` gives the events of unit i (a run's 4 events, or one record). Returns, per
 * writer, the per-batch rates (units a second), the units done, the time spent and the overall rate.
 */
function timeAppends(writers, eventsOf, { seconds = 2, maxUnits = 10_000, warmup = 100, batch = 250 } = {}) {
  const now = () => new Date().toISOString();
  for (const w of writers) for (let i = 0; i < warmup; i++) for (const e of eventsOf(-1 - i, now())) w.append(e);
  const out = writers.map(() => ({ units: 0, ns: 0n, rates: [] }));
  for (let round = 0; ; round++) {
    const active = writers.map((_, i) => i).filter((i) => out[i].units < maxUnits && Number(out[i].ns) / 1e9 < seconds);
    if (active.length === 0) break;
    for (const i of round % 2 === 0 ? active : [...active].reverse()) {
      const w = writers[i];
      const o = out[i];
      const b0 = process.hrtime.bigint();
      for (let k = 0; k < batch; k++) for (const e of eventsOf(o.units + k, now())) w.append(e);
      const ns = process.hrtime.bigint() - b0;
      o.units += batch;
      o.ns += ns;
      o.rates.push(batch / (Number(ns) / 1e9));
    }
  }
  return out.map((o) => ({ units: o.units, ms: Number(o.ns) / 1e6, rate: o.units / (Number(o.ns) / 1e9), rates: o.rates }));
}

/** The floor for a durable append: write(2) of the same line on an O_APPEND fd, then fsync. */
function rawAppender(file) {
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, 'a', 0o600);
  return {
    append: (event) => {
      writeSync(fd, `${JSON.stringify(event)}\n`);
      fsyncSync(fd);
    },
    close: () => closeSync(fd),
  };
}

/**
 * The ledger figures. `ctx` is run.mjs's toolkit: { TMP, TOCK, NODE, runs, warmup, interleave,
 * addFigure, addRateFigure, stats, waitQuiet, progress, CommandFailed, display, keep, ledgerRuns, timedRuns, childEnv, figures }.
 * Returns lines of text for the report.
 */
export async function ledgerFigures(ctx) {
  const { TMP, TOCK, interleave, addFigure, addRateFigure, waitQuiet, progress, CommandFailed } = ctx;
  const jobs = LEDGER_JOBS;
  const bigPerJob = Math.max(20, Math.round(ctx.ledgerRuns / jobs));
  const smallPerJob = 20;
  const names = ledgerJobNames(jobs);
  const base = path.join(TMP, 'ledger-bench');
  const jobfile = path.join(base, 'jobs.yaml');
  const bigState = path.join(base, 'big');
  const smallState = path.join(base, 'small');
  mkdirSync(base, { recursive: true });
  writeFileSync(jobfile, ledgerJobfile(jobs));
  const report = [];

  progress(`ledger: generating ${String(jobs)} jobs x ${String(smallPerJob)} runs and ${String(jobs)} x ${String(bigPerJob)} runs (direct segment writes)`);
  const endMs = Date.now();
  const small = generateLedger(smallState, { jobs, runsPerJob: smallPerJob, endMs });
  const big = generateLedger(bigState, { jobs, runsPerJob: bigPerJob, endMs });
  const bigDisk = ledgerBytes(bigState);
  const smallDisk = ledgerBytes(smallState);
  if (bigDisk.bytes !== big.bytes) throw new CommandFailed(`generated ledger: ${String(bigDisk.bytes)} bytes on disk, expected ${String(big.bytes)}`);
  progress(`ledger: ${String(big.runs)} runs, ${String(big.lines)} lines, ${(big.bytes / 1e6).toFixed(0)} MB in ${String(big.segments)} segments, generated in ${(big.ms / 1000).toFixed(1)} s`);

  // Every status must list the 50 jobs, each with a last run (none "never ran").
  const checkStatus = (stdout) => {
    const rows = stdout.split('\n').filter((l) => names.some((n) => l.startsWith(`${n} `)));
    if (rows.length !== jobs) return `expected ${String(jobs)} job rows, got ${String(rows.length)}`;
    const never = rows.find((l) => l.includes('never ran') || l.includes('running'));
    return never === undefined ? undefined : `a job shows no finished last run: ${never}`;
  };
  const checkStatusJson = (stdout) => {
    let doc;
    try {
      doc = JSON.parse(stdout);
    } catch (error) {
      return `not JSON: ${String(error)}`;
    }
    if (doc.jobs?.length !== jobs) return `expected ${String(jobs)} jobs, got ${String(doc.jobs?.length)}`;
    return doc.jobs.every((j) => j.last !== null && j.recent.length > 0) ? undefined : 'a job has no last run or recent outcomes';
  };
  const historyJob = names[7];
  const checkHistory = (stdout) => {
    const rows = stdout.split('\n').filter((l) => l.includes(` ${historyJob} `));
    return rows.length === 20 ? undefined : `expected 20 runs of ${historyJob}, got ${String(rows.length)}`;
  };
  const cmd = (label, state, args, check) => ({ label, args: [TOCK, ...args, '-f', jobfile, '--state-dir', state], check });
  const shown = (c) => ctx.display(c).replaceAll(TMP, '<tmp>');
  const runs = ctx.timedRuns;

  // 1. status, human table, then --json: 1M-run ledger against the 1,000-run one, interleaved.
  let busy = waitQuiet();
  progress(`ledger: tock status at ${String(big.runs)} runs vs ${String(small.runs)} runs (${String(runs)} runs each after 3 warm-ups)`);
  const statusSmall = cmd(`tock status (${kilo(small.runs)}-run ledger)`, smallState, ['status'], checkStatus);
  const statusBig = cmd(`tock status (${kilo(big.runs)}-run ledger)`, bigState, ['status'], checkStatus);
  let r = interleave(statusSmall, statusBig, runs, 3);
  const ledgerNote = { runs: big.runs, lines: big.lines, bytes: big.bytes, segments: big.segments, small_runs: small.runs, small_segments: small.segments };
  addFigure({
    id: 'ledger-status-ratio', name: `status: ${kilo(big.runs)}-run ledger vs ${kilo(small.runs)}`,
    subject: shown(statusBig), baseline: shown(statusSmall), samples: r.subject, baseSamples: r.baseline,
    target: { kind: 'ratio', value: 1.2 }, busy, extra: { baseline_label: `status, ${kilo(small.runs)}-run ledger`, ledger: ledgerNote },
  });
  addFigure({
    id: 'ledger-status-ms', name: `status: ${kilo(big.runs)}-run ledger, end to end`,
    subject: shown(statusBig), baseline: undefined, samples: r.subject, baseSamples: undefined,
    target: { kind: 'ms', value: 300 }, busy, extra: { note: 'the same samples as ledger-status-ratio, against the absolute target', ledger: ledgerNote },
  });

  busy = waitQuiet();
  progress(`ledger: tock status --json at ${String(big.runs)} runs vs ${String(small.runs)} runs (${String(runs)} runs each)`);
  const jsonSmall = cmd(`tock status --json (${kilo(small.runs)}-run ledger)`, smallState, ['status', '--json'], checkStatusJson);
  const jsonBig = cmd(`tock status --json (${kilo(big.runs)}-run ledger)`, bigState, ['status', '--json'], checkStatusJson);
  r = interleave(jsonSmall, jsonBig, runs, 3);
  addFigure({
    id: 'ledger-status-json-ratio', name: `status --json: ${kilo(big.runs)} vs ${kilo(small.runs)}`,
    subject: shown(jsonBig), baseline: shown(jsonSmall), samples: r.subject, baseSamples: r.baseline,
    target: { kind: 'ratio', value: 1.2 }, busy, extra: { baseline_label: `status --json, ${kilo(small.runs)}-run ledger`, ledger: ledgerNote },
  });
  addFigure({
    id: 'ledger-status-json-ms', name: `status --json: ${kilo(big.runs)}, end to end`,
    subject: shown(jsonBig), baseline: undefined, samples: r.subject, baseSamples: undefined,
    target: { kind: 'ms', value: 300 }, busy, extra: { note: 'the same samples as ledger-status-json-ratio' },
  });

  // 2. history JOB --limit 20 on the big ledger (the small one alongside, for scale).
  busy = waitQuiet();
  progress(`ledger: tock history ${historyJob} --limit 20 at ${String(big.runs)} runs vs ${String(small.runs)} (${String(runs)} runs each)`);
  const histSmall = cmd(`tock history (${kilo(small.runs)}-run ledger)`, smallState, ['history', historyJob, '--limit', '20'], checkHistory);
  const histBig = cmd(`tock history (${kilo(big.runs)}-run ledger)`, bigState, ['history', historyJob, '--limit', '20'], checkHistory);
  r = interleave(histSmall, histBig, runs, 3);
  addFigure({
    id: 'ledger-history-ms', name: `history JOB --limit 20: ${kilo(big.runs)}-run ledger`,
    subject: shown(histBig), baseline: shown(histSmall), samples: r.subject, baseSamples: r.baseline,
    target: { kind: 'ms', value: 300 }, busy,
    extra: { baseline_label: `history, ${kilo(small.runs)}-run ledger`, note: 'baseline: the same command on the 1,000-run ledger, for scale (the target is the absolute median)' },
  });

  // None of those commands may have written to the ledgers (every generated run has finished).
  if (ledgerBytes(bigState).bytes !== big.bytes || ledgerBytes(smallState).bytes !== small.bytes) {
    throw new CommandFailed('status/history changed the generated ledger (it should only read it)');
  }

  // 3. The plain full read that status avoids.
  busy = waitQuiet();
  progress(`ledger: plain full read (readline + JSON.parse) of ${(big.bytes / 1e6).toFixed(0)} MB`);
  const full = await readAll(bigState);
  if (full.lines !== big.lines || full.runs !== big.runs) {
    throw new CommandFailed(`full read found ${String(full.lines)} lines and ${String(full.runs)} runs, expected ${String(big.lines)} and ${String(big.runs)}`);
  }

  // 4. Bytes per run: the generated ledger, and a real tock run of one of the same jobs.
  const realState = path.join(base, 'real');
  const realRuns = 3;
  for (let i = 0; i < realRuns; i++) {
    const res = spawnSync(ctx.NODE, [TOCK, 'run', names[0], '-f', jobfile, '--state-dir', realState], { cwd: ROOT, env: ctx.childEnv, encoding: 'utf8' });
    if (res.status !== 0) throw new CommandFailed(`tock run ${names[0]} (real ledger for bytes per run) exited ${String(res.status)}:\n${res.stdout}${res.stderr}`);
  }
  const realDisk = ledgerBytes(realState);
  const realLines = readdirSync(path.join(realState, 'ledger', names[0])).reduce((n, f) => n + readFileSync(path.join(realState, 'ledger', names[0], f), 'utf8').split('\n').filter(Boolean).length, 0);
  if (realLines !== realRuns * 4) throw new CommandFailed(`${String(realRuns)} real runs wrote ${String(realLines)} ledger lines, expected ${String(realRuns * 4)}`);
  const bytes = {
    generated_per_run: round(big.bytes / big.runs, 1),
    generated_per_4_line_run: round(big.fourLineBytes / big.fourLineRuns, 1),
    generated_4_line_share: round(big.fourLineRuns / big.runs, 4),
    real_per_run: round(realDisk.bytes / realRuns, 1),
    real_runs: realRuns,
    log_path_chars: path.join(bigState, 'logs', names[0], '20261121T021500Z-3fa9.log').length,
    note: 'every run-started and run-finished line holds the run log\'s absolute path (twice per run): a longer state-dir path costs 2 bytes per run per character',
  };

  // 5. Appending through JsonlLedger.append: one write(2) + fsync per event.
  const { JsonlLedger } = await import(pathToFileURL(path.join(ROOT, 'dist', 'io', 'jsonl-ledger.js')).href);
  const appendDir = path.join(base, 'append', 'ledger');
  const host = os.hostname();
  const startOf = (job, runId, at) => ({
    run_id: runId, job, logical_time: `${at.slice(0, 19)}.000Z`, trigger: 'schedule', started_at: at,
    log: path.join(base, 'append', 'logs', job, `${runId}.log`), host, pid: process.pid, pid_start: '214035',
    job_hash: '5930ceeae6c6ef35', jobfile_hash: '0250f031baca78ee',
  });
  const fourEvents = (i, at) => {
    const job = 'append-runs';
    const runId = `${at.slice(0, 19).replace(/[-:]/g, '')}Z-${(i & 0xffff).toString(16).padStart(4, '0')}`;
    const start = startOf(job, runId, at);
    const attempt = { n: 1, started_at: at, ended_at: at, exit_code: 0, signal: null, outcome: 'success' };
    return [
      { v: 1, type: 'run-started', at, job, run: start },
      { v: 1, type: 'attempt-started', at, job, run_id: runId, n: 1, pid: process.pid + 1 },
      { v: 1, type: 'attempt-finished', at, job, run_id: runId, attempt },
      { v: 1, type: 'run-finished', at, job, run: { ...start, outcome: 'success', ended_at: at, duration_ms: 12, exit_code: 0, signal: null, attempts: [attempt] } },
    ];
  };
  const oneRecord = (i, at) => [fourEvents(i, at)[3]].map((e) => ({ ...e, job: 'append-records', run: { ...e.run, job: 'append-records' } }));
  // Each against the floor: the same lines written and fsynced by hand, batches alternating.
  const fs = fsType(base);
  const appendFigure = (id, name, unit, what, eventsOf, fsyncsPerUnit, note) => {
    const busy = waitQuiet();
    progress(`ledger: appending ${what}, one write + fsync per event, vs the same by hand (~2 s or 10,000 each)`);
    const store = new JsonlLedger(appendDir);
    const raw = rawAppender(path.join(base, 'append', `raw-${id}.jsonl`));
    let tock;
    let floor;
    try {
      [tock, floor] = timeAppends([store, raw], eventsOf);
    } finally {
      store.close();
      raw.close();
    }
    addRateFigure({
      id, name, unit, subject: `JsonlLedger.append (${what})`, rates: tock.rates, overall: tock.rate, units: tock.units, ms: tock.ms,
      baseline: { command: 'writeSync + fsyncSync of the same lines on an O_APPEND fd', label: 'write+fsync by hand', rates: floor.rates, overall: floor.rate, units: floor.units, ms: floor.ms },
      target: { kind: 'rate', value: 5000 }, busy,
      extra: { fsyncs_per_s: round(tock.rate * fsyncsPerUnit, 0), floor_fsyncs_per_s: round(floor.rate * fsyncsPerUnit, 0), filesystem: fs, dir: '<tmp>/ledger-bench/append', ...(note !== undefined ? { note } : {}) },
    });
    return { tock, floor };
  };
  const perRun = appendFigure('ledger-append-runs', 'append: runs/s, 4 events + 4 fsyncs each', 'runs/s', 'runs of 4 events', fourEvents, 4);
  const perRecord = appendFigure('ledger-append-records', 'append: records/s, 1 run-finished + fsync', 'records/s', 'single run-finished records', oneRecord, 1,
    'for comparison with ledger-append-runs: the target is for runs, shown here for scale');

  const fig = (id) => ctx.figures.find((f) => f.id === id);
  const st = fig('ledger-status-ratio');
  const sj = fig('ledger-status-json-ratio');
  const hi = fig('ledger-history-ms');
  const total = { ...ledgerNote, generate_s: round(big.ms / 1000, 1), small_generate_s: round(small.ms / 1000, 2), small_bytes: smallDisk.bytes, outcomes: big.outcomes };
  const extras = {
    ledger: total,
    full_read: { ms: round(full.ms, 0), lines: full.lines, runs: full.runs, mb_per_s: round(big.bytes / 1e6 / (full.ms / 1000), 0), how: 'readline over every segment of every job, JSON.parse of every line, in the bench process' },
    bytes_per_run: bytes,
    append: { filesystem: fs, runs_per_s: round(perRun.tock.rate, 0), floor_runs_per_s: round(perRun.floor.rate, 0), records_per_s: round(perRecord.tock.rate, 0), floor_records_per_s: round(perRecord.floor.rate, 0), runs: perRun.tock.units, records: perRecord.tock.units },
  };
  report.push(
    `ledger: ${String(big.runs)} runs (${String(big.lines)} lines, ${(big.bytes / 1e6).toFixed(0)} MB, ${String(big.segments)} monthly segments over ${String(jobs)} jobs) vs ${String(small.runs)} runs (${String(small.segments)} segments); generated in ${(big.ms / 1000).toFixed(1)} s`,
    `  status         ${fmt(st.subject.median)} ms at ${kilo(big.runs)} vs ${fmt(st.baseline.median)} ms at ${kilo(small.runs)}: ${fmt(st.ratio, 2)}x (min ${fmt(st.ratio_of_mins, 2)}x)`,
    `  status --json  ${fmt(sj.subject.median)} ms at ${kilo(big.runs)} vs ${fmt(sj.baseline.median)} ms at ${kilo(small.runs)}: ${fmt(sj.ratio, 2)}x (min ${fmt(sj.ratio_of_mins, 2)}x)`,
    `  history ${historyJob} --limit 20: ${fmt(hi.subject.median)} ms at ${kilo(big.runs)} (${fmt(hi.baseline.median)} ms at ${kilo(small.runs)})`,
    `  plain full read (readline + JSON.parse, what status avoids): ${(full.ms / 1000).toFixed(2)} s for ${String(full.lines)} lines (${String(extras.full_read.mb_per_s)} MB/s)`,
    `  append (fsync per event, ${fs} under ${os.tmpdir()}): ${fmt(perRun.tock.rate, 0)} runs/s of 4 events (${fmt(perRun.tock.rate * 4, 0)} fsyncs/s; target >= 5000 runs/s); the same lines by hand: ${fmt(perRun.floor.rate, 0)} runs/s`,
    `    single run-finished records: ${fmt(perRecord.tock.rate, 0)}/s (by hand ${fmt(perRecord.floor.rate, 0)}/s)`,
    `  bytes per run: ${fmt(bytes.generated_per_run, 0)} on average in the generated ledger, ${fmt(bytes.generated_per_4_line_run, 0)} for a plain 4-line run; ${fmt(bytes.real_per_run, 0)} for a real \`tock run\` (log path ${String(bytes.log_path_chars)} chars)`,
  );

  if (!ctx.keep) rmSync(base, { recursive: true, force: true });
  return { report, extras };
}

function kilo(n) {
  return n >= 1e6 && n % 1e6 === 0 ? `${String(n / 1e6)}M` : n >= 1000 && n % 1000 === 0 ? `${String(n / 1000)}k` : String(n);
}
function round(x, d) {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}
function fmt(x, d = 1) {
  return x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d);
}

// `node bench/ledger.mjs gen STATE_DIR [RUNS]`: a generated ledger to look at or profile against.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [verb, dir, total] = process.argv.slice(2);
  if (verb !== 'gen' || dir === undefined) {
    console.error('usage: node bench/ledger.mjs gen STATE_DIR [RUNS]   (RUNS in all, over 50 jobs; default 1000000)');
    process.exit(2);
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'jobs.yaml'), ledgerJobfile());
  const res = generateLedger(dir, { runsPerJob: Math.max(1, Math.round(Number(total ?? 1_000_000) / LEDGER_JOBS)) });
  console.log(JSON.stringify({ ...res, jobfile: path.join(dir, 'jobs.yaml') }));
}
