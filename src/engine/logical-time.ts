import { DateTime } from 'luxon';

import type { TemplateValues } from '../jobfile/templates.js';

/** ISO 8601 in UTC, to the millisecond: how every time is written in the ledger. */
export function isoUtc(ms: number): string {
  return new Date(ms).toISOString();
}

/** The template values and `TOCK_*` date variables for one attempt, in the job's zone. */
export function templateValues(job: string, zone: string, logicalMs: number, runId: string, attempt: number): TemplateValues {
  const local = DateTime.fromMillis(logicalMs, { zone });
  const ds = local.toISODate() ?? '';
  return {
    ds,
    ds_nodash: ds.replaceAll('-', ''),
    ts: local.toISO({ suppressMilliseconds: true }) ?? '',
    job,
    run_id: runId,
    attempt: String(attempt),
  };
}
