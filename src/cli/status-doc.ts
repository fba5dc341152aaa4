import { lateGraceMs, lateSince } from '../daemon/late.js';
import { jobfileHashOnDisk, liveDaemon } from '../io/daemon-record.js';
import { readPaused } from '../io/pause-store.js';
import { fileWatermarks } from '../io/watermarks.js';
import type { Job } from '../jobfile/types.js';
import type { JobMetrics, MetricFamily } from '../ledger/metrics.js';
import { ledgerMetrics } from '../ledger/metrics.js';
import type { LedgerReader } from '../ledger/ports.js';
import { recentRuns } from '../ledger/query.js';
import type { JobSummary } from '../ledger/summary.js';
import { summarizeJob } from '../ledger/summary.js';
import { nextRun } from '../schedule/next-run.js';
import { renderPrometheus } from './render/prometheus.js';

/** The daemon scheduling a state dir, as `status` shows it (SPEC 6's `daemon`, plus which jobfile and whether it is current). */
export interface DaemonStatus {
  running: true;
  pid: number;
  started_at: string;
  version: string;
  jobfile_hash: string;
  listen: string | null;
  jobfile: string;
  /** False when the jobfile on disk is not the one the daemon runs (edited since, not reloaded). */
  jobfile_current: boolean;
}

/** One job as `status` sees it now: what both the table and the JSON document are made from. */
export interface JobState {
  job: Job;
  summary: JobSummary;
  paused: boolean;
  /** When it became late (its first instant with no run, past the grace), if it is. */
  lateSince: number | undefined;
  next: number | undefined;
}

export interface StatusView {
  now: number;
  daemon: DaemonStatus | null;
  jobs: JobState[];
}

/** Everything `status` and the daemon's /status show, read from the state dir: one builder for both. */
export function readStatus(jobs: readonly Job[], store: LedgerReader, stateDir: string, now: number): StatusView {
  const daemon = daemonStatus(stateDir);
  const paused = readPaused(stateDir);
  const marks = fileWatermarks(stateDir).load();
  const grace = lateGraceMs(daemon !== null);
  const daemonStart = daemon !== null ? Date.parse(daemon.started_at) : undefined;
  return {
    now,
    daemon,
    jobs: jobs.map((job) => {
      const isPaused = paused.has(job.name);
      const handled = newest([newestScheduled(store, job.name), marks[job.name], daemonStart]);
      return { job, summary: summarizeJob(store, job.name), paused: isPaused, lateSince: lateSince(job, handled, now, grace, isPaused), next: nextRun(job, now) };
    }),
  };
}

/** The daemon's record in the state dir if its process lives, with whether the jobfile on disk is still the one it loaded. */
export function daemonStatus(stateDir: string): DaemonStatus | null {
  const record = liveDaemon(stateDir);
  if (record === undefined) return null;
  return {
    running: true, pid: record.pid, started_at: record.started_at, version: record.version, jobfile_hash: record.jobfile_hash,
    listen: record.listen, jobfile: record.jobfile, jobfile_current: jobfileHashOnDisk(record.jobfile) === record.jobfile_hash,
  };
}

/** The `status --json` document (SPEC 6), also served by the daemon at /status. */
export function statusDocument(view: StatusView) {
  return { daemon: view.daemon, jobs: view.jobs.map(jsonRow) };
}

function jsonRow({ job, summary, paused, lateSince: late, next }: JobState) {
  return {
    name: job.name,
    description: job.description ?? null,
    schedule: job.schedule?.text ?? null,
    timezone: job.timezone,
    enabled: job.enabled,
    paused,
    running: summary.running.length > 0,
    late: late !== undefined,
    late_since: late === undefined ? null : new Date(late).toISOString(),
    next_run: next === undefined ? null : new Date(next).toISOString(),
    last: summary.last,
    needs: job.needs,
    running_runs: summary.running.map((r) => ({ run_id: r.run_id, pid: r.pid, started_at: r.started_at })),
    recent: summary.recent,
  };
}

// A backfill runs old instants after newer ones: only the newest scheduled (or manual) run says what tock handled last.
function newestScheduled(store: LedgerReader, job: string): number | undefined {
  return newest(recentRuns(store, job, 5, { keep: (r) => r.trigger !== 'backfill' }).map((r) => Date.parse(r.logical_time)));
}

function newest(times: readonly (number | undefined)[]): number | undefined {
  const known = times.filter((t): t is number => t !== undefined && Number.isFinite(t));
  return known.length === 0 ? undefined : Math.max(...known);
}

/**
 * The Prometheus text of `status --prometheus` (jobs' metrics from a streaming read of the
 * ledger), also served by the daemon at /metrics (from its counters, with its own families in `extra`).
 */
export function metricsText(jobs: readonly JobMetrics[], extra: readonly MetricFamily[] = []): string {
  return renderPrometheus([...ledgerMetrics(jobs), ...extra]);
}
