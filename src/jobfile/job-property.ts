import { HOOK_EVENTS, JOB_FIELDS } from './fields.js';

export type JobFieldName = keyof typeof JOB_FIELDS;

/**
 * The `Job` property a YAML job field lands in, by the one rule normalize follows: snake_case
 * to camelCase, with `Ms` after a duration (`retry_delay` -> `retryDelayMs`, `wait_for` -> `waitFor`).
 * Hooks have none of their own: they sit under `hooks` by their YAML name.
 */
export function jobPropertyOf(field: JobFieldName): string {
  const camel = field.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
  return JOB_FIELDS[field].type.kind === 'duration' ? `${camel}Ms` : camel;
}

/** A YAML field's value in a job, or in a job's definition as the ledger stored it. */
export function jobFieldValue(job: Readonly<Record<string, unknown>>, field: JobFieldName): unknown {
  if ((HOOK_EVENTS as readonly string[]).includes(field)) return (job.hooks as Readonly<Record<string, unknown>> | undefined)?.[field];
  return job[jobPropertyOf(field)];
}
