import { stringify } from 'yaml';

import type { Concurrency, Job } from '../jobfile/types.js';

/** What the kubernetes and argo exports share: names, labels, cron, env and the fields left behind. */

export type Target = 'kubernetes' | 'argo';

export interface ExportOptions {
  /** The container image that has the jobs' commands and their tools. */
  image: string;
  /** The jobfile's file name (no host directory), kept in an annotation so a manifest says where it came from. */
  jobfile: string;
  /** The container's working directory (`--workdir`); unset, the image's own. A host path means nothing in a pod. */
  workdir?: string;
}

export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'tock' } as const;
export const JOB_LABEL = 'tock.dev/job';
export const JOB_ANNOTATION = 'tock.dev/job-name';
export const JOBFILE_ANNOTATION = 'tock.dev/jobfile';

/**
 * A lowercase RFC 1123 label of at most `max` characters: dots, underscores and anything else
 * become dashes, since a dot in a CronJob name ends up in the Job and pod names too.
 */
export function dnsLabel(text: string, max: number): string {
  const cleaned = text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-{2,}/g, '-');
  const trimmed = cleaned.slice(0, max).replace(/^-+|-+$/g, '');
  return trimmed === '' ? 'job' : trimmed;
}

/**
 * DNS-safe names for `names`, unique among themselves and against `reserved`: a clash gets
 * `-2`, `-3`, ... with the base cut short so the suffix still fits in `max`.
 */
export function uniqueDnsNames(names: readonly string[], max: number, reserved: readonly string[] = []): Map<string, string> {
  const unique = uniqueDnsList(names, max, reserved);
  return new Map(names.map((name, i) => [name, unique[i] as string]));
}

/** The same, position by position, for inputs that may repeat. */
export function uniqueDnsList(names: readonly string[], max: number, reserved: readonly string[] = []): string[] {
  const taken = new Set(reserved);
  return names.map((name) => {
    const base = dnsLabel(name, max);
    let candidate = base;
    for (let n = 2; taken.has(candidate); n++) {
      const suffix = `-${String(n)}`;
      candidate = `${dnsLabel(base, max - suffix.length)}${suffix}`;
    }
    taken.add(candidate);
    return candidate;
  });
}

/** A valid label value (at most 63 of [A-Za-z0-9._-], alphanumeric at both ends). */
export function labelValue(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return cleaned === '' ? 'job' : cleaned;
}

/** Labels and annotations naming a job and the jobfile it came from. */
export function jobMeta(job: Job, options: ExportOptions): { labels: Record<string, string>; annotations: Record<string, string> } {
  const annotations: Record<string, string> = { [JOBFILE_ANNOTATION]: options.jobfile, [JOB_ANNOTATION]: job.name };
  if (job.description !== undefined) annotations['tock.dev/description'] = job.description;
  return { labels: { ...MANAGED_BY, [JOB_LABEL]: labelValue(job.name) }, annotations };
}

export type CronConversion = { ok: true; cron: string } | { ok: false; reason: string };

/**
 * The 5-field cron both targets read. tock keeps 6 fields (seconds first); a seconds field other
 * than 0, or `@every`, has no 5-field form. Month and weekday names, and 7 for Sunday, become
 * numbers: Argo's schema allows only `[0-9*,/?-]`, and the Go cron parser both use reads 0-6.
 */
export function fiveFieldCron(job: Job): CronConversion {
  const schedule = job.schedule;
  if (schedule === undefined) return { ok: false, reason: 'it has no schedule' };
  if (schedule.kind === 'every') return { ok: false, reason: `"${schedule.text}" is an interval, which cron cannot express` };
  const fields = schedule.expression.split(' ');
  const { second, minute, hour, dom, month, dow } = schedule.fields;
  if (second.length !== 1 || second[0] !== 0) return { ok: false, reason: `"${schedule.text}" fires on second ${fields[0] ?? '?'}, and cron counts in minutes` };
  const values = [minute, hour, dom, month, dow];
  const five = fields.slice(1).map((field, i) => {
    const needsNumbers = /[a-z]/i.test(field) || (i === 4 && /7/.test(field));
    return needsNumbers ? (values[i] ?? []).join(',') : field;
  });
  return { ok: true, cron: five.join(' ') };
}

/** forbid, replace and allow carry over; queue has no equivalent, so it becomes Forbid (with a warning). */
export function concurrencyPolicy(concurrency: Concurrency): 'Forbid' | 'Replace' | 'Allow' {
  switch (concurrency) {
    case 'forbid':
    case 'queue':
      return 'Forbid';
    case 'replace':
      return 'Replace';
    case 'allow':
      return 'Allow';
  }
}

export function queueWarning(job: Job, target: Target): string {
  return `job "${job.name}": concurrency: queue has no ${target} equivalent (a run that finds the previous one going waits for it); exported as Forbid, which skips that run instead`;
}

/** Whole seconds, rounded up so a limit is never tighter than the one written. */
export function seconds(ms: number): number {
  return Math.ceil(ms / 1000);
}

/**
 * Kubernetes expands `$(VAR)` in command, args and env values and turns `$$` into `$`, so every
 * `$` of the jobfile is doubled to reach the shell unchanged (`$HOME`, `$$`, `$(date)`).
 */
export function escapeDollars(text: string): string {
  return text.replaceAll('$', '$$$$');
}

const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;

/** Replaces tock's `{{ name }}` with what `map` returns; undefined leaves the text and names it. */
export function mapTemplates(text: string, map: (name: string) => string | undefined): { text: string; unmapped: string[] } {
  const unmapped: string[] = [];
  const out = text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = map(name);
    if (value === undefined) unmapped.push(name);
    return value ?? whole;
  });
  return { text: out, unmapped };
}

/** `workingDir` for the container: only the one given for it, never the host's directory. */
export function workingDir(options: ExportOptions): { workingDir?: string } {
  return options.workdir === undefined ? {} : { workingDir: options.workdir };
}

/** The container's argv: a string command goes through the job's shell, as tock runs it. */
export function containerCommand(job: Job, render: (text: string) => string): string[] {
  return typeof job.command === 'string' ? [job.shell, '-c', render(job.command)] : job.command.map(render);
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: Record<string, unknown>;
}

/** The Secret a job's `from_env` / `from_file` values are read from, one per job, a key per variable. */
export function secretName(resource: string): string {
  return `${resource}-secrets`;
}

/**
 * The container's env: plain values as they are (templates mapped by `render`); secrets become
 * `secretKeyRef`s to a Secret the user creates, since a host file or variable is not in the cluster.
 */
export function containerEnv(job: Job, resource: string, render: (text: string) => string): { env: EnvVar[]; warnings: string[] } {
  const env: EnvVar[] = [];
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(job.env)) {
    if (typeof value === 'string') {
      env.push({ name, value: render(value) });
    } else {
      env.push({ name, valueFrom: { secretKeyRef: { name: secretName(resource), key: name } } });
      secrets.push(`${name} (${'from_file' in value ? `from_file ${value.from_file}` : `from_env ${value.from_env}`})`);
    }
  }
  const warnings = secrets.length === 0 ? [] : [
    `job "${job.name}": env ${secrets.join(', ')} ${secrets.length === 1 ? 'is' : 'are'} read from the Kubernetes Secret "${secretName(resource)}", which you create: ` +
    `kubectl create secret generic ${secretName(resource)} ${secrets.map((s) => `--from-literal=${s.split(' ')[0] ?? ''}=...`).join(' ')}`,
  ];
  return { env, warnings };
}

const HOOK_FIELDS = ['on_failure', 'on_success', 'on_retry', 'on_sla'] as const;

/**
 * Fields neither target can carry, each named in one warning per job (never dropped in silence).
 * Only fields set to something other than their default are named.
 */
export function commonDropped(job: Job, target: Target): string[] {
  const dropped: string[] = [];
  if (job.waitFor !== undefined) dropped.push('wait_for');
  if (job.jitterMs > 0) dropped.push('jitter');
  if (job.slaMs !== undefined) dropped.push('sla');
  for (const hook of HOOK_FIELDS) if (job.hooks[hook] !== undefined) dropped.push(hook);
  if (job.user !== undefined) dropped.push('user (set securityContext.runAsUser with a numeric uid)');
  if (job.group !== undefined) dropped.push('group (set securityContext.runAsGroup with a numeric gid)');
  // Both controllers start only the most recent missed time, within startingDeadlineSeconds.
  if (job.catchup === 'all') dropped.push(`catchup: all (${target} starts only the most recent missed run)`);
  if (job.catchup === 'none' && job.startDeadlineMs === undefined) dropped.push(`catchup: none (${target} starts the most recent missed run; set start_deadline to bound it)`);
  return dropped;
}

export function droppedWarning(job: Job, target: Target, dropped: readonly string[]): string[] {
  return dropped.length === 0 ? [] : [`job "${job.name}": not carried over to ${target}: ${dropped.join(', ')}`];
}

/**
 * One manifest as YAML text: lineWidth 0 keeps long commands on one line, and shared label
 * objects are written out each time rather than as `&a1` anchors, which read badly in a manifest.
 */
export function manifestText(manifest: unknown): string {
  return stringify(manifest, { lineWidth: 0, aliasDuplicateObjects: false });
}
