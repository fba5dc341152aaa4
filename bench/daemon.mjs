// tock's daemon figures (bench/README.md, "The daemon"): fire latency of an every-second job
// against a bare Node timer and Debian's cron, idle cost of 1,000 far-apart jobs against a bare
// Node process, and start-up with 10,000 jobs until the first instant is armed.
//
// Called from bench/run.mjs (skip with --no-daemon). Standalone, it runs only these figures and
// prints the report (no results.json):
//
//   node bench/daemon.mjs [--cron-minutes N] [--firings N] [--idle-settle S] [--startup-runs N] [--cron-phase S]
//
// --cron-minutes N  minute boundaries of Debian cron to measure (default 2; 0 skips cron)
// --firings N       every-second firings of tock's job to count (default 62, plus 1 dropped)
// --idle-settle S   seconds between starting the idle daemons and the 60 s window (default 10)
// --startup-runs N  daemon starts with 10,000 jobs (default 5, after 1 warm-up)
// --cron-phase S    sub-second at which cron is started (default 0.25): cron wakes at 1 s + this
//                   after each minute, so this sets most of its latency (perf-baseline.md 1)
//
// Timeline (about 2.5 minutes with the defaults; waits overlap, see bench/README.md):
//   t=0      the idle daemon (1,000 jobs) and a bare node start together; cron is installed if
//            absent and started at the chosen sub-second, with an /etc/cron.d line for every minute
//   t=10 s   the 60 s idle window starts; tock's fire-latency daemon (every second, on the whole
//            second) and the bare-timer baseline (every second, at .500) start alongside
//   t=70 s   the idle window ends and the idle daemons are stopped
//   t=~75 s  the fire-latency daemons are stopped; then the start-up runs, while cron waits for
//            its minutes; then the in-process breakdown; then cron is stopped, its file removed
//
// Usage inside the helper child (fresh process, cold), printed as JSON:
//   node --expose-gc bench/daemon.mjs --breakdown JOBFILE STATE_DIR
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runStandalone } from './standalone.mjs';
import { pct, r3, round, summary as summarize } from './stats.mjs';

// The daemon's figures report p99 too (the fire-latency aim is on it).
const summary = (samples) => summarize(samples, { p99: true });

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH);
const TOCK_BIN = path.join(ROOT, 'bin', 'tock.js');

// ---------------------------------------------------------------------------------------------
// Jobfiles

/** A month about half a year away: `M H 1 <it> *` is then months in the future. */
function farMonth(now = new Date()) {
  return ((now.getUTCMonth() + 6) % 12) + 1;
}

/** 1,000 (or n) jobs that fire once a year on the 1st of a far month, each at its own minute. */
export function idleJobfile(n, now = new Date()) {
  const month = farMonth(now);
  const lines = ['# bench/daemon.mjs: idle cost, jobs far in the future', 'version: 1', 'jobs:'];
  for (let i = 0; i < n; i++) {
    lines.push(`  idle-${String(i).padStart(4, '0')}:`, `    schedule: "${String(i % 60)} ${String(Math.floor(i / 60) % 24)} 1 ${String(month)} *"`, '    command: ["true"]');
  }
  return `${lines.join('\n')}\n`;
}

const ZONES = ['UTC', 'Europe/London', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney', 'Europe/Berlin', 'America/Los_Angeles'];

/**
 * n jobs, each with its own schedule, spread over minutes, hours, weekdays and days of the month:
 * 5- and 6-field cron, macros and @every; a quarter in their own zone; string and argv commands,
 * some with retries and timeouts.
 */
export function spreadJobfile(n) {
  const lines = ['# bench/daemon.mjs: start-up, jobs with spread schedules', 'version: 1', 'timezone: UTC', 'jobs:'];
  const macros = ['@hourly', '@daily', '@weekly', '@monthly'];
  for (let i = 0; i < n; i++) {
    const m = i % 60;
    const h = Math.floor(i / 60) % 24;
    let schedule;
    switch (i % 8) {
      case 0: schedule = `${String(m)} ${String(h)} * * *`; break;
      case 1: schedule = `${String(m)} * * * *`; break;
      case 2: schedule = `*/${String([5, 10, 15, 20, 30][i % 5])} ${String(h)} * * *`; break;
      case 3: schedule = `${String((i * 7) % 60)} ${String(m)} ${String(h)} * * *`; break;
      case 4: schedule = `${String(m)} ${String(h)} * * ${['1-5', '0', '6', '1,3,5'][i % 4]}`; break;
      case 5: schedule = `${String(m)} ${String(h)} ${String(1 + (i % 28))} * *`; break;
      case 6: schedule = i % 3 === 0 ? `@every ${String(5 + (i % 115))}m` : macros[i % 4]; break;
      default: schedule = `${String(m)} ${String(h % 12)},${String((h % 12) + 12)} * * *`;
    }
    const name = `job-${String(i).padStart(5, '0')}`;
    lines.push(`  ${name}:`, `    schedule: "${schedule}"`);
    if (i % 4 === 1) lines.push(`    timezone: ${ZONES[i % ZONES.length]}`);
    lines.push(i % 2 === 0 ? `    command: ["/usr/local/bin/job", "--n", "${String(i)}"]` : `    command: "/usr/local/bin/job ${String(i)} >> /var/log/job.log 2>&1"`);
    if (i % 5 === 0) lines.push('    retries: 2', '    retry_delay: 30s');
    if (i % 3 === 0) lines.push('    timeout: 15m');
  }
  return `${lines.join('\n')}\n`;
}

/** The job the fire latency is measured with: date records its instant and its own start time. */
function fireJobfile(out) {
  const command = `date "+$TOCK_LOGICAL_TIME %s.%N" >> '${out}'`;
  return ['version: 1', 'jobs:', '  tick:', '    schedule: "* * * * * *"', '    concurrency: allow', `    command: ${JSON.stringify(command)}`, ''].join('\n');
}

// ---------------------------------------------------------------------------------------------
const fmt = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));
const median = (xs) => pct([...xs].sort((a, b) => a - b), 0.5);

// ---------------------------------------------------------------------------------------------
// Processes

const live = new Set();
let cronFile;

function track(child) {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

function exited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. */
async function stop(child, graceMs = 10_000) {
  if (!exited(child)) {
    const done = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = sleep(graceMs).then(() => 'timeout');
    if ((await Promise.race([done, timer])) === 'timeout' && !exited(child)) {
      child.kill('SIGKILL');
      await done;
      return { code: child.exitCode, signal: child.signalCode, killed: true };
    }
  }
  return { code: child.exitCode, signal: child.signalCode, killed: false };
}

/** On any exit (Ctrl-C included): no daemon left behind, no cron.d line left in place. */
function emergencyCleanup() {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  if (cronFile !== undefined) rmSync(cronFile, { force: true });
}

/**
 * `tock daemon --log-format json` with its stderr parsed line by line. Each event gets `at`: ms
 * since the spawn call (hrtime, the bench's clock). `until(pred)` resolves with the first event
 * matching it (also one already seen).
 */
function startDaemon(ctx, jobfile, stateDir) {
  const events = [];
  const waiters = [];
  let stderrTail = '';
  const t0 = process.hrtime.bigint();
  const child = track(spawn(ctx.NODE, [TOCK_BIN, 'daemon', '-f', jobfile, '--state-dir', stateDir, '--log-format', 'json'], {
    cwd: ROOT, env: ctx.childEnv, stdio: ['ignore', 'ignore', 'pipe'],
  }));
  let partial = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    const at = Number(process.hrtime.bigint() - t0) / 1e6;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop();
    for (const line of lines) {
      stderrTail = `${stderrTail}${line}\n`.slice(-4000);
      let ev;
      try {
        ev = JSON.parse(line);
      } catch {
        ev = { event: 'text', line };
      }
      ev.at = at;
      events.push(ev);
      for (const w of [...waiters]) {
        if (w.pred(ev)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(ev);
        }
      }
    }
  });
  const gone = new Promise((resolve) => child.once('exit', resolve));
  const until = (pred, timeoutMs, what) => {
    const seen = events.find(pred);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve };
      waiters.push(w);
      sleep(timeoutMs).then(() => {
        if (waiters.includes(w)) {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new ctx.CommandFailed(`tock daemon: no ${what} within ${String(timeoutMs / 1000)} s:\n${stderrTail}`));
        }
      });
      gone.then(() => {
        if (waiters.includes(w)) {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new ctx.CommandFailed(`tock daemon exited (code ${String(child.exitCode)}, signal ${String(child.signalCode)}) before ${what}:\n${stderrTail}`));
        }
      });
    });
  };
  const finish = async () => {
    const how = await stop(child);
    if (how.killed || how.code !== 0) {
      throw new ctx.CommandFailed(`tock daemon did not stop cleanly on SIGTERM (code ${String(how.code)}, signal ${String(how.signal)}${how.killed ? ', killed after 10 s' : ''}):\n${stderrTail}`);
    }
    return how;
  };
  return { child, pid: child.pid, events, until, finish };
}

// ---------------------------------------------------------------------------------------------
// /proc

let clkTck;
function ticksPerSecond() {
  if (clkTck === undefined) {
    const res = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    clkTck = Number.parseInt(res.stdout, 10) || 100;
  }
  return clkTck;
}

/** CPU (ticks and schedstat), memory and wake-ups of a process, from /proc. */
function procSample(pid) {
  const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15)
  let schedNs = 0;
  let volAll = 0;
  const tasks = readdirSync(`/proc/${String(pid)}/task`);
  for (const tid of tasks) {
    try {
      schedNs += Number(readFileSync(`/proc/${String(pid)}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      volAll += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync(`/proc/${String(pid)}/task/${tid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // a thread that ended between the listing and the read
    }
  }
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return {
    cpuTicksMs: (ticks * 1000) / ticksPerSecond(),
    schedMs: schedNs / 1e6,
    rssMiB: kb('VmRSS') / 1024,
    hwmMiB: kb('VmHWM') / 1024,
    wakesMain: kb('voluntary_ctxt_switches'),
    wakesAll: volAll,
    threads: tasks.length,
  };
}

function procDelta(a, b) {
  return {
    cpu_ms_schedstat: round(b.schedMs - a.schedMs, 3),
    cpu_ms_ticks: round(b.cpuTicksMs - a.cpuTicksMs, 0),
    wakes_main_thread: b.wakesMain - a.wakesMain,
    wakes_all_threads: b.wakesAll - a.wakesAll,
    rss_mib: round(b.rssMiB, 1),
    rss_mib_at_start: round(a.rssMiB, 1),
    hwm_mib: round(b.hwmMiB, 1),
    threads: b.threads,
  };
}

// ---------------------------------------------------------------------------------------------
// Debian cron

function which(bin) {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin']) {
    if (dir !== '' && existsSync(path.join(dir, bin))) return path.join(dir, bin);
  }
  return undefined;
}

/** Pids of running processes called `cron`. */
function cronPids() {
  const out = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'cron') out.push(Number(pid));
    } catch {
      // gone
    }
  }
  return out;
}

/** cron's binary, installing the package when absent (root and apt-get only); or why not. */
function prepareCron(ctx) {
  if (process.platform !== 'linux') return { skip: `not Linux (${process.platform})` };
  if (process.getuid?.() !== 0) return { skip: 'needs root (an /etc/cron.d file and a second cron daemon)' };
  let bin = which('cron');
  let installed = null;
  if (bin === undefined) {
    if (which('apt-get') === undefined) return { skip: 'cron is not installed and there is no apt-get to install it' };
    ctx.progress('daemon: cron is not installed: apt-get install -y cron');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'cron'], { env, encoding: 'utf8', timeout: 300_000 });
    let res = install();
    if (res.status !== 0) {
      ctx.progress('daemon: apt-get install failed; apt-get update, then again');
      spawnSync('apt-get', ['update'], { env, encoding: 'utf8', timeout: 300_000 });
      res = install();
    }
    bin = which('cron');
    if (res.status !== 0 || bin === undefined) return { skip: `cron is not installed and apt-get install cron failed: ${String(res.stderr ?? res.error?.message ?? '').trim().split('\n').slice(-2).join(' / ')}` };
    installed = 'installed by this bench run (apt-get install -y --no-install-recommends cron)';
  }
  if (!existsSync('/etc/cron.d')) return { skip: 'no /etc/cron.d' };
  const version = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'cron'], { encoding: 'utf8' }).stdout?.trim() || 'unknown';
  return { bin, version, installed, running: cronPids() };
}

/**
 * Starts `cron -f -L 0` at sub-second `phase` (or uses a cron already running), with a line
 * in /etc/cron.d that appends `date +%s.%N` every minute. `collect()` waits for `minutes` lines.
 */
async function startCron(ctx, prep, dir, minutes, phase) {
  const log = path.join(dir, 'cron-fire.log');
  writeFileSync(log, '');
  cronFile = `/etc/cron.d/tock-bench-fire-${String(process.pid)}`;
  writeFileSync(cronFile, `# tock bench/daemon.mjs: removed when the bench ends\n* * * * * root date +\\%s.\\%N >> ${log}\n`);
  chmodSync(cronFile, 0o644);
  const fileAt = Date.now();
  let child;
  let startedAt;
  let note;
  if (prep.running.length > 0) {
    note = `used the cron already running (pid ${prep.running.join(', ')}); its start phase is not the bench's`;
  } else {
    // cron wakes 1 s + its start's sub-second after each minute: start it at `phase`.
    const wait = (((phase * 1000 - (Date.now() % 1000)) % 1000) + 1000) % 1000;
    await sleep(wait);
    startedAt = Date.now();
    let stderr = '';
    child = track(spawn(prep.bin, ['-f', '-L', '0'], { stdio: ['ignore', 'ignore', 'pipe'] }));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c) => { stderr += c; });
    await sleep(500);
    if (exited(child)) {
      rmSync(cronFile, { force: true });
      cronFile = undefined;
      return { skip: `cron -f -L 0 exited at once (code ${String(child.exitCode)}): ${stderr.trim()}` };
    }
  }
  // A minute boundary counts if cron could have seen the file by then (it rereads /etc/cron.d
  // each minute; a cron started here reads it at start).
  const firstBoundary = Math.ceil((fileAt + 1000) / 60_000) * 60_000;
  const read = () => readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => {
    const [sec, frac = '0'] = l.trim().split('.');
    const ns = BigInt(sec) * 1_000_000_000n + BigInt(frac.padEnd(9, '0').slice(0, 9));
    const minuteNs = (ns / 60_000_000_000n) * 60_000_000_000n;
    return { boundaryMs: Number(minuteNs / 1_000_000n), latencyMs: Number(ns - minuteNs) / 1e6 };
  });
  const deadline = firstBoundary + minutes * 60_000 + 30_000;
  const collect = async () => {
    let got = read();
    while (got.length < minutes && Date.now() < deadline) {
      await sleep(500);
      got = read();
    }
    return got;
  };
  const finish = async () => {
    if (child !== undefined) await stop(child, 5000);
    rmSync(cronFile, { force: true });
    cronFile = undefined;
  };
  return { log, startedAt, note, collect, finish, expectedDoneAt: firstBoundary + (minutes - 1) * 60_000 + 3000 };
}

// ---------------------------------------------------------------------------------------------
// Fire latency: the file of "<logical time> <epoch s.ns>" lines

function readFireLog(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => {
    const [iso, stamp] = line.trim().split(' ');
    const instantMs = Date.parse(iso);
    const [sec, frac = '0'] = stamp.split('.');
    const ns = BigInt(sec) * 1_000_000_000n + BigInt(frac.padEnd(9, '0').slice(0, 9));
    return { iso, instantMs, latencyMs: Number(ns - BigInt(instantMs) * 1_000_000n) / 1e6 };
  }).sort((a, b) => a.instantMs - b.instantMs);
}

/** Where each firing's time went, from the daemon's own log lines (ms resolution). */
function fireStages(events, instants) {
  const byInstant = new Map(instants.map((ms) => [ms, {}]));
  const runOf = new Map();
  for (const ev of events) {
    const t = Date.parse(ev.time);
    if (ev.event === 'fired' || ev.event === 'run-started') {
      const s = byInstant.get(Date.parse(ev.logical_time));
      if (s === undefined) continue;
      s[ev.event] ??= t;
      if (ev.event === 'run-started') runOf.set(ev.run, s);
    } else if (ev.event === 'attempt-started' || ev.event === 'run-finished') {
      const s = runOf.get(ev.run);
      if (s !== undefined) s[ev.event] ??= t;
    }
  }
  const stage = (from, to) => instants.map((ms) => {
    const s = byInstant.get(ms);
    const a = from === 'instant' ? ms : s[from];
    return a !== undefined && s[to] !== undefined ? s[to] - a : undefined;
  }).filter((x) => x !== undefined);
  return {
    instant_to_fired: summary(stage('instant', 'fired')),
    fired_to_run_started: summary(stage('fired', 'run-started')),
    run_started_to_attempt_started: summary(stage('run-started', 'attempt-started')),
    instant_to_attempt_started: summary(stage('instant', 'attempt-started')),
  };
}

// ---------------------------------------------------------------------------------------------
// The dedupe check on the fire path, against an hour of every-second history

/**
 * Before each scheduled run, tock checks the job's ledger for a success at the same logical time
 * (JsonlLedger.hasSuccess), reading back an hour of the job's events. The fire-latency run sees
 * at most a minute of history; this times the check in-process on that ledger and on one with an
 * hour of every-second runs (3,600, made from the real run's lines with shifted times), for an
 * instant not yet run (the whole hour is read).
 */
async function dedupeCost(ctx, fireState, dir) {
  const { JsonlLedger } = await import(pathToFileURL(path.join(ROOT, 'dist', 'io', 'jsonl-ledger.js')).href);
  const segDir = path.join(fireState, 'ledger', 'tick');
  const lines = readdirSync(segDir).filter((f) => f.endsWith('.jsonl')).sort()
    .flatMap((f) => readFileSync(path.join(segDir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)));
  const tpl = lines.slice(0, 4);
  if (tpl.map((e) => e.type).join(',') !== 'run-started,attempt-started,attempt-finished,run-finished') {
    throw new ctx.CommandFailed(`dedupe: the fire job's first ledger lines are ${tpl.map((e) => e.type).join(',')}, not one whole run`);
  }
  const iso = (ms) => new Date(ms).toISOString();
  const time = (store, at, expect) => {
    const samples = [];
    for (let i = 0; i < 11; i++) {
      const t0 = process.hrtime.bigint();
      const found = store.hasSuccess('tick', at);
      samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (found !== expect) throw new ctx.CommandFailed(`dedupe: hasSuccess(tick, ${at}) returned ${String(found)}, expected ${String(expect)}`);
    }
    return { first_ms: r3(samples[0]), median_ms: r3(median(samples.slice(1))) };
  };
  const now = Math.floor(Date.now() / 1000) * 1000 + 1000;
  const real = time(new JsonlLedger(path.join(fireState, 'ledger')), iso(now), false);
  const runs = 3600;
  const base = Date.parse(tpl[0].run.logical_time);
  const bySegment = new Map();
  for (let k = runs; k >= 1; k--) {
    const logical = now - k * 1000;
    const shift = (s) => iso(Date.parse(s) - base + logical);
    const runId = `${iso(logical).slice(0, 19).replace(/[-:]/g, '')}Z-${(k & 0xffff).toString(16).padStart(4, '0')}`;
    for (const ev of tpl) {
      const e = structuredClone(ev);
      e.at = shift(e.at);
      if (e.run !== undefined) {
        Object.assign(e.run, { run_id: runId, logical_time: iso(logical), started_at: shift(e.run.started_at) });
        if (e.run.ended_at !== undefined) e.run.ended_at = shift(e.run.ended_at);
      } else {
        e.run_id = runId;
      }
      const month = e.at.slice(0, 7);
      if (!bySegment.has(month)) bySegment.set(month, []);
      bySegment.get(month).push(JSON.stringify(e));
    }
  }
  mkdirSync(path.join(dir, 'tick'), { recursive: true });
  let bytes = 0;
  for (const [month, ls] of bySegment) {
    const text = `${ls.join('\n')}\n`;
    bytes += Buffer.byteLength(text);
    writeFileSync(path.join(dir, 'tick', `${month}.jsonl`), text);
  }
  const store = new JsonlLedger(dir);
  const hour = time(store, iso(now), false);
  time(store, iso(now - 1000), true); // and the newest run is found
  return { real_runs: lines.filter((e) => e.type === 'run-finished').length, real, hour_runs: runs, hour_bytes: bytes, hour };
}

// ---------------------------------------------------------------------------------------------
// The figures

/**
 * ctx: { TMP, NODE, childEnv, figures, waitQuiet, progress, CommandFailed, display, keep,
 *        cronMinutes, firings, idleSettleS, startupRuns, cronPhase, idleWindowS }
 * Pushes figures into ctx.figures; returns { report: string[], extras }.
 */
export async function daemonFigures(ctx) {
  const base = mkdtempSync(path.join(ctx.TMP, 'daemon-'));
  const { progress, CommandFailed } = ctx;
  const cronMinutes = ctx.cronMinutes ?? 2;
  const firings = ctx.firings ?? 62;
  const settleMs = (ctx.idleSettleS ?? 10) * 1000;
  const windowMs = (ctx.idleWindowS ?? 60) * 1000;
  const startupRuns = ctx.startupRuns ?? 5;
  const cronPhase = ctx.cronPhase ?? 0.25;
  const idleJobs = 1000;
  const startupJobs = 10_000;
  process.once('exit', emergencyCleanup);
  const report = [];
  const extras = {};
  let cron;
  const running = [];
  try {
    const busy = ctx.waitQuiet();

    // Jobfiles.
    const fireLog = path.join(base, 'fire.log');
    const fireFile = path.join(base, 'fire.yaml');
    writeFileSync(fireFile, fireJobfile(fireLog));
    const baseLog = path.join(base, 'baseline-fire.log');
    const idleFile = path.join(base, 'idle.yaml');
    writeFileSync(idleFile, idleJobfile(idleJobs));
    const spreadFile = path.join(base, 'spread.yaml');
    const spreadText = spreadJobfile(startupJobs);
    writeFileSync(spreadFile, spreadText);

    // Debian cron: installed if absent (before anything is timed: apt-get takes a while).
    let cronPrep = { skip: '--cron-minutes 0' };
    if (cronMinutes > 0) {
      progress('daemon: Debian cron: checking it is installed');
      cronPrep = prepareCron(ctx);
      if (cronPrep.skip !== undefined) progress(`daemon: Debian cron skipped: ${cronPrep.skip}`);
    }

    // t=0: the idle daemon and a bare node, started together.
    progress(`daemon: idle cost: tock daemon with ${String(idleJobs)} jobs far apart and a bare node, ${String(settleMs / 1000)} s settle + ${String(windowMs / 1000)} s window`);
    const idleStart = Date.now();
    const idle = startDaemon(ctx, idleFile, path.join(base, 'idle-state'));
    running.push(idle.child);
    const bare = track(spawn(ctx.NODE, ['-e', 'setInterval(()=>{}, 2**30)'], { env: ctx.childEnv, stdio: 'ignore' }));
    running.push(bare);
    const idleArmed = await idle.until((e) => e.event === 'armed', 60_000, 'armed line (idle daemon)');

    // Cron, at its phase, while the idle daemons settle.
    if (cronPrep.skip === undefined) {
      progress(`daemon: Debian cron ${cronPrep.version}: /etc/cron.d line every minute, cron -f -L 0 started at sub-second .${String(Math.round(cronPhase * 1000)).padStart(3, '0')}, ${String(cronMinutes)} minute boundaries (in the background)`);
      cron = await startCron(ctx, cronPrep, base, cronMinutes, cronPhase);
      if (cron.skip !== undefined) {
        progress(`daemon: Debian cron skipped: ${cron.skip}`);
        cronPrep = { skip: cron.skip };
        cron = undefined;
      }
    }
    await sleep(Math.max(0, idleStart + settleMs - Date.now()));

    // t=settle: the idle window, with the fire-latency daemons alongside.
    const idleA = procSample(idle.pid);
    const bareA = procSample(bare.pid);
    const windowStart = Date.now();
    const idleEventsBefore = idle.events.length;
    progress(`daemon: fire latency: tock daemon, one job "* * * * * *" via /bin/sh, ${String(firings)} firings + 1 dropped; bare-timer baseline at .500 alongside`);
    const fire = startDaemon(ctx, fireFile, path.join(base, 'fire-state'));
    running.push(fire.child);
    const baseline = track(spawn(ctx.NODE, [path.join(BENCH, 'baseline-timer-spawn.mjs'), baseLog, String(firings + 1), '500'], { env: ctx.childEnv, stdio: 'ignore' }));
    running.push(baseline);
    const baselineDone = new Promise((resolve) => baseline.once('exit', resolve));
    // tock's CPU per firing, after its start-up: from the end of its first run to the end.
    await fire.until((e) => e.event === 'run-finished', 30_000, 'first run-finished line');
    const fireCpuA = procSample(fire.pid);
    const fireRunsA = fire.events.filter((e) => e.event === 'run-finished').length;

    await sleep(Math.max(0, windowStart + windowMs - Date.now()));
    const idleB = procSample(idle.pid);
    const bareB = procSample(bare.pid);
    const idleWindowEvents = idle.events.slice(idleEventsBefore).map((e) => e.event);
    await idle.finish();
    await stop(bare);

    // Fire latency: wait for the firings, then stop.
    const fireDeadline = Date.now() + (firings + 1) * 1000 + 20_000;
    while (readFireLog(fireLog).length < firings + 1 && Date.now() < fireDeadline) await sleep(250);
    const fireCpuB = procSample(fire.pid);
    const fireRunsB = fire.events.filter((e) => e.event === 'run-finished').length;
    await fire.finish();
    const dedupe = await dedupeCost(ctx, path.join(base, 'fire-state'), path.join(base, 'dedupe-ledger'));
    await Promise.race([baselineDone, sleep(5000)]);
    await stop(baseline);
    const fireLines = readFireLog(fireLog);
    const baseLines = readFireLog(baseLog);
    if (fireLines.length < firings + 1) throw new CommandFailed(`tock daemon: only ${String(fireLines.length)} of ${String(firings + 1)} firings were recorded in ${String(Math.round((firings + 21)))} s`);
    const counted = fireLines.slice(1, firings + 1);
    const lat = summary(counted.map((x) => x.latencyMs));
    const baseCounted = baseLines.slice(1, firings + 1);
    const baseLat = summary(baseCounted.map((x) => x.latencyMs));
    const missedInstants = (counted.at(-1).instantMs - counted[0].instantMs) / 1000 + 1 - counted.length;
    const stages = fireStages(fire.events, counted.map((x) => x.instantMs));
    const fireCpuPerFiring = (fireCpuB.schedMs - fireCpuA.schedMs) / Math.max(1, fireRunsB - fireRunsA);

    const fireFig = {
      id: 'daemon-fire-latency', name: 'daemon: fire latency, median', command: 'tock daemon, job "* * * * * *": date "+$TOCK_LOGICAL_TIME %s.%N" >> FILE (via /bin/sh)',
      unit: 'ms', subject: lat,
      baseline: { command: 'node bench/baseline-timer-spawn.mjs (setTimeout + spawn /bin/sh -c, same command)', ...baseLat },
      baseline_label: 'node timer+sh spawn', ratio: round(lat.median / baseLat.median, 3),
      target: { kind: 'ms', value: 5, text: '< 5 ms' }, meets: lat.median < 5, ratio_of_mins: round(lat.min / baseLat.min, 3), cpu_busy_pct_before: busy,
      stages, missed_instants: missedInstants,
      note: 'latency = the job\'s date +%s.%N minus its TOCK_LOGICAL_TIME; the first firing dropped; the baseline fires at .500 of each second, tock at .000, so they never overlap; the idle window and cron ran alongside (see README)',
    };
    const p99Fig = {
      ...fireFig, id: 'daemon-fire-latency-p99', name: 'daemon: fire latency, p99', show: 'p99',
      target: { kind: 'ms', value: 20, text: '< 20 ms (p99)' }, meets: lat.p99 < 20, ratio: round(lat.p99 / baseLat.p99, 3), stages: undefined,
      note: `p99 of ${String(lat.n)} samples (interpolated between the two largest)`,
    };
    ctx.figures.push(fireFig, p99Fig);

    // Idle figures.
    const idleD = procDelta(idleA, idleB);
    const bareD = procDelta(bareA, bareB);
    const idleNote = `${String(settleMs / 1000)} s after start, over ${String(windowMs / 1000)} s; tock's fire-latency daemon and cron ran alongside (other processes: only contention, not counted in this one's CPU)`;
    ctx.figures.push({
      id: 'daemon-idle-cpu', name: `daemon: idle CPU, ${String(idleJobs)} jobs`, command: `tock daemon, ${String(idleJobs)} jobs "M H 1 ${String(farMonth())} *"`,
      unit: 'ms', subject: summary([idleD.cpu_ms_schedstat]),
      baseline: { command: 'node -e "setInterval(()=>{}, 2**30)"', ...summary([bareD.cpu_ms_schedstat]) }, baseline_label: 'bare node',
      ratio: null, target: { kind: 'ms', value: 10, text: `< 10 ms / ${String(windowMs / 1000)} s` }, meets: idleD.cpu_ms_schedstat < 10, ratio_of_mins: null, cpu_busy_pct_before: busy,
      window_s: windowMs / 1000, settle_s: settleMs / 1000, tock: idleD, bare: bareD, events_in_window: idleWindowEvents,
      note: `CPU ms over the window: sum of /proc/PID/task/*/schedstat (ns); ticks from /proc/PID/stat in tock.cpu_ms_ticks; ${idleNote}`,
    });
    ctx.figures.push({
      id: 'daemon-idle-rss', name: `daemon: idle RSS, ${String(idleJobs)} jobs`, command: `tock daemon, ${String(idleJobs)} jobs`,
      unit: 'MiB', subject: summary([idleD.rss_mib]),
      baseline: { command: 'node -e "setInterval(()=>{}, 2**30)"', ...summary([bareD.rss_mib]) }, baseline_label: 'bare node',
      ratio: round(idleD.rss_mib / bareD.rss_mib, 3), target: { kind: 'ratio', value: 1.25, text: '<= 1.25x' }, meets: idleD.rss_mib / bareD.rss_mib <= 1.25,
      ratio_of_mins: null, cpu_busy_pct_before: busy, tock: idleD, bare: bareD,
      note: `VmRSS at the end of the window (VmHWM in tock.hwm_mib); both started together; ${idleNote}`,
    });

    // Start-up with 10,000 jobs, interleaved with `tock validate` of the same file.
    ctx.waitQuiet();
    progress(`daemon: start-up with ${String(startupJobs)} jobs until the first instant is armed, vs tock validate of the same file (${String(startupRuns)} runs each after 1 warm-up)${cron !== undefined ? '; cron waits for its minutes meanwhile' : ''}`);
    const validate = { label: 'tock validate (10,000 jobs)', args: [TOCK_BIN, 'validate', '-f', spreadFile, '--state-dir', path.join(base, 'validate-state')], expectStdout: new RegExp(`^ok: ${String(startupJobs)} jobs`, 'm') };
    const nodeE0 = { label: 'node -e 0', args: ['-e', '0'] };
    const armed = [];
    const started = [];
    const validateMs = [];
    const nodeMs = [];
    let armedEvent;
    for (let i = 0; i < startupRuns + 1; i++) {
      const order = i % 2 === 0 ? ['validate', 'daemon'] : ['daemon', 'validate'];
      for (const what of order) {
        if (what === 'validate') {
          const ms = timeSync(ctx, validate);
          const n0 = timeSync(ctx, nodeE0);
          if (i > 0) {
            validateMs.push(ms);
            nodeMs.push(n0);
          }
          continue;
        }
        const stateDir = path.join(base, `startup-${String(i)}`);
        const d = startDaemon(ctx, spreadFile, stateDir);
        running.push(d.child);
        const s = await d.until((e) => e.event === 'started', 60_000, 'started line');
        const a = await d.until((e) => e.event === 'armed', 60_000, 'armed line');
        await d.finish();
        rmSync(stateDir, { recursive: true, force: true });
        if (s.jobs !== startupJobs) throw new CommandFailed(`tock daemon started with ${String(s.jobs)} jobs, expected ${String(startupJobs)}`);
        armedEvent = a;
        if (i > 0) {
          armed.push(a.at);
          started.push(s.at);
        }
      }
    }
    const armedS = summary(armed);
    const valS = summary(validateMs);
    ctx.figures.push({
      id: 'daemon-startup-armed', name: `daemon: start-up, ${String(startupJobs / 1000)}k jobs, to armed`, command: `tock daemon -f <${String(startupJobs)} jobs> --log-format json: spawn to the first "armed" line`,
      unit: 'ms', subject: armedS, baseline: { command: ctx.display(validate).replaceAll(ctx.TMP, '<tmp>'), ...valS }, baseline_label: 'tock validate, same file',
      ratio: round(armedS.median / valS.median, 3), target: { kind: 'ms', value: 1000, text: '< 1000 ms' }, meets: armedS.median < 1000,
      ratio_of_mins: round(armedS.min / valS.min, 3), cpu_busy_pct_before: null,
      started: summary(started), node_e_0: summary(nodeMs), jobfile: { jobs: startupJobs, bytes: Buffer.byteLength(spreadText), lines: spreadText.split('\n').length - 1 },
      first_armed: { job: armedEvent.job, logical_time: armedEvent.logical_time },
      note: 'a fresh state dir per start; wall time from spawn() to the line arriving on the bench\'s pipe; the baseline is `tock validate` of the same file (the validation the daemon also does), for comparison',
    });

    // Where the start-up time goes: a fresh process doing the daemon's steps one by one.
    progress('daemon: start-up breakdown: import, validateText, openLedger, nextFire for every job (3 fresh processes each, 10,000 and 1,000 jobs)');
    const breakdown = (file, jobs) => {
      const runs = [];
      for (let i = 0; i < 3; i++) {
        const stateDir = path.join(base, `breakdown-${String(jobs)}-${String(i)}`);
        const res = spawnSync(ctx.NODE, ['--expose-gc', fileURLToPath(import.meta.url), '--breakdown', file, stateDir], { cwd: ROOT, env: ctx.childEnv, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
        rmSync(stateDir, { recursive: true, force: true });
        if (res.status !== 0) throw new CommandFailed(`start-up breakdown failed:\n${res.stdout}${res.stderr}`);
        const doc = JSON.parse(res.stdout);
        if (doc.jobs !== jobs) throw new CommandFailed(`breakdown: validateText found ${String(doc.jobs)} jobs, expected ${String(jobs)}`);
        runs.push(doc);
      }
      const keys = Object.keys(runs[0].ms);
      return {
        ms: Object.fromEntries(keys.map((k) => [k, round(median(runs.map((r) => r.ms[k])), 1)])),
        memory_mib: runs[0].memory_mib,
        schedules: runs[0].schedules,
      };
    };
    const bd10k = breakdown(spreadFile, startupJobs);
    const bd1k = breakdown(idleFile, idleJobs);

    // Cron: wait for its minutes, then stop it and remove its line.
    let cronResult = { skipped: cronPrep.skip ?? null };
    if (cron !== undefined) {
      const left = Math.max(0, cron.expectedDoneAt - Date.now());
      if (left > 1000) progress(`daemon: waiting ~${String(Math.round(left / 1000))} s more for cron's ${String(cronMinutes)} minute boundaries`);
      const got = await cron.collect();
      const cronStartedAt = cron.startedAt;
      const cronNote = cron.note ?? null;
      await cron.finish();
      cron = undefined;
      const s = summary(got.map((x) => x.latencyMs));
      cronResult = {
        skipped: null, version: cronPrep.version, installed: cronPrep.installed, boundaries: got.length, wanted: cronMinutes,
        started_at_subsecond: cronStartedAt === undefined ? null : round((cronStartedAt % 1000) / 1000, 3),
        started_note: cronNote,
        latency_ms: s, note: 'cron sleeps in whole seconds and wakes 1 s + the sub-second it was started at after each minute (perf-baseline.md section 1): its latency is in [1 s, 2 s), set by the start phase',
      };
      ctx.figures.push({
        id: 'cron-fire-latency', name: 'Debian cron: fire latency (minute job)', command: `cron ${cronPrep.version}: * * * * * root date +\\%s.\\%N >> FILE, cron -f -L 0`,
        unit: 'ms', subject: s, baseline: null, ratio: null, target: { kind: 'none', text: '(for scale)' }, meets: null, ratio_of_mins: null, cpu_busy_pct_before: busy,
        cron: cronResult,
      });
    }
    cronResult.started_at_subsecond ??= null;

    // Report.
    const stagesLine = `instant->fired ${fmt(stages.instant_to_fired.median)}, fired->run-started ${fmt(stages.fired_to_run_started.median)}, run-started->attempt-started ${fmt(stages.run_started_to_attempt_started.median)}, attempt-started->date running ${fmt(lat.median - stages.instant_to_attempt_started.median)}`;
    report.push(
      `daemon (bench/daemon.mjs; ${os.cpus().length} CPUs):`,
      `  fire latency, tock (* * * * * *, via /bin/sh, ${String(lat.n)} firings): median ${fmt(lat.median, 2)} ms, p90 ${fmt(lat.p90, 2)}, p99 ${fmt(lat.p99, 2)}, max ${fmt(lat.max, 2)}, min ${fmt(lat.min, 2)} (targets: median < 5, p99 < 20)${missedInstants > 0 ? `; ${String(missedInstants)} instants missing!` : ''}`,
      `    median ms per stage, from the daemon's log (1 ms resolution): ${stagesLine}`,
      `    tock's CPU: ${fmt(fireCpuPerFiring, 2)} ms per firing (schedstat, after its first run; RSS ${fmt(fireCpuB.rssMiB)} MiB at the end)`,
      `    the dedupe check before each run (JsonlLedger.hasSuccess, in-process, reads back 1 h of the job's events): ${fmt(dedupe.real.median_ms, 2)} ms with this run's ${String(dedupe.real_runs)} runs; ${fmt(dedupe.hour.median_ms, 1)} ms (first call ${fmt(dedupe.hour.first_ms, 1)}) with ${String(dedupe.hour_runs)} (an every-second job after an hour, ${(dedupe.hour_bytes / 1e6).toFixed(1)} MB)`,
      `  fire latency, bare Node timer + spawn of the same /bin/sh command (same run, at .500): median ${fmt(baseLat.median, 2)} ms, p90 ${fmt(baseLat.p90, 2)}, p99 ${fmt(baseLat.p99, 2)}, max ${fmt(baseLat.max, 2)}`,
      cronResult.skipped === null
        ? `  fire latency, Debian cron ${String(cronResult.version)} (minute job, ${String(cronResult.boundaries)} of ${String(cronMinutes)} boundaries, cron started at .${String(Math.round((cronResult.started_at_subsecond ?? 0) * 1000)).padStart(3, '0')}): ${cronResult.latency_ms.samples.map((x) => fmt(x, 1)).join(', ')} ms (by design: 1 s + start phase)${cronPrep.installed !== null ? `; cron ${String(cronPrep.installed)}` : ''}`
        : `  fire latency, Debian cron: skipped (${String(cronResult.skipped)})`,
      `  idle, ${String(idleJobs)} jobs far apart, ${String(windowMs / 1000)} s after ${String(settleMs / 1000)} s: CPU ${fmt(idleD.cpu_ms_schedstat, 2)} ms (schedstat; ${fmt(idleD.cpu_ms_ticks, 0)} ms in ticks), wakes ${String(idleD.wakes_main_thread)} (main thread) / ${String(idleD.wakes_all_threads)} (all ${String(idleD.threads)} threads), log lines ${String(idleWindowEvents.length)} (target < 10 ms)`,
      `    RSS ${fmt(idleD.rss_mib)} MiB at the window's end (${fmt(idleD.rss_mib_at_start)} at its start, HWM ${fmt(idleD.hwm_mib)}) vs bare node ${fmt(bareD.rss_mib)} MiB (HWM ${fmt(bareD.hwm_mib)}, CPU ${fmt(bareD.cpu_ms_schedstat, 2)} ms): ${fmt(idleD.rss_mib / bareD.rss_mib, 2)}x (target <= 1.25x)`,
      `  start-up, ${String(startupJobs)} jobs (${(Buffer.byteLength(spreadText) / 1e6).toFixed(2)} MB): armed ${fmt(armedS.median, 0)} ms median (min ${fmt(armedS.min, 0)}, max ${fmt(armedS.max, 0)}; target < 1000), started line ${fmt(median(started), 0)} ms; tock validate of the same file ${fmt(valS.median, 0)} ms; node -e 0 ${fmt(median(nodeMs), 0)} ms`,
      `    in a fresh process (median of 3, ms): ${Object.entries(bd10k.ms).map(([k, v]) => `${k} ${fmt(v, 0)}`).join(', ')}`,
      `    nextFire per job, warm: ${fmt(bd10k.schedules.warm_us_per_job.utc, 0)} us in UTC, ${fmt(bd10k.schedules.warm_us_per_job.zoned, 0)} us in another zone (${Object.entries(bd10k.schedules.kinds).map(([k, v]) => `${String(v)} ${k}`).join(', ')})`,
      `    memory after each step (MiB rss / heapUsed): ${Object.entries(bd10k.memory_mib).map(([k, v]) => `${k} ${fmt(v.rss, 0)}/${fmt(v.heapUsed, 0)}`).join(', ')}`,
      `  the same steps with the ${String(idleJobs)}-job idle file (ms): ${Object.entries(bd1k.ms).map(([k, v]) => `${k} ${fmt(v, 0)}`).join(', ')}`,
      `    memory (MiB rss / heapUsed): ${Object.entries(bd1k.memory_mib).map(([k, v]) => `${k} ${fmt(v.rss, 0)}/${fmt(v.heapUsed, 0)}`).join(', ')}`,
    );
    Object.assign(extras, {
      fire: { tock: lat, baseline: baseLat, stages, tock_cpu_ms_per_firing: round(fireCpuPerFiring, 3), dedupe, missed_instants: missedInstants, command: 'date "+$TOCK_LOGICAL_TIME %s.%N" >> FILE' },
      cron: cronResult,
      idle: { jobs: idleJobs, settle_s: settleMs / 1000, window_s: windowMs / 1000, tock: idleD, bare: bareD, events_in_window: idleWindowEvents, idle_armed_at_ms: round(idleArmed.at, 1) },
      startup: { jobs: startupJobs, armed: armedS, started: summary(started), validate: valS, node_e_0: summary(nodeMs), breakdown_10k: bd10k, breakdown_1k: bd1k },
    });
    return { report, extras };
  } finally {
    for (const child of running) await stop(child, 5000);
    if (cron !== undefined) await cron.finish();
    if (cronFile !== undefined) rmSync(cronFile, { force: true });
    process.removeListener('exit', emergencyCleanup);
    if (!ctx.keep) rmSync(base, { recursive: true, force: true });
  }
}

/** spawnSync wall time in ms; a failure or unexpected output throws. */
function timeSync(ctx, cmd) {
  const t0 = process.hrtime.bigint();
  const res = spawnSync(ctx.NODE, cmd.args, { cwd: ROOT, env: ctx.childEnv, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.status !== 0 || (cmd.expectStdout !== undefined && !cmd.expectStdout.test(res.stdout))) {
    throw new ctx.CommandFailed(`${cmd.label} failed (exit ${String(res.status)}): node ${cmd.args.join(' ')}\n${String(res.stdout).slice(-2000)}${String(res.stderr).slice(-2000)}`);
  }
  return ms;
}

// ---------------------------------------------------------------------------------------------
// The breakdown child: the daemon's start-up steps, timed one by one in a fresh process.

async function breakdownChild(file, stateDir) {
  const t = () => Number(process.hrtime.bigint()) / 1e6;
  const mem = () => {
    globalThis.gc?.();
    const m = process.memoryUsage();
    return { rss: round(m.rss / 2 ** 20, 1), heapUsed: round(m.heapUsed / 2 ** 20, 1), heapTotal: round(m.heapTotal / 2 ** 20, 1), external: round(m.external / 2 ** 20, 1) };
  };
  const ms = {};
  const memory = { node: mem() };
  let a = t();
  const href = (p) => pathToFileURL(path.join(ROOT, 'dist', p)).href;
  // What `tock daemon` imports (commander, the daemon command and everything it pulls in).
  await import(href('cli/commands/daemon.js'));
  const { validateText } = await import(href('jobfile/load.js'));
  const { openLedger } = await import(href('cli/open-ledger.js'));
  const { nextFire } = await import(href('daemon/due.js'));
  const { fileWatermarks } = await import(href('io/watermarks.js'));
  await import('commander');
  ms.import = t() - a;
  memory.import = mem();
  a = t();
  const text = readFileSync(file, 'utf8');
  const result = validateText(text, file);
  ms.validateText = t() - a;
  if (!result.ok) throw new Error(`${file} is not valid: ${JSON.stringify(result.diagnostics.slice(0, 3))}`);
  memory.validateText = mem();
  a = t();
  mkdirSync(stateDir, { recursive: true });
  const ledger = openLedger(stateDir, result.jobfile.jobs.keys());
  fileWatermarks(stateDir).load();
  ms.openLedger = t() - a;
  a = t();
  const now = Date.now();
  const kinds = {};
  let best;
  for (const job of result.jobfile.jobs.values()) {
    const next = nextFire(job, now);
    kinds[job.schedule?.kind ?? 'none'] = (kinds[job.schedule?.kind ?? 'none'] ?? 0) + 1;
    if (next !== undefined && (best === undefined || next.fireAt < best)) best = next.fireAt;
  }
  ms.nextFire_all = t() - a;
  memory.nextFire = mem();
  a = t();
  for (const job of result.jobfile.jobs.values()) nextFire(job, now);
  ms.nextFire_all_warm = t() - a;
  // By kind of schedule: zoned cron vs UTC cron vs macros/@every (second pass, warm).
  const byZone = { utc: [0, 0], zoned: [0, 0] };
  for (const job of result.jobfile.jobs.values()) {
    const k = job.timezone === undefined || job.timezone === 'UTC' ? 'utc' : 'zoned';
    const b = t();
    nextFire(job, now);
    byZone[k][0] += t() - b;
    byZone[k][1]++;
  }
  ledger.close();
  ms.sum = ms.import + ms.validateText + ms.openLedger + ms.nextFire_all;
  process.stdout.write(`${JSON.stringify({
    jobs: result.jobfile.jobs.size, ms, memory_mib: memory,
    schedules: { kinds, warm_us_per_job: Object.fromEntries(Object.entries(byZone).map(([k, [sum, n]]) => [k, n > 0 ? round((sum * 1000) / n, 1) : null])) },
  })}\n`);
}

// ---------------------------------------------------------------------------------------------
// Standalone

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2);
  if (argv[0] === '--breakdown') {
    await breakdownChild(argv[1], argv[2]);
  } else {
    await runStandalone('daemon', argv, (context, text) => {
      const option = (flag, fallback) => Number(text(flag, String(fallback)));
      return daemonFigures({
        ...context,
        display: (c) => `node ${c.args.map((a) => (a.startsWith(ROOT) ? path.relative(ROOT, a) : a)).join(' ')}`,
        cronMinutes: option('--cron-minutes', 2), firings: option('--firings', 62), idleSettleS: option('--idle-settle', 10),
        startupRuns: option('--startup-runs', 5), cronPhase: option('--cron-phase', 0.25), idleWindowS: option('--idle-window', 60),
      });
    });
  }
}
