import type { Outcome, RunRecord } from './records.js';

export interface JobMetrics {
  job: string;
  lastSuccess: RunRecord | undefined;
  last: RunRecord | null;
  running: number;
  counts: Partial<Record<Outcome, number>>;
}

const OUTCOMES: readonly Outcome[] = ['success', 'failed', 'timeout', 'deadline', 'skipped', 'missed', 'interrupted', 'killed'];

/**
 * The Prometheus text exposition format (version 0.0.4) of each job's state: what node_exporter's
 * textfile collector reads, and what the daemon's /metrics will serve.
 */
export function renderPrometheus(jobs: readonly JobMetrics[]): string {
  const out: string[] = [];
  const family = (name: string, type: 'gauge' | 'counter', help: string, samples: string[]): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples);
  };
  const label = (job: string, extra = ''): string => `{job="${escapeLabel(job)}"${extra}}`;
  family('tock_last_success_timestamp_seconds', 'gauge', 'When the job last ended in success (Unix time).',
    jobs.filter((j) => j.lastSuccess !== undefined).map((j) => `tock_last_success_timestamp_seconds${label(j.job)} ${seconds(j.lastSuccess?.ended_at)}`));
  family('tock_last_run_outcome', 'gauge', 'The outcome of the job\'s latest finished run: 1 for that outcome, 0 for the others.',
    jobs.filter((j) => j.last !== null).flatMap((j) => OUTCOMES.map((o) => `tock_last_run_outcome${label(j.job, `,outcome="${o}"`)} ${j.last?.outcome === o ? '1' : '0'}`)));
  family('tock_last_run_duration_seconds', 'gauge', 'How long the job\'s latest finished run took.',
    jobs.filter((j) => j.last !== null).map((j) => `tock_last_run_duration_seconds${label(j.job)} ${String((j.last?.duration_ms ?? 0) / 1000)}`));
  family('tock_last_run_timestamp_seconds', 'gauge', 'When the job\'s latest finished run ended (Unix time).',
    jobs.filter((j) => j.last !== null).map((j) => `tock_last_run_timestamp_seconds${label(j.job)} ${seconds(j.last?.ended_at)}`));
  family('tock_runs_total', 'counter', 'Finished runs by outcome, as the ledger holds them (compaction lowers it).',
    jobs.flatMap((j) => OUTCOMES.map((o) => `tock_runs_total${label(j.job, `,outcome="${o}"`)} ${String(j.counts[o] ?? 0)}`)));
  family('tock_running', 'gauge', 'Runs of the job in flight now.', jobs.map((j) => `tock_running${label(j.job)} ${String(j.running)}`));
  return `${out.join('\n')}\n`;
}

function seconds(iso: string | undefined): string {
  return iso === undefined ? 'NaN' : String(Date.parse(iso) / 1000);
}

// Label values escape backslash, double quote and newline (exposition format).
function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}
