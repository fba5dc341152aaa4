import type { Job, Jobfile, When } from '../jobfile/types.js';
import { UserError } from '../util/user-error.js';
import type { EnvVar, ExportOptions } from './k8s-common.js';
import {
  MANAGED_BY, JOBFILE_ANNOTATION, commonDropped, concurrencyPolicy, containerCommand, containerEnv, droppedWarning,
  escapeDollars, fiveFieldCron, jobMeta, manifestText, mapTemplates, queueWarning, seconds, uniqueDnsList, uniqueDnsNames, workingDir,
} from './k8s-common.js';
import type { ExportResult } from './types.js';

export type { ExportOptions } from './k8s-common.js';

/** Argo names each Workflow `<cronworkflow>-<unix seconds>`; the Workflow name must stay a 63-character label. */
const CRON_WORKFLOW_NAME_MAX = 52;
const DAG_TEMPLATE = 'tock-dag';

/**
 * tock's template variables in Argo's terms. `workflow.scheduledTime` is the scheduled time in
 * RFC 3339 (CronWorkflows only), so its first 10 characters are the date, as `ds` is.
 */
export const SCHEDULED_TIME = '{{workflow.scheduledTime}}';
export const DS = '{{=sprig.substr(0, 10, workflow.scheduledTime)}}';
export const DS_NODASH = "{{=sprig.replace('-', '', sprig.substr(0, 10, workflow.scheduledTime))}}";
export const RUN_ID = '{{workflow.name}}';
// Argo's `retries` counts from 0 and exists only with a retryStrategy; tock's attempt counts from 1.
const ATTEMPT = '{{=asInt(retries) + 1}}';

function templateValue(job: Job, name: string): string | undefined {
  switch (name) {
    case 'ds': return DS;
    case 'ds_nodash': return DS_NODASH;
    case 'ts': return SCHEDULED_TIME;
    case 'job': return job.name;
    case 'run_id': return RUN_ID;
    case 'attempt': return attemptValue(job);
    default: return undefined;
  }
}

function attemptValue(job: Job): string {
  return job.retries > 0 ? ATTEMPT : '1';
}

/** What the workflow as a whole takes from its scheduled jobs; jobs that differ here get their own. */
interface Group {
  schedule: string;
  timezone: string;
  enabled: boolean;
  concurrency: 'Forbid' | 'Replace' | 'Allow';
  startDeadlineMs: number | undefined;
  roots: Job[];
  members: Job[];
}

/**
 * `tock export argo`: an Argo Workflows CronWorkflow per distinct schedule (SPEC 8). Scheduled
 * jobs sharing a schedule, zone and workflow-level settings share one; every job downstream of
 * them without its own schedule joins that DAG. A schedule with seconds other than 0 is refused
 * (`UserError`); what does not carry over is named in `warnings`.
 */
export function exportArgo(jobfile: Jobfile, options: ExportOptions): ExportResult {
  const jobs = [...jobfile.jobs.values()];
  const warnings: string[] = [];
  const groups = groupJobs(jobs, warnings);
  const cwNames = uniqueDnsNames(groups.map((g) => (g.roots[0] as Job).name), CRON_WORKFLOW_NAME_MAX);
  const files = groups.map((group) => {
    const name = cwNames.get((group.roots[0] as Job).name) as string;
    return { name: `${name}.yaml`, text: manifestText(cronWorkflow(group, name, jobfile, options, warnings)) };
  });
  return { files, warnings };
}

function groupJobs(jobs: readonly Job[], warnings: string[]): Group[] {
  const byKey = new Map<string, Group>();
  const groupOf = new Map<string, Group | undefined>();
  const refused: string[] = [];
  for (const job of jobs) {
    if (job.schedule === undefined) continue;
    const schedule = argoSchedule(job, warnings);
    if (schedule === undefined) {
      refused.push(`"${job.name}": ${job.schedule.text} fires on a second other than 0`);
      continue;
    }
    const concurrency = concurrencyPolicy(job.concurrency);
    if (job.concurrency === 'queue') warnings.push(queueWarning(job, 'argo'));
    const key = JSON.stringify([schedule, job.timezone, job.enabled, concurrency, job.startDeadlineMs]);
    let group = byKey.get(key);
    if (group === undefined) {
      group = { schedule, timezone: job.timezone, enabled: job.enabled, concurrency, startDeadlineMs: job.startDeadlineMs, roots: [], members: [] };
      byKey.set(key, group);
    }
    group.roots.push(job);
    groupOf.set(job.name, group);
  }
  if (refused.length > 0) {
    throw new UserError('usage', `export argo: expected schedules on whole minutes, got ${refused.join('; ')}`,
      'write the schedule as 5 cron fields (minute hour day-of-month month day-of-week)');
  }
  // A job without a schedule runs in the workflow of its first need that has one.
  const byName = new Map(jobs.map((job) => [job.name, job]));
  const resolve = (job: Job, seen: ReadonlySet<string>): Group | undefined => {
    if (groupOf.has(job.name)) return groupOf.get(job.name);
    let found: Group | undefined;
    for (const need of job.needs) {
      const upstream = byName.get(need);
      if (upstream === undefined || seen.has(need)) continue;
      found = resolve(upstream, new Set([...seen, job.name]));
      if (found !== undefined) break;
    }
    groupOf.set(job.name, found);
    return found;
  };
  for (const job of jobs) {
    const group = resolve(job, new Set());
    if (group === undefined) {
      warnings.push(`job "${job.name}" has no schedule and runs downstream of no scheduled job, so it is in no CronWorkflow; run it with tock, or add a schedule`);
    } else {
      group.members.push(job);
    }
  }
  return [...byKey.values()];
}

/** The schedule as Argo reads it: 5-field cron, or `@every` (which Argo counts from the controller's start). */
function argoSchedule(job: Job, warnings: string[]): string | undefined {
  const schedule = job.schedule;
  if (schedule?.kind === 'every') {
    warnings.push(`job "${job.name}": ${schedule.text} is exported as @every, which Argo counts from when its controller started, not from tock's anchor`);
    return `@every ${String(Math.max(1, seconds(schedule.everyMs)))}s`;
  }
  const cron = fiveFieldCron(job);
  return cron.ok ? cron.cron : undefined;
}

function cronWorkflow(group: Group, name: string, jobfile: Jobfile, options: ExportOptions, warnings: string[]): Record<string, unknown> {
  const names = taskNames(group.members);
  const inGroup = new Set(group.members.map((job) => job.name));
  const tasks = group.members.map((job) => ({ job, needs: job.needs.filter((need) => inGroup.has(need)) }));
  for (const { job } of tasks) {
    const elsewhere = job.needs.filter((need) => !inGroup.has(need));
    if (elsewhere.length === 0) continue;
    warnings.push(job.schedule !== undefined
      ? `job "${job.name}" has both a schedule and needs: it runs in its own schedule's CronWorkflow "${name}", without waiting for ${elsewhere.join(', ')} (another workflow)`
      : `job "${job.name}": its need on ${elsewhere.join(', ')} is in another CronWorkflow and is dropped; it runs in "${name}"`);
  }
  // Argo refuses `dependencies` and `depends` in one DAG, so one failure/always task turns them all to `depends`.
  const useDepends = tasks.some(({ job, needs }) => job.when !== 'success' && needs.length > 0);
  const dagTasks = tasks.map(({ job, needs }) => {
    const task = names.get(job.name) as string;
    const deps = needs.map((need) => names.get(need) as string);
    return {
      name: task,
      template: task,
      ...(deps.length === 0 ? {} : useDepends ? { depends: dependsExpression(job.when, deps) } : { dependencies: deps }),
      // A disabled job downstream is skipped, as tock records it; a disabled root suspends the workflow.
      ...(job.enabled || job.schedule !== undefined ? {} : { when: 'false' }),
    };
  });
  for (const job of group.members) {
    if (job.schedule !== undefined) continue;
    const differs = [
      ...(job.concurrency !== 'forbid' ? [`concurrency: ${job.concurrency}`] : []),
      ...(job.startDeadlineMs !== undefined ? ['start_deadline'] : []),
    ];
    if (differs.length > 0) warnings.push(`job "${job.name}": ${differs.join(', ')} not carried over: a downstream job follows its CronWorkflow "${name}" (concurrency ${group.concurrency})`);
  }
  const deadline = workflowDeadline(group, name, warnings);
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'CronWorkflow',
    metadata: {
      name,
      labels: { ...MANAGED_BY },
      annotations: { [JOBFILE_ANNOTATION]: options.jobfile, 'tock.dev/jobs': group.members.map((job) => job.name).join(', ') },
    },
    spec: {
      schedules: [group.schedule],
      timezone: group.timezone,
      concurrencyPolicy: group.concurrency,
      ...(group.startDeadlineMs !== undefined ? { startingDeadlineSeconds: seconds(group.startDeadlineMs) } : {}),
      ...(group.enabled ? {} : { suspend: true }),
      workflowMetadata: { labels: { ...MANAGED_BY } },
      workflowSpec: {
        entrypoint: DAG_TEMPLATE,
        ...(deadline !== undefined ? { activeDeadlineSeconds: deadline } : {}),
        // tock's max_parallel bounds all jobs at once; here it bounds each workflow run.
        parallelism: jobfile.maxParallel,
        templates: [
          { name: DAG_TEMPLATE, dag: { tasks: dagTasks } },
          ...group.members.map((job) => containerTemplate(job, names.get(job.name) as string, options, warnings)),
        ],
      },
    },
  };
}

/** Task (and template) names: DNS labels starting with a letter, unique, never the DAG's own name. */
function taskNames(jobs: readonly Job[]): Map<string, string> {
  const letterFirst = jobs.map((job) => (/^[a-z]/i.test(job.name) ? job.name : `job-${job.name}`));
  const unique = uniqueDnsList(letterFirst, 63, [DAG_TEMPLATE]);
  return new Map(jobs.map((job, i) => [job.name, unique[i] as string]));
}

/**
 * Argo's enhanced `depends` for tock's `when`: success needs every need Succeeded; failure needs
 * one Failed or Errored (a timeout or a lost pod is a failure to tock); always waits for each need
 * to end in any way, Skipped and Omitted included, as tock runs it after skipped needs too.
 */
export function dependsExpression(when: When, needs: readonly string[]): string {
  switch (when) {
    case 'success':
      return needs.map((n) => `${n}.Succeeded`).join(' && ');
    case 'failure':
      return needs.map((n) => `${n}.Failed || ${n}.Errored`).join(' || ');
    case 'always':
      return needs.map((n) => `(${n}.Succeeded || ${n}.Failed || ${n}.Errored || ${n}.Skipped || ${n}.Omitted)`).join(' && ');
  }
}

/**
 * tock's `deadline` runs from the scheduled time, as the workflow does, but Argo has one per
 * workflow: the latest of the jobs' deadlines, set only when every job has one.
 */
function workflowDeadline(group: Group, name: string, warnings: string[]): number | undefined {
  const withDeadline = group.members.filter((job) => job.deadlineMs !== undefined);
  if (withDeadline.length === 0) return undefined;
  if (withDeadline.length < group.members.length) {
    warnings.push(`deadline of ${withDeadline.map((j) => `"${j.name}"`).join(', ')} not carried over: Argo has one deadline per workflow and other jobs in "${name}" have none`);
    return undefined;
  }
  const latest = Math.max(...withDeadline.map((job) => job.deadlineMs as number));
  const looser = withDeadline.filter((job) => job.deadlineMs !== latest);
  if (looser.length > 0) warnings.push(`deadline of ${looser.map((j) => `"${j.name}"`).join(', ')} loosened to ${String(seconds(latest))}s: Argo has one deadline per workflow ("${name}")`);
  return seconds(latest);
}

function containerTemplate(job: Job, task: string, options: ExportOptions, warnings: string[]): Record<string, unknown> {
  const render = (text: string): string => mapTemplates(escapeDollars(text), (v) => templateValue(job, v)).text;
  const { env, warnings: envWarnings } = containerEnv(job, task, render);
  warnings.push(...envWarnings);
  warnings.push(...droppedWarning(job, 'argo', commonDropped(job, 'argo')));
  const tockEnv: EnvVar[] = [
    { name: 'TOCK_JOB', value: job.name },
    { name: 'TOCK_RUN_ID', value: RUN_ID },
    { name: 'TOCK_ATTEMPT', value: attemptValue(job) },
    { name: 'TOCK_LOGICAL_TIME', value: SCHEDULED_TIME },
    { name: 'TOCK_DS', value: DS },
    { name: 'TOCK_TRIGGER', value: 'schedule' },
  ];
  const meta = jobMeta(job, options);
  return {
    name: task,
    metadata: { labels: meta.labels, annotations: meta.annotations },
    ...(job.retries > 0 ? { retryStrategy: retryStrategy(job) } : {}),
    // timeout is per attempt: the template's deadline applies to each retry's pod.
    ...(job.timeoutMs !== undefined ? { activeDeadlineSeconds: seconds(job.timeoutMs) } : {}),
    // tock's locks are mutexes shared between jobs; Argo's are shared across the namespace.
    ...(job.locks.length > 0 ? { synchronization: { mutexes: job.locks.map((lock) => ({ name: lock })) } } : {}),
    podSpecPatch: JSON.stringify({ terminationGracePeriodSeconds: seconds(job.killGraceMs) }),
    container: {
      // Argo's own name for a template's one container (the schema requires one).
      name: 'main',
      image: options.image,
      command: containerCommand(job, render),
      env: [...env, ...tockEnv],
      ...workingDir(options),
    },
  };
}

/**
 * retries, retry_delay, retry_backoff and max_retry_delay as Argo's backoff: `cap` bounds each
 * delay as max_retry_delay does (`maxDuration` would bound the whole retrying instead).
 * retry_on_exit / no_retry_on_exit become an `expression` on the last exit code.
 */
export function retryStrategy(job: Job): Record<string, unknown> {
  const factor = Number.isInteger(job.retryBackoff) ? job.retryBackoff : String(job.retryBackoff);
  const conditions = [
    ...(job.retryOnExit !== undefined ? [`asInt(lastRetry.exitCode) in [${job.retryOnExit.join(', ')}]`] : []),
    ...(job.noRetryOnExit !== undefined && job.noRetryOnExit.length > 0 ? [`asInt(lastRetry.exitCode) not in [${job.noRetryOnExit.join(', ')}]`] : []),
  ];
  return {
    limit: job.retries,
    // tock retries any failed attempt, a timeout or a lost pod included.
    retryPolicy: 'Always',
    backoff: { duration: `${String(seconds(job.retryDelayMs))}s`, factor, cap: `${String(seconds(job.maxRetryDelayMs))}s` },
    ...(conditions.length > 0 ? { expression: conditions.join(' && ') } : {}),
  };
}
