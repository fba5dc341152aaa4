import type { Job } from '../jobfile/types.js';
import type { MetricFamily } from '../ledger/metrics.js';
import { jobMetrics, ledgerMetrics } from '../ledger/metrics.js';
import type { LedgerReader } from '../ledger/ports.js';
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

/** The Prometheus text of `status --prometheus`, also served by the daemon at /metrics (with its own families in `extra`). */
export function metricsText(store: LedgerReader, jobs: readonly Job[], summaries: ReadonlyMap<string, JobSummary>, extra: readonly MetricFamily[] = []): string {
  return renderPrometheus([...ledgerMetrics(jobs.map((j) => jobMetrics(store, j.name, summaries.get(j.name)))), ...extra]);
}
