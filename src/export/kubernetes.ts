import type { Job, Jobfile } from '../jobfile/types.js';
import { UserError } from '../util/user-error.js';
import type { EnvVar, ExportOptions } from './k8s-common.js';
import {
  commonDropped, concurrencyPolicy, containerCommand, containerEnv, droppedWarning, escapeDollars, fiveFieldCron,
  jobMeta, manifestText, mapTemplates, queueWarning, seconds, uniqueDnsNames, workingDir,
} from './k8s-common.js';
import type { ExportResult } from './types.js';

export type { ExportOptions } from './k8s-common.js';

/**
 * The controller names each Job `<cronjob>-<minutes since epoch>` (11 more characters) and a Job
 * name must stay a 63-character label, so a CronJob name has 52.
 */
const CRONJOB_NAME_MAX = 52;

// A CronJob's pod knows its Job's name (the run) through this label; nothing tells it the
// scheduled time or the attempt number.
const RUN_ID_REF = { fieldRef: { fieldPath: "metadata.labels['job-name']" } };
const MISSING_TOCK_VARS = /\bTOCK_(LOGICAL_TIME|DS|ATTEMPT)\b/g;
// The templates a CronJob can fill: the job's name, and the run (its Job's name, through TOCK_RUN_ID).
const CRONJOB_TEMPLATES: ReadonlySet<string> = new Set(['job', 'run_id']);

/** The texts tock renders templates in that reach the container: the command and plain env values. */
function jobTexts(job: Job): string[] {
  return [...(typeof job.command === 'string' ? [job.command] : job.command), ...Object.values(job.env).filter((v) => typeof v === 'string')];
}

/**
 * `tock export kubernetes`: a `batch/v1` CronJob per scheduled job (SPEC 8). Jobs with `needs`
 * and schedules cron cannot write (`@every`, seconds other than 0) are refused, all at once,
 * with a `UserError`: a partial export could be applied and quietly miss jobs. What does not
 * carry over is named in `warnings`.
 */
export function exportKubernetes(jobfile: Jobfile, options: ExportOptions): ExportResult {
  const jobs = [...jobfile.jobs.values()];
  refuseWhatCannotRun(jobs);
  // Every job has a schedule or needs (validation), and needs were refused: each gets a CronJob.
  const names = uniqueDnsNames(jobs.map((job) => job.name), CRONJOB_NAME_MAX);
  const warnings: string[] = [];
  const files = [];
  for (const job of jobs) {
    const name = names.get(job.name) as string;
    const built = cronJob(job, name, options);
    warnings.push(...built.warnings);
    files.push({ name: `${name}.yaml`, text: manifestText(built.manifest) });
  }
  return { files, warnings };
}

function refuseWhatCannotRun(jobs: readonly Job[]): void {
  const withNeeds = jobs.filter((job) => job.needs.length > 0);
  if (withNeeds.length > 0) {
    throw new UserError('usage',
      `export kubernetes: expected jobs without needs (a CronJob cannot wait for another), got ${withNeeds.map((j) => `"${j.name}" (needs ${j.needs.join(', ')})`).join(', ')}`,
      'export the pipeline with `tock export argo --image IMAGE`, which keeps needs as a DAG');
  }
  const templated = jobs.flatMap((job) => {
    const names = [...new Set(jobTexts(job).flatMap((t) => mapTemplates(t, (v) => (CRONJOB_TEMPLATES.has(v) ? v : undefined)).unmapped))];
    return names.length === 0 ? [] : [`"${job.name}" (${names.map((v) => `{{ ${v} }}`).join(', ')})`];
  });
  if (templated.length > 0) {
    // Left as written, `{{ ds }}` would reach the shell literally (and name a directory so).
    throw new UserError('usage',
      `export kubernetes: expected commands without {{ ds }}, {{ ds_nodash }}, {{ ts }} or {{ attempt }} (a CronJob tells its pod no scheduled time or attempt), got ${templated.join(', ')}`,
      'export with `tock export argo --image IMAGE`, which renders them from workflow.scheduledTime');
  }
  const refused: string[] = [];
  for (const job of jobs) {
    if (job.schedule === undefined) continue;
    const cron = fiveFieldCron(job);
    if (!cron.ok) refused.push(`"${job.name}": ${cron.reason}`);
  }
  if (refused.length > 0) {
    throw new UserError('usage',
      `export kubernetes: expected schedules a CronJob can express (5-field cron), got ${refused.join('; ')}`,
      'write the schedule as 5 cron fields (minute hour day-of-month month day-of-week), e.g. @every 10m as "*/10 * * * *"');
  }
}

/** One CronJob manifest and the warnings naming what it leaves behind. */
export function cronJob(job: Job, name: string, options: ExportOptions): { manifest: Record<string, unknown>; warnings: string[] } {
  const cron = fiveFieldCron(job);
  if (!cron.ok) throw new Error(`internal error: cronJob called for "${job.name}", whose schedule was refused: ${cron.reason}`);
  const warnings: string[] = [];
  const unmapped = new Set<string>();
  const render = (text: string): string => {
    const mapped = mapTemplates(escapeDollars(text), (v) => (v === 'job' ? job.name : v === 'run_id' ? '$(TOCK_RUN_ID)' : undefined));
    for (const v of mapped.unmapped) unmapped.add(v);
    return mapped.text;
  };
  const command = containerCommand(job, render);
  const { env, warnings: envWarnings } = containerEnv(job, name, render);
  warnings.push(...envWarnings);
  const tockEnv: EnvVar[] = [
    { name: 'TOCK_JOB', value: job.name },
    { name: 'TOCK_RUN_ID', valueFrom: RUN_ID_REF },
    { name: 'TOCK_TRIGGER', value: 'schedule' },
  ];
  if (unmapped.size > 0) throw new Error(`internal error: cronJob called for "${job.name}", whose templates were refused: ${[...unmapped].join(', ')}`);
  const missing = new Set(jobTexts(job).flatMap((t) => [...t.matchAll(MISSING_TOCK_VARS)].map((m) => m[0])));
  if (missing.size > 0) warnings.push(`job "${job.name}": ${[...missing].join(', ')} not set in a CronJob's pod (no scheduled time or attempt number there)`);
  if (job.concurrency === 'queue') warnings.push(queueWarning(job, 'kubernetes'));
  warnings.push(...droppedWarning(job, 'kubernetes', dropped(job)));
  if (job.startDeadlineMs !== undefined && job.startDeadlineMs < 10_000) {
    warnings.push(`job "${job.name}": start_deadline under 10s may never start a Job: the CronJob controller checks every 10 seconds`);
  }

  const meta = jobMeta(job, options);
  const podSpec: Record<string, unknown> = {
    // tock's retries are the Job's backoffLimit: a failed pod is replaced, never restarted in place.
    restartPolicy: 'Never',
    terminationGracePeriodSeconds: seconds(job.killGraceMs),
    ...(job.timeoutMs !== undefined ? { activeDeadlineSeconds: seconds(job.timeoutMs) } : {}),
    containers: [{
      name,
      image: options.image,
      command,
      env: [...env, ...tockEnv],
      ...workingDir(options),
    }],
  };
  const jobSpec: Record<string, unknown> = {
    backoffLimit: job.retries,
    // tock's deadline covers the whole run, retries included; timeout (above) is per attempt.
    ...(job.deadlineMs !== undefined ? { activeDeadlineSeconds: seconds(job.deadlineMs) } : {}),
    ...podFailurePolicy(job),
    template: { metadata: { labels: meta.labels }, spec: podSpec },
  };
  const manifest = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, labels: meta.labels, annotations: meta.annotations },
    spec: {
      schedule: cron.cron,
      timeZone: job.timezone,
      concurrencyPolicy: concurrencyPolicy(job.concurrency),
      ...(job.startDeadlineMs !== undefined ? { startingDeadlineSeconds: seconds(job.startDeadlineMs) } : {}),
      ...(job.enabled ? {} : { suspend: true }),
      jobTemplate: { metadata: { labels: meta.labels }, spec: jobSpec },
    },
  };
  return { manifest, warnings };
}

/** retry_on_exit / no_retry_on_exit as a pod failure policy: the listed codes end the Job at once. */
function podFailurePolicy(job: Job): Record<string, unknown> {
  if (job.retries === 0) return {};
  const sorted = (codes: readonly number[]): number[] => [...new Set(codes)].sort((a, b) => a - b);
  const rules: Record<string, unknown>[] = [];
  if (job.retryOnExit !== undefined) rules.push({ action: 'FailJob', onExitCodes: { operator: 'NotIn', values: sorted(job.retryOnExit) } });
  // The In operator refuses 0, which never fails a pod anyway.
  const noRetry = sorted(job.noRetryOnExit ?? []).filter((code) => code !== 0);
  if (noRetry.length > 0) rules.push({ action: 'FailJob', onExitCodes: { operator: 'In', values: noRetry } });
  return rules.length === 0 ? {} : { podFailurePolicy: { rules } };
}

/** Kubernetes-only losses on top of the common ones. */
function dropped(job: Job): string[] {
  const out = commonDropped(job, 'kubernetes');
  if (job.locks.length > 0) out.push(`locks (${job.locks.join(', ')}): a CronJob has no lock shared with other jobs`);
  if (job.retries > 0 && (job.retryDelayMs !== 10_000 || job.retryBackoff !== 2 || job.maxRetryDelayMs !== 600_000)) {
    out.push('retry_delay/retry_backoff/max_retry_delay (a Job retries after 10s, 20s, 40s ... capped at 6m)');
  }
  return out;
}
