import { createHash } from 'node:crypto';
import path from 'node:path';

import type { Schedule } from '../schedule/parse.js';
import { parseSchedule } from '../schedule/parse.js';
import { parseDuration } from '../util/duration.js';
import { parseSize } from '../util/size.js';
import { HOOK_EVENTS, JOB_FIELDS, TOP_FIELDS } from './fields.js';
import type { Catchup, Concurrency, EnvValue, Hook, HookEvent, Job, Jobfile, When } from './types.js';

type Plain = Record<string, unknown>;

const F = JOB_FIELDS;
const WAIT_FOR = JOB_FIELDS.wait_for.type.fields;

/**
 * Turns a jobfile whose shape and rules are valid into `Jobfile`: defaults merged under each
 * job, durations in milliseconds, paths absolute. Never mutates its input. Every default comes
 * from the field table; a field the table says follows another is resolved here.
 */
export function normalizeJobfile(value: Plain, filePath: string, text: string): Jobfile {
  const dir = path.dirname(filePath);
  const timezone = str(value.timezone) ?? TOP_FIELDS.timezone.default;
  const defaults = (value.defaults ?? TOP_FIELDS.defaults.default) as Plain;
  const jobs = new Map<string, Job>();
  for (const [name, body] of Object.entries(value.jobs as Record<string, Plain>)) {
    jobs.set(name, normalizeJob(name, withDefaults(defaults, body), dir, timezone));
  }
  const stateDir = str(value.state_dir);
  return {
    path: filePath,
    dir,
    timezone,
    ...(stateDir !== undefined ? { stateDir: path.resolve(dir, stateDir) } : {}),
    maxParallel: typeof value.max_parallel === 'number' ? value.max_parallel : TOP_FIELDS.max_parallel.default,
    jobs,
    hash: hash(text),
  };
}

/**
 * A job's value replaces the default's for every field (hooks included) but `env`, whose
 * variables merge: the default's, then the job's, the job's winning on the same name (SPEC 2).
 */
function withDefaults(defaults: Plain, job: Plain): Plain {
  const merged: Plain = { ...defaults, ...job };
  if (defaults.env !== undefined && job.env !== undefined) merged.env = { ...(defaults.env as Plain), ...(job.env as Plain) };
  return merged;
}

function normalizeJob(name: string, f: Plain, dir: string, timezone: string): Job {
  const schedule = str(f.schedule) !== undefined ? scheduleOf(str(f.schedule) ?? '') : undefined;
  const hooks: Partial<Record<HookEvent, Hook>> = {};
  for (const event of HOOK_EVENTS) {
    if (f[event] !== undefined) hooks[event] = f[event] as Hook;
  }
  const waitFor = f.wait_for as Plain | undefined;
  const job: Omit<Job, 'hash'> = {
    name,
    ...opt('description', str(f.description)),
    command: Array.isArray(f.command) ? f.command.map(String) : String(f.command),
    ...(schedule !== undefined ? { schedule } : {}),
    timezone: str(f.timezone) ?? timezone,
    needs: (f.needs as string[] | undefined) ?? F.needs.default,
    when: (f.when as When | undefined) ?? F.when.default,
    enabled: (f.enabled as boolean | undefined) ?? F.enabled.default,
    retries: (f.retries as number | undefined) ?? F.retries.default,
    retryDelayMs: ms(f.retry_delay) ?? F.retry_delay.default,
    retryBackoff: (f.retry_backoff as number | undefined) ?? F.retry_backoff.default,
    maxRetryDelayMs: ms(f.max_retry_delay) ?? F.max_retry_delay.default,
    ...opt('retryOnExit', f.retry_on_exit as number[] | undefined),
    ...opt('noRetryOnExit', f.no_retry_on_exit as number[] | undefined),
    ...opt('timeoutMs', ms(f.timeout)),
    killGraceMs: ms(f.kill_grace) ?? F.kill_grace.default,
    logMax: parseSize(str(f.log_max) ?? F.log_max.default) ?? 0,
    ...opt('deadlineMs', ms(f.deadline)),
    ...opt('slaMs', ms(f.sla)),
    concurrency: (f.concurrency as Concurrency | undefined) ?? F.concurrency.default,
    locks: (f.locks as string[] | undefined) ?? F.locks.default,
    catchup: (f.catchup as Catchup | undefined) ?? F.catchup.default,
    ...opt('startDeadlineMs', ms(f.start_deadline)),
    jitterMs: ms(f.jitter) ?? F.jitter.default,
    ...(waitFor !== undefined
      ? { waitFor: { path: String(waitFor.path), timeoutMs: ms(waitFor.timeout) ?? WAIT_FOR.timeout.default, pollMs: ms(waitFor.poll) ?? WAIT_FOR.poll.default } }
      : {}),
    env: envOf((f.env as Plain | undefined) ?? F.env.default, dir),
    // The table's default: the jobfile's directory.
    workdir: path.resolve(dir, str(f.workdir) ?? '.'),
    shell: str(f.shell) ?? F.shell.default,
    ...opt('user', str(f.user)),
    ...opt('group', str(f.group)),
    hooks,
  };
  return { ...job, hash: hash(JSON.stringify(job)) };
}

function scheduleOf(text: string): Schedule | undefined {
  const parsed = parseSchedule(text);
  return parsed.ok ? parsed.schedule : undefined;
}

function envOf(env: Readonly<Plain>, dir: string): Record<string, EnvValue> {
  const out: Record<string, EnvValue> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== null && typeof value === 'object') {
      const source = value as { from_file?: string; from_env?: string };
      out[name] = source.from_file !== undefined ? { from_file: path.resolve(dir, source.from_file) } : { from_env: source.from_env ?? '' };
    } else {
      out[name] = String(value);
    }
  }
  return out;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function ms(value: unknown): number | undefined {
  return typeof value === 'string' || typeof value === 'number' ? parseDuration(value) : undefined;
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The hash of a jobfile's text (`Jobfile.hash`): what the daemon records, so `status` can tell a stale one. */
export function jobfileHash(text: string): string {
  return hash(text);
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
