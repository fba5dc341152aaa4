import { describe, expect, it } from 'vitest';

import { renderPrometheus } from '../../src/cli/render/prometheus.js';
import { schedulerMetrics } from '../../src/daemon/metrics.js';
import { ledgerMetrics } from '../../src/ledger/metrics.js';
import type { RunRecord } from '../../src/ledger/records.js';

const last: RunRecord = {
  run_id: 'r1', job: 'a"b', logical_time: '2026-11-01T00:00:00.000Z', trigger: 'schedule', outcome: 'failed',
  started_at: '2026-11-01T00:00:00.000Z', ended_at: '2026-11-01T00:00:02.500Z', duration_ms: 2500, exit_code: 1, signal: null,
  attempts: [], log: '/l', host: 'h', pid: 1, job_hash: 'j', jobfile_hash: 'f',
};

describe('renderPrometheus', () => {
  it('writes the ledger families and the daemon\'s lag gauge in one exposition, labels escaped', () => {
    const jobs = ledgerMetrics([
      { job: 'a"b', lastSuccess: undefined, last, running: 1, counts: { failed: 2 } },
      { job: 'idle', lastSuccess: undefined, last: null, running: 0, counts: {} },
    ]);
    const text = renderPrometheus([...jobs, ...schedulerMetrics(1500)]);
    const lines = text.split('\n');
    expect(text.endsWith('\n')).toBe(true);
    expect(lines.slice(0, 2)).toEqual([
      '# HELP tock_last_success_timestamp_seconds When the job last ended in success (Unix time).',
      '# TYPE tock_last_success_timestamp_seconds gauge',
    ]);
    expect(lines).toContain('tock_last_run_outcome{job="a\\"b",outcome="failed"} 1');
    expect(lines).toContain('tock_last_run_outcome{job="a\\"b",outcome="success"} 0');
    expect(lines).toContain('tock_last_run_duration_seconds{job="a\\"b"} 2.5');
    expect(lines).toContain(`tock_last_run_timestamp_seconds{job="a\\"b"} ${String(Date.parse(last.ended_at) / 1000)}`);
    expect(lines).toContain('tock_runs_total{job="a\\"b",outcome="failed"} 2');
    expect(lines).toContain('tock_runs_total{job="idle",outcome="success"} 0');
    expect(lines).toContain('tock_running{job="idle"} 0');
    // A job that never finished a run has no last-run samples.
    expect(lines.filter((l) => l.startsWith('tock_last_run_') && l.includes('idle'))).toEqual([]);
    expect(lines.slice(-4)).toEqual([
      '# HELP tock_scheduler_lag_seconds How late the scheduler woke for its last due instant, in seconds.',
      '# TYPE tock_scheduler_lag_seconds gauge',
      'tock_scheduler_lag_seconds 1.5',
      '',
    ]);
  });

  it('leaves the lag gauge out until the scheduler has woken', () => {
    expect(schedulerMetrics(undefined)).toEqual([]);
    expect(renderPrometheus([...ledgerMetrics([]), ...schedulerMetrics(undefined)])).not.toContain('lag');
  });
});
