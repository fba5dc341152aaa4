import type { MetricFamily } from '../ledger/metrics.js';

/** The daemon's own metrics beside the ledger's: how late the scheduler woke, when it has woken. */
export function schedulerMetrics(lagMs: number | undefined): MetricFamily[] {
  if (lagMs === undefined || !Number.isFinite(lagMs)) return [];
  return [{
    name: 'tock_scheduler_lag_seconds', type: 'gauge', help: 'How late the scheduler woke for its last due instant, in seconds.',
    samples: [{ value: lagMs / 1000 }],
  }];
}
