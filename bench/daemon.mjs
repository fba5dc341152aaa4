// tock's daemon figures (bench/README.md, "The daemon"): fire latency of an every-second job
// against croner 11 (and a bare Node timer + spawn, and Debian's cron), the same with 1,000 other
// jobs armed and a run in progress, idle cost of 1,000 far-apart jobs against a bare Node
// process with one timer, and start-up with 10,000 and 100,000 jobs until the first instant is
// armed, against `tock validate` of the same file.
//
// Called from bench/run.mjs (skip with --no-daemon). Standalone, it runs only these figures and
// prints the report (no results.json):
//
//   node bench/daemon.mjs [--cron-minutes N] [--firings N] [--idle-settle S] [--startup-runs N]
//                         [--startup-runs-100k N] [--cron-phase S] [--fire-log-level info|debug]
//
// --cron-minutes N  minute boundaries of Debian cron to measure (default 2; 0 skips cron)
// --firings N       every-second firings counted in each fire-latency phase (default 40; the
//                   first firing of tock and croner is dropped)
// --idle-settle S   seconds between starting the idle daemons and the 60 s window (default 10)
// --startup-runs N  daemon starts with 10,000 jobs (default 5, after 1 warm-up)
// --startup-runs-100k N  daemon starts with 100,000 jobs (default 2, no warm-up; 0 skips them)
// --cron-phase S    sub-second at which cron is started (default 0.25): cron wakes at 1 s + this
//                   after each minute, so this sets most of its latency (perf-baseline.md 1)
// --fire-log-level L  the fire-latency daemons' --log-level (default info, what a user runs;
//                   debug also logs fired/run-started/attempt-started, for the stages per firing)
//
// Timeline (about 4 minutes with the defaults; waits overlap, see bench/README.md):
//   t=0      the idle daemon (1,000 jobs) and a bare node start together; cron is installed if
//            absent and started at the chosen sub-second, with an /etc/cron.d line for every minute
//   t=10 s   the 60 s idle window starts; the three fire-latency phases (bench/fire.mjs: tock,
//            croner, tock loaded, ~42 s each, one after the other) start alongside
//   t=70 s   the idle window ends and the idle daemons are stopped
//   t=~140 s the fire phases end; then the start-up runs (10k, then 100k), while cron waits for
//            its minutes; then the in-process breakdown; then cron is stopped, its file removed
//
// Usage inside the helper child (fresh process, cold), printed as JSON:
//   node --expose-gc bench/daemon.mjs --breakdown JOBFILE STATE_DIR
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { prepareCron, removeCronFile, startCron } from './cron.mjs';
import { fireFigures } from './fire.mjs';
import { farMonth, idleJobfile, spreadJobfile } from './gen-jobfile.mjs';
import { killLive, procDelta, procSample, startDaemon, stop, track } from './procs.mjs';
import { runStandalone } from './standalone.mjs';
import { pct, round, summary as summarize } from './stats.mjs';

// The daemon's figures report p99 too (the fire-latency aim is on it).
const summary = (samples) => summarize(samples, { p99: true });

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH);
const TOCK_BIN = path.join(ROOT, 'bin', 'tock.js');

// ---------------------------------------------------------------------------------------------
// Jobfiles

// The idle and start-up jobfiles live in gen-jobfile.mjs (`node bench/gen-jobfile.mjs N --kind spread`).
export { farMonth, idleJobfile, spreadJobfile } from './gen-jobfile.mjs';

// ---------------------------------------------------------------------------------------------
const fmt = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));
const median = (xs) => pct([...xs].sort((a, b) => a - b), 0.5);

// ---------------------------------------------------------------------------------------------
// The figures

/** On any exit (Ctrl-C included): no daemon left behind, no cron.d line left in place. */
function emergencyCleanup() {
  killLive();
  removeCronFile();
}

/**
 * Start-up with `jobs` jobs until the first instant is armed (a fresh state dir each start),
 * interleaved with `tock validate` of the same file; tock's RSS when the armed line arrives.
 */
async function startupFigure(ctx, base, { jobs, runs, warmup, target, running }) {
  const { CommandFailed } = ctx;
  const file = path.join(base, `spread-${String(jobs)}.yaml`);
  const text = spreadJobfile(jobs);
  writeFileSync(file, text);
  const validate = { label: `tock validate (${String(jobs)} jobs)`, args: [TOCK_BIN, 'validate', '-f', file, '--state-dir', path.join(base, 'validate-state')], expectStdout: new RegExp(`^ok: ${String(jobs)} jobs`, 'm') };
  const nodeE0 = { label: 'node -e 0', args: ['-e', '0'] };
  const armed = [];
  const started = [];
  const validateMs = [];
  const nodeMs = [];
  const rss = [];
  const hwm = [];
  let armedEvent;
  for (let i = 0; i < runs + warmup; i++) {
    const order = i % 2 === 0 ? ['validate', 'daemon'] : ['daemon', 'validate'];
    for (const what of order) {
      if (what === 'validate') {
        const ms = timeSync(ctx, validate);
        const n0 = timeSync(ctx, nodeE0);
        if (i >= warmup) {
          validateMs.push(ms);
          nodeMs.push(n0);
        }
        continue;
      }
      const stateDir = path.join(base, `startup-${String(jobs)}-${String(i)}`);
      // `armed` is a debug line; at the default level the start-up logs the same `scheduled` lines.
      const d = startDaemon(ctx, file, stateDir, { logLevel: 'debug' });
      running.push(d.child);
      const s = await d.until((e) => e.event === 'started', 120_000, 'started line');
      const a = await d.until((e) => e.event === 'armed', 120_000, 'armed line');
      const mem = procSample(d.pid);
      await d.finish();
      rmSync(stateDir, { recursive: true, force: true });
      if (s.jobs !== jobs) throw new CommandFailed(`tock daemon started with ${String(s.jobs)} jobs, expected ${String(jobs)}`);
      armedEvent = a;
      if (i >= warmup) {
        armed.push(a.at);
        started.push(s.at);
        rss.push(mem.rssMiB);
        hwm.push(mem.hwmMiB);
      }
    }
  }
  const armedS = summary(armed);
  const valS = summary(validateMs);
  const k = `${String(jobs / 1000)}k`;
  const figure = {
    id: jobs === 10_000 ? 'daemon-startup-armed' : `daemon-startup-armed-${k}`, name: `daemon: start-up, ${k} jobs, to armed`,
    command: `tock daemon -f <${String(jobs)} jobs> --log-format json --log-level debug: spawn to the first "armed" line`,
    unit: 'ms', subject: armedS, baseline: { command: ctx.display(validate).replaceAll(ctx.TMP, '<tmp>'), ...valS }, baseline_label: 'tock validate, same file',
    ratio: round(armedS.median / valS.median, 3), target: { kind: 'ms', value: target, text: `< ${String(target)} ms` }, meets: armedS.median < target,
    ratio_of_mins: round(armedS.min / valS.min, 3), cpu_busy_pct_before: null,
    started: summary(started), node_e_0: summary(nodeMs), rss_mib_at_armed: summary(rss), hwm_mib_at_armed: summary(hwm),
    jobfile: { jobs, bytes: Buffer.byteLength(text), lines: text.split('\n').length - 1, generator: `node bench/gen-jobfile.mjs ${String(jobs)} --kind spread` },
    first_armed: { job: armedEvent.job, logical_time: armedEvent.logical_time },
    note: `a fresh state dir per start; wall time from spawn() to the line arriving on the bench's pipe; RSS from /proc when it arrives; ${String(runs)} runs after ${String(warmup)} warm-up; the baseline is \`tock validate\` of the same file (the validation the daemon also does)`,
  };
  ctx.figures.push(figure);
  return { figure, text, file };
}

/**
 * ctx: { TMP, NODE, childEnv, figures, waitQuiet, progress, CommandFailed, display, keep,
 *        cronMinutes, firings, idleSettleS, startupRuns, startupRuns100k, cronPhase, idleWindowS, fireLogLevel }
 * Pushes figures into ctx.figures; returns { report: string[], extras }.
 */
export async function daemonFigures(ctx) {
  const base = mkdtempSync(path.join(ctx.TMP, 'daemon-'));
  const { progress, CommandFailed } = ctx;
  const cronMinutes = ctx.cronMinutes ?? 2;
  const firings = ctx.firings ?? 40;
  const settleMs = (ctx.idleSettleS ?? 10) * 1000;
  const windowMs = (ctx.idleWindowS ?? 60) * 1000;
  const startupRuns = ctx.startupRuns ?? 5;
  const startupRuns100k = ctx.startupRuns100k ?? 2;
  const cronPhase = ctx.cronPhase ?? 0.25;
  const idleJobs = 1000;
  process.once('exit', emergencyCleanup);
  const report = [];
  const extras = {};
  let cron;
  const running = [];
  try {
    const busy = ctx.waitQuiet();
    const idleFile = path.join(base, 'idle.yaml');
    writeFileSync(idleFile, idleJobfile(idleJobs));

    // Debian cron: installed if absent (before anything is timed: apt-get takes a while).
    let cronPrep = { skip: '--cron-minutes 0' };
    if (cronMinutes > 0) {
      progress('daemon: Debian cron: checking it is installed');
      cronPrep = prepareCron(ctx);
      if (cronPrep.skip !== undefined) progress(`daemon: Debian cron skipped: ${cronPrep.skip}`);
    }

    // t=0: the idle daemon (default log level) and a bare node, started together.
    progress(`daemon: idle cost: tock daemon with ${String(idleJobs)} jobs far apart and a bare node, ${String(settleMs / 1000)} s settle + ${String(windowMs / 1000)} s window (alongside the fire-latency phases)`);
    const idleStart = Date.now();
    const idle = startDaemon(ctx, idleFile, path.join(base, 'idle-state'));
    running.push(idle.child);
    const bare = track(spawn(ctx.NODE, ['-e', 'setInterval(()=>{}, 2**30)'], { env: ctx.childEnv, stdio: 'ignore' }));
    running.push(bare);
    const idleStarted = await idle.until((e) => e.event === 'started', 60_000, 'started line (idle daemon)');

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

    // t=settle: the idle window, measured while the fire-latency phases run.
    const idleA = procSample(idle.pid);
    const bareA = procSample(bare.pid);
    const windowStart = Date.now();
    const idleEventsBefore = idle.events.length;
    const idleWindow = (async () => {
      await sleep(Math.max(0, windowStart + windowMs - Date.now()));
      const idleB = procSample(idle.pid);
      const bareB = procSample(bare.pid);
      const events = idle.events.slice(idleEventsBefore).map((e) => e.event);
      await idle.finish();
      await stop(bare);
      return { idleB, bareB, events };
    })();
    idleWindow.catch(() => {}); // awaited below; a failure here must not be unhandled meanwhile
    const fire = await fireFigures(ctx, { base, firings, busy, logLevel: ctx.fireLogLevel ?? 'info', others: idleJobs });
    const { idleB, bareB, events: idleWindowEvents } = await idleWindow;

    // Idle figures.
    const idleD = procDelta(idleA, idleB);
    const bareD = procDelta(bareA, bareB);
    const idleNote = `${String(settleMs / 1000)} s after start, over ${String(windowMs / 1000)} s; the fire-latency phases and cron ran alongside (other processes: only contention, not counted in this one's CPU)`;
    ctx.figures.push({
      id: 'daemon-idle-cpu', name: `daemon: idle CPU, ${String(idleJobs)} jobs, ${String(windowMs / 1000)} s`, command: `tock daemon, ${String(idleJobs)} jobs "M H 1 ${String(farMonth())} *"`,
      unit: 'ms', subject: summary([idleD.cpu_ms_schedstat]),
      baseline: { command: 'node -e "setInterval(()=>{}, 2**30)"', ...summary([bareD.cpu_ms_schedstat]) }, baseline_label: 'bare node, one timer',
      ratio: null, diff_ms: round(idleD.cpu_ms_schedstat - bareD.cpu_ms_schedstat, 3),
      target: { kind: 'ms', value: 10, text: `<= 10 ms / ${String(windowMs / 1000)} s` }, meets: idleD.cpu_ms_schedstat <= 10, ratio_of_mins: null, cpu_busy_pct_before: busy,
      window_s: windowMs / 1000, settle_s: settleMs / 1000, tock: idleD, bare: bareD, events_in_window: idleWindowEvents,
      note: `CPU ms over the window: sum of /proc/PID/task/*/schedstat (ns); utime+stime ticks from /proc/PID/stat in tock.cpu_ms_ticks; ${idleNote}`,
    });
    ctx.figures.push({
      id: 'daemon-idle-rss', name: `daemon: idle RSS, ${String(idleJobs)} jobs`, command: `tock daemon, ${String(idleJobs)} jobs`,
      unit: 'MiB', subject: summary([idleD.rss_mib]),
      baseline: { command: 'node -e "setInterval(()=>{}, 2**30)"', ...summary([bareD.rss_mib]) }, baseline_label: 'bare node, one timer',
      ratio: round(idleD.rss_mib / bareD.rss_mib, 3), target: { kind: 'ratio', value: 1.5, text: '<= 1.5x' }, meets: idleD.rss_mib / bareD.rss_mib <= 1.5,
      ratio_of_mins: null, cpu_busy_pct_before: busy, tock: idleD, bare: bareD,
      note: `VmRSS at the end of the window (VmHWM in tock.hwm_mib); both started together; ${idleNote}`,
    });

    // Start-up with 10,000 and 100,000 jobs, each interleaved with `tock validate` of the same file.
    ctx.waitQuiet();
    progress(`daemon: start-up with 10000 jobs until the first instant is armed, vs tock validate of the same file (${String(startupRuns)} runs each after 1 warm-up)${cron !== undefined ? '; cron waits for its minutes meanwhile' : ''}`);
    const s10k = await startupFigure(ctx, base, { jobs: 10_000, runs: startupRuns, warmup: 1, target: 1000, running });
    let s100k;
    if (startupRuns100k > 0) {
      ctx.waitQuiet();
      progress(`daemon: start-up with 100000 jobs (12 MB) until armed, vs tock validate of the same file (${String(startupRuns100k)} runs each, no warm-up: the 10k runs warmed the code)`);
      s100k = await startupFigure(ctx, base, { jobs: 100_000, runs: startupRuns100k, warmup: 0, target: 5000, running });
    } else {
      ctx.figures.push({
        id: 'daemon-startup-armed-100k', name: 'daemon: start-up, 100k jobs, to armed', command: 'tock daemon -f <100000 jobs>', unit: 'ms',
        subject: null, baseline: null, ratio: null, target: { kind: 'ms', value: 5000, text: '< 5000 ms' }, meets: null, ratio_of_mins: null, not_measured: '--startup-runs-100k 0',
      });
    }

    // Where the start-up time goes: a fresh process doing the daemon's steps one by one.
    progress('daemon: start-up breakdown: import, validateText, openLedger, nextFire for every job (3 fresh processes each, 10,000 and 1,000 jobs)');
    const breakdown = (file, jobs) => {
      const runs = [];
      for (let i = 0; i < 3; i++) {
        const stateDir = path.join(base, `breakdown-${String(jobs)}-${String(i)}`);
        const res = spawnSync(ctx.NODE, ['--expose-gc', fileURLToPath(import.meta.url), '--breakdown', file, stateDir], { cwd: ROOT, env: ctx.childEnv, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
        rmSync(stateDir, { recursive: true, force: true });
        // The steps call dist/ modules by name; one that moved is a note, not a failed bench.
        if (res.status !== 0) return { skipped: `${res.stderr}${res.stdout}`.trim().split('\n').find((l) => /Error/.test(l)) ?? `exit ${String(res.status)}` };
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
    const bd10k = breakdown(s10k.file, 10_000);
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
    const startupLines = (s, bd) => {
      const f = s.figure;
      const out = [`  start-up, ${String(f.jobfile.jobs)} jobs (${(f.jobfile.bytes / 1e6).toFixed(2)} MB): armed ${fmt(f.subject.median, 0)} ms median (min ${fmt(f.subject.min, 0)}, max ${fmt(f.subject.max, 0)}; target ${f.target.text}), started line ${fmt(f.started.median, 0)} ms; RSS at armed ${fmt(f.rss_mib_at_armed.median, 0)} MiB (HWM ${fmt(f.hwm_mib_at_armed.median, 0)}); tock validate of the same file ${fmt(f.baseline.median, 0)} ms (${fmt(f.ratio, 2)}x); node -e 0 ${fmt(f.node_e_0.median, 0)} ms`];
      if (bd === undefined) return out;
      if (bd.skipped !== undefined) return [...out, `    in a fresh process: not measured (${bd.skipped})`];
      return [
        ...out,
        `    in a fresh process (median of 3, ms): ${Object.entries(bd.ms).map(([k, v]) => `${k} ${fmt(v, 0)}`).join(', ')}`,
        `    nextFire per job, warm: ${fmt(bd.schedules.warm_us_per_job.utc, 0)} us in UTC, ${fmt(bd.schedules.warm_us_per_job.zoned, 0)} us in another zone (${Object.entries(bd.schedules.kinds).map(([k, v]) => `${String(v)} ${k}`).join(', ')})`,
        `    memory after each step (MiB rss / heapUsed): ${Object.entries(bd.memory_mib).map(([k, v]) => `${k} ${fmt(v.rss, 0)}/${fmt(v.heapUsed, 0)}`).join(', ')}`,
      ];
    };
    report.push(
      `daemon (bench/daemon.mjs, bench/fire.mjs; ${os.cpus().length} CPUs):`,
      ...fire.report,
      cronResult.skipped === null
        ? `  fire latency, Debian cron ${String(cronResult.version)} (minute job, ${String(cronResult.boundaries)} of ${String(cronMinutes)} boundaries, cron started at .${String(Math.round((cronResult.started_at_subsecond ?? 0) * 1000)).padStart(3, '0')}): ${cronResult.latency_ms.samples.map((x) => fmt(x, 1)).join(', ')} ms (by design: 1 s + start phase)${cronPrep.installed !== null ? `; cron ${String(cronPrep.installed)}` : ''}`
        : `  fire latency, Debian cron: skipped (${String(cronResult.skipped)})`,
      `  idle, ${String(idleJobs)} jobs far apart, ${String(windowMs / 1000)} s after ${String(settleMs / 1000)} s: CPU ${fmt(idleD.cpu_ms_schedstat, 2)} ms (schedstat; ${fmt(idleD.cpu_ms_ticks, 0)} ms in ticks) vs bare node ${fmt(bareD.cpu_ms_schedstat, 2)} ms, wakes ${String(idleD.wakes_main_thread)} (main thread) / ${String(idleD.wakes_all_threads)} (all ${String(idleD.threads)} threads), log lines ${String(idleWindowEvents.length)} (target <= 10 ms)`,
      `    RSS ${fmt(idleD.rss_mib)} MiB at the window's end (${fmt(idleD.rss_mib_at_start)} at its start, HWM ${fmt(idleD.hwm_mib)}) vs bare node ${fmt(bareD.rss_mib)} MiB (HWM ${fmt(bareD.hwm_mib)}): ${fmt(idleD.rss_mib / bareD.rss_mib, 2)}x (target <= 1.5x)`,
      ...startupLines(s10k, bd10k),
      ...(s100k !== undefined ? startupLines(s100k) : ['  start-up, 100000 jobs: skipped (--startup-runs-100k 0)']),
      `  the same steps with the ${String(idleJobs)}-job idle file${bd1k.skipped !== undefined ? `: not measured (${bd1k.skipped})` : ` (ms): ${Object.entries(bd1k.ms).map(([k, v]) => `${k} ${fmt(v, 0)}`).join(', ')}`}`,
      ...(bd1k.skipped === undefined ? [`    memory (MiB rss / heapUsed): ${Object.entries(bd1k.memory_mib).map(([k, v]) => `${k} ${fmt(v.rss, 0)}/${fmt(v.heapUsed, 0)}`).join(', ')}`] : []),
    );
    const startupExtras = (s) => ({ jobs: s.figure.jobfile.jobs, armed: s.figure.subject, started: s.figure.started, validate: s.figure.baseline, node_e_0: s.figure.node_e_0, rss_mib_at_armed: s.figure.rss_mib_at_armed, hwm_mib_at_armed: s.figure.hwm_mib_at_armed });
    Object.assign(extras, {
      fire: fire.extras,
      cron: cronResult,
      idle: { jobs: idleJobs, settle_s: settleMs / 1000, window_s: windowMs / 1000, tock: idleD, bare: bareD, events_in_window: idleWindowEvents, idle_started_at_ms: round(idleStarted.at, 1) },
      startup: { ...startupExtras(s10k), breakdown_10k: bd10k, breakdown_1k: bd1k, ...(s100k !== undefined ? { jobs_100k: startupExtras(s100k) } : {}) },
    });
    return { report, extras };
  } finally {
    for (const child of running) await stop(child, 5000);
    if (cron !== undefined) await cron.finish();
    removeCronFile();
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
        cronMinutes: option('--cron-minutes', 2), firings: option('--firings', 40), idleSettleS: option('--idle-settle', 10),
        startupRuns: option('--startup-runs', 5), startupRuns100k: option('--startup-runs-100k', 2), cronPhase: option('--cron-phase', 0.25),
        idleWindowS: option('--idle-window', 60), fireLogLevel: text('--fire-log-level', 'info'),
      });
    });
  }
}
