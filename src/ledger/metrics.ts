import type { LedgerReader } from './ports.js';
import { lastSuccess } from './query.js';
import type { Outcome, RunRecord } from './records.js';
import type { JobSummary } from './summary.js';
import { countOutcomes } from './summary.js';

/** A metric and its samples, as data: `src/cli/render/prometheus.ts` writes the text. */
export interface MetricFamily {
  name: string;
  type: 'gauge' | 'counter';
  help: string;
  samples: Sample[];
}

export interface Sample {
  labels?: Readonly<Record<string, string>>;
  /** NaN when the value is unknown. */
  value: number;
}

/** What the metrics say of one job. */
export interface JobMetrics {
  job: string;
  lastSuccess: RunRecord | undefined;
  last: RunRecord | null;
  running: number;
  counts: Partial<Record<Outcome, number>>;
}

const OUTCOMES: readonly Outcome[] = ['success', 'failed', 'timeout', 'deadline', 'skipped', 'missed', 'interrupted', 'killed'];

/** A job's metrics from its summary, plus its latest success and its outcome counts (a full read). */
export function jobMetrics(store: LedgerReader, job: string, summary: JobSummary | undefined): JobMetrics {
  return {
    job,
    lastSuccess: lastSuccess(store, job),
    last: summary?.last ?? null,
    running: summary?.running.length ?? 0,
    counts: countOutcomes(store, job),
  };
}

/** Each job's state as metric families: what `/metrics` and `status --prometheus` expose. */
export function ledgerMetrics(jobs: readonly JobMetrics[]): MetricFamily[] {
  const finished = jobs.flatMap((j) => (j.last === null ? [] : [{ job: j.job, last: j.last }]));
  const byOutcome = (job: string, value: (o: Outcome) => number): Sample[] => OUTCOMES.map((o) => ({ labels: { job, outcome: o }, value: value(o) }));
  return [
    {
      name: 'tock_last_success_timestamp_seconds', type: 'gauge', help: 'When the job last ended in success (Unix time).',
      samples: jobs.flatMap((j) => (j.lastSuccess === undefined ? [] : [{ labels: { job: j.job }, value: seconds(j.lastSuccess.ended_at) }])),
    },
    {
      name: 'tock_last_run_outcome', type: 'gauge', help: 'The outcome of the job\'s latest finished run: 1 for that outcome, 0 for the others.',
      samples: finished.flatMap((j) => byOutcome(j.job, (o) => (j.last.outcome === o ? 1 : 0))),
    },
    {
      name: 'tock_last_run_duration_seconds', type: 'gauge', help: 'How long the job\'s latest finished run took.',
      samples: finished.map((j) => ({ labels: { job: j.job }, value: j.last.duration_ms / 1000 })),
    },
    {
      name: 'tock_last_run_timestamp_seconds', type: 'gauge', help: 'When the job\'s latest finished run ended (Unix time).',
      samples: finished.map((j) => ({ labels: { job: j.job }, value: seconds(j.last.ended_at) })),
    },
    {
      name: 'tock_runs_total', type: 'counter', help: 'Finished runs by outcome, as the ledger holds them (compaction lowers it).',
      samples: jobs.flatMap((j) => byOutcome(j.job, (o) => j.counts[o] ?? 0)),
    },
    { name: 'tock_running', type: 'gauge', help: 'Runs of the job in flight now.', samples: jobs.map((j) => ({ labels: { job: j.job }, value: j.running })) },
  ];
}

function seconds(iso: string): number {
  return Date.parse(iso) / 1000;
}
