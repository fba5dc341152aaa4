import { hostname } from 'node:os';
import path from 'node:path';

import { RunCounters } from '../../daemon/counters.js';
import { nextFire } from '../../daemon/due.js';
import type { DaemonEvent } from '../../daemon/events.js';
import { schedulerMetrics } from '../../daemon/metrics.js';
import { Scheduler } from '../../daemon/scheduler.js';
import { limitStorageFailures } from '../../daemon/storage-log.js';
import { removeDaemonRecord, selfRecord, writeDaemonRecord } from '../../io/daemon-record.js';
import { fileLocks } from '../../io/file-locks.js';
import { pauseWatch } from '../../io/pause-store.js';
import { fileWatermarks } from '../../io/watermarks.js';
import type { Jobfile } from '../../jobfile/types.js';
import { summarizeJob } from '../../ledger/summary.js';
import { UserError } from '../../util/user-error.js';
import { installStopSignals, realEngineDeps } from '../engine-deps.js';
import { EXIT } from '../exit-codes.js';
import { listenWarning } from '../listen-warning.js';
import { invalidJobfile } from '../jobfile-problems.js';
import type { AsideRequest, AsideResult } from '../load-aside.js';
import { loadAside } from '../load-aside.js';
import { openLedger } from '../open-ledger.js';
import type { CommonOptions } from '../paths.js';
import { resolveStateDir } from '../paths.js';
import { isoUtc } from '../../engine/logical-time.js';
import type { LogLevel } from '../render/daemon-log.js';
import { renderDaemonLine } from '../render/daemon-log.js';
import { loadPaint, wantsColor } from '../render/style.js';
import { metricsText, readStatus, statusDocument } from '../status-doc.js';
import { version } from '../version.js';

export interface DaemonOptions extends CommonOptions {
  /** --cgroup DIR: where each attempt gets its own cgroup. */
  cgroup?: string;
  listen?: string;
  logFormat: 'text' | 'json';
  logLevel: LogLevel;
  /** --utc: job times in UTC in text lines. */
  utc?: boolean;
}

/**
 * `tock daemon` (started by daemon-start.ts, with the jobfile loading): runs in the foreground (systemd Type=exec), one log line per event on stderr.
 * SIGHUP reloads the jobfile; SIGTERM/SIGINT stop it (TERM to running jobs, KILL after their
 * grace, recorded killed; a second signal kills at once), exit 0.
 */
export async function runDaemon(options: DaemonOptions, request: AsideRequest, loading: Promise<AsideResult>): Promise<void> {
  const { file } = request;
  const load = () => loadAside(request);
  const first = await loading;
  if (!first.ok) throw invalidJobfile(options, file, first.errors, first.problems);
  let jobfile = first.jobfile;
  const stateDir = resolveStateDir(options, process.env, jobfile.stateDir);
  // A full disk fails every write: those are logged once a minute, with a count (SPEC 5).
  const paint = await loadPaint(options.logFormat === 'text' && wantsColor(process.stderr, process.env, options.color));
  const style = { format: options.logFormat, level: options.logLevel, utc: options.utc === true, paint,
    zoneOf: (job: string) => jobfile.jobs.get(job)?.timezone ?? jobfile.timezone };
  const log = limitStorageFailures((event: DaemonEvent): void => {
    const line = renderDaemonLine(event, style, new Date());
    if (line !== undefined) process.stderr.write(`${line}\n`);
  }, Date.now);
  // SPEC 5: at start and after a reload, a line per job with its next instant.
  const logSchedule = (jf: Jobfile): void => {
    const now = Date.now();
    // A line a job: corked, a pipe takes them in a few writes rather than one per job.
    process.stderr.cork();
    for (const job of jf.jobs.values()) {
      const next = nextFire(job, now);
      log({ type: 'scheduled', job: job.name, ...(!job.enabled ? { disabled: true as const }
        : next !== undefined ? { next: isoUtc(next.logicalMs) } : job.needs.length > 0 ? { after: [...job.needs] } : {}) });
    }
    process.stderr.uncork();
  };

  // One daemon per state dir: two would each run every job. A holder provably gone (killed -9)
  // is taken over at once, so systemd's restart 5 s later is not refused.
  const owner = { pid: process.pid, host: hostname(), run_id: `daemon-${String(process.pid)}`, job: 'daemon' };
  const locks = fileLocks(path.join(stateDir, 'locks'));
  const daemonLock = await locks.tryAcquire('daemon', owner);
  if (daemonLock === null) {
    const holder = locks.holder('daemon');
    console.error(`${paint.red('tock: error:')} another tock daemon${holder !== null ? ` (pid ${String(holder.pid)})` : ''} is running on ${stateDir}`);
    console.error('  hint: stop it first (systemctl stop tock), or give this one its own --state-dir');
    process.exitCode = EXIT.busy;
    return;
  }

  const ledger = openLedger(stateDir, jobfile.jobs.keys());
  const stopper = installStopSignals((signal) => {
    log({ type: 'stopping', signal, running: scheduler.active });
  });
  // SPEC 5: a daemon that lost its lock (it stalled past the staleness and another daemon took
  // the state dir) starts nothing more, stops what it runs, and exits non-zero.
  const onLost = (): void => {
    if (daemonLock.lost.reason !== 'lock-lost') return;
    const holder = locks.holder('daemon');
    const to = holder !== null && holder.pid !== process.pid ? `pid ${String(holder.pid)}${holder.host !== owner.host ? ` on ${holder.host}` : ''}` : 'another process';
    console.error(`${paint.red('tock:')} lost the daemon lock on ${stateDir} to ${to} after a stall; stopping`);
    if (!stopper.stop.signal.aborted) stopper.stop.abort('lock-lost');
  };
  daemonLock.lost.addEventListener('abort', onLost, { once: true });
  const deps = realEngineDeps(stateDir, ledger, (event) => { log({ type: 'run', event }); }, stopper, undefined, options.cgroup);
  // `tock pause` is seen as each instant is dispatched: one stat, no SIGHUP (docs/decisions.md).
  const paused = pauseWatch(stateDir, (message) => { log({ type: 'error', message }); });
  const scheduler = new Scheduler(deps, jobfile, fileWatermarks(stateDir), log, daemonLock, paused);
  // `status` reads this to say a daemon schedules the state dir, and whether on the jobfile on disk.
  const startedAt = new Date().toISOString();
  let listening: string | null = null;
  const record = (): void => {
    try {
      writeDaemonRecord(stateDir, selfRecord({ started_at: startedAt, version, jobfile: jobfile.path, jobfile_hash: jobfile.hash, listen: listening }));
    } catch (error) {
      // A full disk must not stop the scheduling; `status` then says less about this daemon.
      log({ type: 'error', message: `writing ${stateDir}/daemon.json: ${String(error)}` });
    }
  };

  const onHup = async (): Promise<void> => {
    try {
      const result = await load();
      // A reload that ends after SIGTERM changes nothing: the scheduler is stopping.
      if (stopper.stop.signal.aborted) return;
      if (!result.ok) {
        log({ type: 'reload-failed', problems: result.problems.map((d) => d.split('\n')[0] ?? d) });
        return;
      }
      jobfile = result.jobfile;
      scheduler.reload(jobfile);
      logSchedule(jobfile);
      record();
    } catch (error) {
      log({ type: 'reload-failed', problems: [error instanceof UserError ? error.message : String(error)] });
    }
  };
  // One reload at a time, in the order the signals came: a later file never loses to an earlier one.
  let reloading = Promise.resolve();
  const hup = (): void => { reloading = reloading.then(onHup); };
  process.on('SIGHUP', hup);

  // Counted once from the whole ledger in the background, then from what is appended: a scrape never rereads it.
  const counters = new RunCounters(ledger, () => new Promise((resolve) => setImmediate(resolve)));
  const metrics = (): string => {
    counters.refresh();
    const jobs = [...jobfile.jobs.values()].map((j) => counters.jobMetrics(j.name, summarizeJob(ledger, j.name)));
    return metricsText(jobs, [...counters.families(), ...schedulerMetrics(scheduler.lagMs)]);
  };
  const server = options.listen === undefined ? undefined : await (await import('../../daemon/http.js')).listen(options.listen, {
    metrics,
    status: () => statusDocument(readStatus([...jobfile.jobs.values()], ledger, stateDir, Date.now())),
  });
  listening = server?.address ?? null;
  record();

  const exposed = server === undefined ? undefined : listenWarning(options.listen ?? '', server.address);
  if (exposed !== undefined) process.stderr.write(`${paint.yellow(exposed)}\n`);
  log({ type: 'started', jobs: jobfile.jobs.size, pid: process.pid, state_dir: stateDir, ...(server !== undefined ? { listen: server.address } : {}) });
  logSchedule(jobfile);
  if (server !== undefined) {
    counters.seed().catch((error: unknown) => {
      log({ type: 'error', message: `counting the ledger for /metrics: ${String(error)}` });
    });
  }
  try {
    await scheduler.run();
  } finally {
    process.off('SIGHUP', hup);
    stopper.dispose();
    counters.close();
    await server?.close();
    removeDaemonRecord(stateDir, process.pid);
    await daemonLock.release();
    ledger.close();
    log({ type: 'stopped' });
  }
  process.exitCode = daemonLock.lost.aborted ? EXIT.busy : EXIT.ok;
}
