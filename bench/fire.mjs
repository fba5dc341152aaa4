// The daemon's fire latency (issue 13), in three phases one after the other, each with the bare
// timer + spawn probe (bench/baseline-timer-spawn.mjs, at .500 of each second) alongside:
//
//   1. tock: `tock daemon`, one job "* * * * * *" running a shell command that records its own
//      start time; the first firing dropped, then `firings` counted.
//   2. croner: bench/baseline-croner.mjs, croner 11 firing the same command every second with
//      spawn(..., { detached: true }), the issue's peer; the same count.
//   3. loaded: tock again, the same job among 1,000 other jobs armed (far-apart yearly ones) and
//      one more job whose run (`sleep`) is in progress across the whole phase; the firings
//      counted are those inside that run.
//
// croner's finest field is the second and it has no sub-second offset, so run alongside tock its
// every firing would coincide with tock's and both would compete for the 2 CPUs in the same
// millisecond: hence one after the other. The probe runs in every phase at the same offset, so
// a change of machine load between phases shows as a change of its figure (reported per phase).
//
// Called by bench/daemon.mjs: `fireFigures(ctx, { base, firings, busy })`.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { idleJobfile } from './gen-jobfile.mjs';
import { procSample, startDaemon, stop, track } from './procs.mjs';
import { pct, r3, round, summary as summarize } from './stats.mjs';

const summary = (samples) => summarize(samples, { p99: true });
const median = (xs) => pct([...xs].sort((a, b) => a - b), 0.5);
const fmt = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH);

// ---------------------------------------------------------------------------------------------
// Jobfiles

/** The job the fire latency is measured with: date records its instant and its own start time. */
function tickJob(out) {
  const command = `date "+$TOCK_LOGICAL_TIME %s.%N" >> '${out}'`;
  return ['  tick:', '    schedule: "* * * * * *"', '    concurrency: allow', `    command: ${JSON.stringify(command)}`];
}

export function fireJobfile(out) {
  return ['version: 1', 'jobs:', ...tickJob(out), ''].join('\n');
}

/**
 * The loaded phase's file: `others` yearly jobs far apart (the idle file's), the tick job, and
 * `sleeper`, due once at `atMs` (a whole second, UTC), whose run writes its start time to
 * `startFile` and then sleeps `sleepS` seconds.
 */
function loadedJobfile(out, others, atMs, sleepS, startFile) {
  const at = new Date(atMs);
  const schedule = `${String(at.getUTCSeconds())} ${String(at.getUTCMinutes())} ${String(at.getUTCHours())} * * *`;
  const sleeper = ['  sleeper:', `    schedule: "${schedule}"`, '    timezone: UTC', `    command: ${JSON.stringify(`date +%s.%N > '${startFile}'; exec sleep ${String(sleepS)}`)}`];
  return `${idleJobfile(others)}${[...tickJob(out), ...sleeper].join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// The file of "<logical time> <epoch s.ns>" lines

export function readFireLog(file) {
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
function fireStages(events, instants, job) {
  const byInstant = new Map(instants.map((ms) => [ms, {}]));
  const runOf = new Map();
  for (const ev of events) {
    const jobs = Array.isArray(ev.job) ? ev.job : ev.job !== undefined ? [ev.job] : undefined;
    if (jobs !== undefined && !jobs.includes(job)) continue;
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
// The phases

/** The bare timer + spawn probe at .500 of each second, `count` firings into `log`. */
function startProbe(ctx, log, count) {
  const child = track(spawn(ctx.NODE, [path.join(BENCH, 'baseline-timer-spawn.mjs'), log, String(count), '500'], { env: ctx.childEnv, stdio: 'ignore' }));
  const done = new Promise((resolve) => child.once('exit', resolve));
  return { child, finish: async () => { await Promise.race([done, sleep(5000)]); await stop(child); } };
}

/** Waits until `log` has `n` lines (or the deadline passes); returns its lines. */
async function waitLines(log, n, deadlineMs, filter = () => true) {
  let lines = readFireLog(log).filter(filter);
  while (lines.length < n && Date.now() < deadlineMs) {
    await sleep(250);
    lines = readFireLog(log).filter(filter);
  }
  return lines;
}

function missing(counted) {
  return counted.length === 0 ? 0 : (counted.at(-1).instantMs - counted[0].instantMs) / 1000 + 1 - counted.length;
}

/**
 * ctx: the daemon figures' context (NODE, childEnv, progress, CommandFailed, figures).
 * Runs the three phases and pushes the fire-latency figures; returns { report, extras }.
 */
export async function fireFigures(ctx, { base, firings, busy, logLevel = 'info', others = 1000 }) {
  const { progress, CommandFailed } = ctx;
  const need = firings + 1;
  const dir = path.join(base, 'fire');
  mkdirSync(dir, { recursive: true });
  const probes = {};

  // 1. tock, idle.
  progress(`daemon: fire latency 1/3: tock daemon, one job "* * * * * *" via /bin/sh, ${String(firings)} firings + 1 dropped; timer+spawn probe at .500 alongside`);
  const tockLog = path.join(dir, 'tock.log');
  const tockFile = path.join(dir, 'tock.yaml');
  writeFileSync(tockFile, fireJobfile(tockLog));
  let probe = startProbe(ctx, path.join(dir, 'probe-tock.log'), need);
  const fire = startDaemon(ctx, tockFile, path.join(dir, 'tock-state'), { logLevel });
  // tock's CPU per firing, after its start-up: from the end of its first run to the end.
  await fire.until((e) => e.event === 'run-finished' && e.job === 'tick', 30_000, 'first run-finished line');
  const cpuA = procSample(fire.pid);
  const runsA = fire.events.filter((e) => e.event === 'run-finished').length;
  const tockLines = await waitLines(tockLog, need, Date.now() + need * 1000 + 20_000);
  const cpuB = procSample(fire.pid);
  const runsB = fire.events.filter((e) => e.event === 'run-finished').length;
  await fire.finish();
  await probe.finish();
  probes.tock = summary(readFireLog(path.join(dir, 'probe-tock.log')).slice(1, need).map((x) => x.latencyMs));
  if (tockLines.length < need) throw new CommandFailed(`tock daemon: only ${String(tockLines.length)} of ${String(need)} firings were recorded in ${String(need + 20)} s`);
  const tockCounted = tockLines.slice(1, need);
  const tock = summary(tockCounted.map((x) => x.latencyMs));
  const stages = logLevel === 'debug' ? fireStages(fire.events, tockCounted.map((x) => x.instantMs), 'tick') : null;
  const cpuPerFiring = (cpuB.schedMs - cpuA.schedMs) / Math.max(1, runsB - runsA);
  let dedupe = null;
  try {
    dedupe = await dedupeCost(ctx, path.join(dir, 'tock-state'), path.join(dir, 'dedupe-ledger'));
  } catch (error) {
    if (error instanceof CommandFailed) throw error;
    dedupe = { skipped: String(error?.message ?? error) };
  }

  // 2. croner.
  progress(`daemon: fire latency 2/3: croner 11, the same command every second (spawn detached), ${String(firings)} firings + 1 dropped; probe alongside`);
  const cronerLog = path.join(dir, 'croner.log');
  probe = startProbe(ctx, path.join(dir, 'probe-croner.log'), need);
  const croner = track(spawn(ctx.NODE, [path.join(BENCH, 'baseline-croner.mjs'), cronerLog, String(need)], { env: ctx.childEnv, stdio: ['ignore', 'ignore', 'pipe'] }));
  let cronerErr = '';
  croner.stderr.setEncoding('utf8');
  croner.stderr.on('data', (c) => { cronerErr = `${cronerErr}${c}`.slice(-2000); });
  const cronerLines = await waitLines(cronerLog, need, Date.now() + need * 1000 + 20_000);
  await stop(croner);
  await probe.finish();
  probes.croner = summary(readFireLog(path.join(dir, 'probe-croner.log')).slice(1, need).map((x) => x.latencyMs));
  if (cronerLines.length < need) throw new CommandFailed(`croner: only ${String(cronerLines.length)} of ${String(need)} firings were recorded:\n${cronerErr}`);
  const cronerCounted = cronerLines.slice(1, need);
  const peer = summary(cronerCounted.map((x) => x.latencyMs));

  // 3. tock, loaded: 1,000 other jobs armed and a run of another job in progress.
  const leadS = 5;
  const sleepS = firings + leadS + 5;
  progress(`daemon: fire latency 3/3: tock daemon, the same job among ${String(others)} other jobs armed and a run of another in progress (sleep ${String(sleepS)} s from ${String(leadS)} s after start), ${String(firings)} firings inside it; probe alongside`);
  const loadedLog = path.join(dir, 'loaded.log');
  const loadedFile = path.join(dir, 'loaded.yaml');
  const startFile = path.join(dir, 'sleeper-started');
  const sleeperAt = Math.ceil(Date.now() / 1000) * 1000 + leadS * 1000;
  writeFileSync(loadedFile, loadedJobfile(loadedLog, others, sleeperAt, sleepS, startFile));
  probe = startProbe(ctx, path.join(dir, 'probe-loaded.log'), need + leadS + 2);
  const loaded = startDaemon(ctx, loadedFile, path.join(dir, 'loaded-state'), { logLevel });
  const startDeadline = sleeperAt + 20_000;
  while (!existsSync(startFile) && Date.now() < startDeadline) await sleep(100);
  if (!existsSync(startFile)) {
    await loaded.finish();
    throw new CommandFailed(`tock daemon (loaded): the sleeper job due at ${new Date(sleeperAt).toISOString()} did not start within 20 s`);
  }
  await sleep(50);
  const sleeperStartMs = Number(readFileSync(startFile, 'utf8').trim()) * 1000;
  const sleeperEndMs = sleeperStartMs + sleepS * 1000;
  const inRun = (x) => x.instantMs > sleeperStartMs && x.instantMs < sleeperEndMs;
  const loadedLines = await waitLines(loadedLog, firings, Date.now() + (firings + 1) * 1000 + 20_000, inRun);
  const sleeperStillRunning = Date.now() < sleeperEndMs;
  await loaded.finish();
  await probe.finish();
  const probeLoaded = readFireLog(path.join(dir, 'probe-loaded.log')).filter(inRun);
  probes.loaded = summary(probeLoaded.map((x) => x.latencyMs));
  if (loadedLines.length < firings) throw new CommandFailed(`tock daemon (loaded): only ${String(loadedLines.length)} of ${String(firings)} firings were recorded during the sleeper's run`);
  if (!sleeperStillRunning) throw new CommandFailed('tock daemon (loaded): the sleeper\'s run ended before the firings were counted');
  const loadedCounted = loadedLines.slice(0, firings);
  const load = summary(loadedCounted.map((x) => x.latencyMs));

  // Figures.
  const command = 'date "+$TOCK_LOGICAL_TIME %s.%N" >> FILE (via /bin/sh)';
  const cronerCmd = 'node bench/baseline-croner.mjs (croner 11 "* * * * * *" + spawn /bin/sh -c, detached, same command)';
  const common = {
    unit: 'ms', cpu_busy_pct_before: busy,
    note: 'latency = the job\'s date +%s.%N minus its TOCK_LOGICAL_TIME; tock and croner run one after the other (both fire on the whole second), each with the timer+spawn probe at .500 alongside (probe medians in daemon.fire.probes)',
  };
  const medianFig = {
    ...common, id: 'daemon-fire-latency', name: 'daemon: fire latency, median', command: `tock daemon, job "* * * * * *": ${command}`,
    subject: tock, baseline: { command: cronerCmd, ...peer }, baseline_label: 'croner 11 + spawn', ratio: round(tock.median / peer.median, 3),
    target: { kind: 'ratio', value: 1, text: '<= croner (1.0x)' }, meets: tock.median <= peer.median, ratio_of_mins: round(tock.min / peer.min, 3),
    stages, missed_instants: missing(tockCounted),
  };
  const p99Fig = {
    ...medianFig, id: 'daemon-fire-latency-p99', name: 'daemon: fire latency, p99', show: 'p99', stages: undefined,
    ratio: round(tock.p99 / peer.p99, 3), target: { kind: 'ms', value: 10, text: '<= 10 ms (p99)' }, meets: tock.p99 <= 10,
    note: `p99 of ${String(tock.n)} samples (interpolated between the two largest); baseline croner's p99`,
  };
  const timerFig = {
    ...common, id: 'daemon-fire-latency-timer', name: 'daemon: fire latency vs bare timer+spawn (record)', command: medianFig.command,
    subject: tock, baseline: { command: 'node bench/baseline-timer-spawn.mjs (setTimeout + spawn /bin/sh -c, same command, at .500, alongside)', ...probes.tock },
    baseline_label: 'node timer+sh spawn', ratio: round(tock.median / probes.tock.median, 3), target: { kind: 'none', text: '(for the record)' }, meets: null, ratio_of_mins: round(tock.min / probes.tock.min, 3),
  };
  const diff = (a, b) => round(a - b, 3);
  const loadedFig = {
    ...common, id: 'daemon-fire-latency-loaded', name: `daemon: fire latency, ${String(others)} jobs armed + a run in progress, median`,
    command: `tock daemon, the same job among ${String(others)} yearly jobs and one in a run (sleep ${String(sleepS)})`,
    subject: load, baseline: { command: 'the same daemon figure, idle (phase 1)', ...tock }, baseline_label: 'tock, idle', ratio: round(load.median / tock.median, 3),
    diff_ms: diff(load.median, tock.median), target: { kind: 'diff', value: 1, text: 'within 1 ms of idle' }, meets: Math.abs(load.median - tock.median) <= 1, ratio_of_mins: null,
    missed_instants: missing(loadedCounted),
  };
  const loadedP99Fig = {
    ...loadedFig, id: 'daemon-fire-latency-loaded-p99', name: `daemon: fire latency, ${String(others)} jobs armed + a run in progress, p99`, show: 'p99',
    ratio: round(load.p99 / tock.p99, 3), diff_ms: diff(load.p99, tock.p99), meets: Math.abs(load.p99 - tock.p99) <= 1,
  };
  ctx.figures.push(medianFig, p99Fig, timerFig, loadedFig, loadedP99Fig);

  const line = (s) => `median ${fmt(s.median, 2)} ms, p90 ${fmt(s.p90, 2)}, p99 ${fmt(s.p99, 2)}, max ${fmt(s.max, 2)}, min ${fmt(s.min, 2)}`;
  const probeLine = (s) => `probe ${fmt(s.median, 2)} / p99 ${fmt(s.p99, 2)}`;
  const report = [
    `  fire latency, tock (* * * * * *, via /bin/sh, ${String(tock.n)} firings, log level ${logLevel}): ${line(tock)} (aims: median <= croner's, p99 <= 10)${medianFig.missed_instants > 0 ? `; ${String(medianFig.missed_instants)} instants missing!` : ''}; ${probeLine(probes.tock)}`,
    stages !== null
      ? `    median ms per stage, from the daemon's log (1 ms resolution): instant->fired ${fmt(stages.instant_to_fired.median)}, fired->run-started ${fmt(stages.fired_to_run_started.median)}, run-started->attempt-started ${fmt(stages.run_started_to_attempt_started.median)}, attempt-started->date running ${fmt(tock.median - stages.instant_to_attempt_started.median)}`
      : '    (stages per firing: with --fire-log-level debug; the figures are taken at the default level, info)',
    `    tock's CPU: ${fmt(cpuPerFiring, 2)} ms per firing (schedstat, after its first run; RSS ${fmt(cpuB.rssMiB)} MiB at the end)`,
    dedupe?.skipped === undefined
      ? `    the dedupe check before each run (JsonlLedger.hasSuccess, in-process, reads back 1 h of the job's events): ${fmt(dedupe.real.median_ms, 2)} ms with this run's ${String(dedupe.real_runs)} runs; ${fmt(dedupe.hour.median_ms, 1)} ms (first call ${fmt(dedupe.hour.first_ms, 1)}) with ${String(dedupe.hour_runs)} (an every-second job after an hour, ${(dedupe.hour_bytes / 1e6).toFixed(1)} MB)`
      : `    the dedupe check: not measured (${dedupe.skipped})`,
    `  fire latency, croner 11 (same command, spawn detached, ${String(peer.n)} firings): ${line(peer)}; ${probeLine(probes.croner)}; tock/croner ${fmt(medianFig.ratio, 2)}x median, ${fmt(p99Fig.ratio, 2)}x p99`,
    `  fire latency, tock with ${String(others)} other jobs armed and a run in progress (${String(load.n)} firings): ${line(load)}; ${probeLine(probes.loaded)}; vs idle ${loadedFig.diff_ms >= 0 ? '+' : ''}${fmt(loadedFig.diff_ms, 2)} ms median, ${loadedP99Fig.diff_ms >= 0 ? '+' : ''}${fmt(loadedP99Fig.diff_ms, 2)} ms p99 (aim: within 1 ms)`,
    `  fire latency, bare Node timer + spawn of the same command (the probe, at .500, alongside phase 1): ${line(probes.tock)}`,
  ];
  const extras = {
    tock, croner: peer, loaded: load, baseline: probes.tock, probes, stages, log_level: logLevel,
    tock_cpu_ms_per_firing: round(cpuPerFiring, 3), dedupe, missed_instants: medianFig.missed_instants,
    loaded_setup: { others, sleeper_started: new Date(sleeperStartMs).toISOString(), sleep_s: sleepS },
    command: 'date "+$TOCK_LOGICAL_TIME %s.%N" >> FILE', order: ['tock', 'croner', 'loaded'],
  };
  return { report, extras };
}
