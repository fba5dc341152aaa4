import type { Job } from '../jobfile/types.js';
import { renderPrometheus } from '../ledger/prometheus.js';
import { lastSuccess } from '../ledger/query.js';
import type { LedgerStore } from '../ledger/store.js';
import type { JobSummary } from '../ledger/summary.js';
import { countOutcomes } from '../ledger/summary.js';
import { nextRun } from '../schedule/next-run.js';

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

/** The Prometheus text of `status --prometheus`, also served by the daemon at /metrics. */
export function metricsText(store: LedgerStore, jobs: readonly Job[], summaries: ReadonlyMap<string, JobSummary>, extra = ''): string {
  return renderPrometheus(jobs.map((j) => ({
    job: j.name,
    lastSuccess: lastSuccess(store, j.name),
    last: summaries.get(j.name)?.last ?? null,
    running: summaries.get(j.name)?.running.length ?? 0,
    counts: countOutcomes(store, j.name),
  }))) + extra;
}
