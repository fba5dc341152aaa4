import type { Job } from '../jobfile/types.js';
import type { JobMetrics, MetricFamily } from '../ledger/metrics.js';
import { ledgerMetrics } from '../ledger/metrics.js';
import type { JobSummary } from '../ledger/summary.js';
import { nextRun } from '../schedule/next-run.js';
import { renderPrometheus } from './render/prometheus.js';

/** The `status --json` document (SPEC 6), also served by the daemon at /status. */
export function statusDocument(jobs: readonly Job[], summaries: ReadonlyMap<string, JobSummary>, now: number) {
  return { jobs: jobs.map((j) => jsonRow(j, summaries.get(j.name), now)) };
}

function jsonRow(job: Job, summary: JobSummary | undefined, now: number) {
  const next = nextRun(job, now);
  const running = summary?.running ?? [];
  return {
    name: job.name,
    schedule: job.schedule?.text ?? null,
    timezone: job.timezone,
    enabled: job.enabled,
    running: running.length > 0,
    next_run: next === undefined ? null : new Date(next).toISOString(),
    last: summary?.last ?? null,
    description: job.description ?? null,
    needs: job.needs,
    running_runs: running.map((r) => ({ run_id: r.run_id, pid: r.pid, started_at: r.started_at })),
    recent: summary?.recent ?? [],
  };
}

/**
 * The Prometheus text of `status --prometheus` (jobs' metrics from a streaming read of the
 * ledger), also served by the daemon at /metrics (from its counters, with its own families in `extra`).
 */
export function metricsText(jobs: readonly JobMetrics[], extra: readonly MetricFamily[] = []): string {
  return renderPrometheus([...ledgerMetrics(jobs), ...extra]);
}
