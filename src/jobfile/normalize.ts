import { createHash } from 'node:crypto';
import path from 'node:path';

import type { Schedule } from '../schedule/parse.js';
import { parseSchedule } from '../schedule/parse.js';
import { parseDuration } from '../util/duration.js';
import type { Catchup, Concurrency, EnvValue, Hook, HookEvent, Job, Jobfile, When } from './types.js';

type Plain = Record<string, unknown>;

/**
 * Turns a jobfile whose shape and rules are valid into `Jobfile`: defaults merged under each
 * job, durations in milliseconds, paths absolute. Never mutates its input.
 */
export function normalizeJobfile(value: Plain, filePath: string, text: string): Jobfile {
  const dir = path.dirname(filePath);
  const timezone = str(value.timezone) ?? 'UTC';
  const defaults = (value.defaults ?? {}) as Plain;
  const jobs = new Map<string, Job>();
  for (const [name, body] of Object.entries(value.jobs as Record<string, Plain>)) {
    jobs.set(name, normalizeJob(name, { ...defaults, ...body }, dir, timezone));
  }
  const stateDir = str(value.state_dir);
  return {
    path: filePath,
    dir,
    timezone,
    ...(stateDir !== undefined ? { stateDir: path.resolve(dir, stateDir) } : {}),
    maxParallel: typeof value.max_parallel === 'number' ? value.max_parallel : 4,
    jobs,
    hash: hash(text),
  };
}

function normalizeJob(name: string, f: Plain, dir: string, timezone: string): Job {
  const schedule = str(f.schedule) !== undefined ? scheduleOf(str(f.schedule) ?? '') : undefined;
  const hooks: Partial<Record<HookEvent, Hook>> = {};
  for (const event of ['on_failure', 'on_success', 'on_retry', 'on_sla'] as const) {
    if (f[event] !== undefined) hooks[event] = f[event] as Hook;
  }
  const waitFor = f.wait_for as Plain | undefined;
  const job: Omit<Job, 'hash'> = {
    name,
    ...opt('description', str(f.description)),
    command: Array.isArray(f.command) ? f.command.map(String) : String(f.command),
    ...(schedule !== undefined ? { schedule } : {}),
    timezone: str(f.timezone) ?? timezone,
    needs: (f.needs as string[] | undefined) ?? [],
    when: (f.when as When | undefined) ?? 'success',
    enabled: f.enabled !== false,
    retries: (f.retries as number | undefined) ?? 0,
    retryDelayMs: ms(f.retry_delay) ?? 10_000,
    retryBackoff: (f.retry_backoff as number | undefined) ?? 2,
    maxRetryDelayMs: ms(f.max_retry_delay) ?? 600_000,
    ...opt('retryOnExit', f.retry_on_exit as number[] | undefined),
    ...opt('noRetryOnExit', f.no_retry_on_exit as number[] | undefined),
    ...opt('timeoutMs', ms(f.timeout)),
    killGraceMs: ms(f.kill_grace) ?? 10_000,
    ...opt('deadlineMs', ms(f.deadline)),
    ...opt('slaMs', ms(f.sla)),
    concurrency: (f.concurrency as Concurrency | undefined) ?? 'forbid',
    locks: (f.locks as string[] | undefined) ?? [],
    catchup: (f.catchup as Catchup | undefined) ?? 'latest',
    ...opt('startDeadlineMs', ms(f.start_deadline)),
    jitterMs: ms(f.jitter) ?? 0,
    ...(waitFor !== undefined
      ? { waitFor: { path: String(waitFor.path), timeoutMs: ms(waitFor.timeout) ?? 3_600_000, pollMs: ms(waitFor.poll) ?? 5000 } }
      : {}),
    env: envOf(f.env as Plain | undefined, dir),
    workdir: path.resolve(dir, str(f.workdir) ?? '.'),
    shell: str(f.shell) ?? '/bin/sh',
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

function envOf(env: Plain | undefined, dir: string): Record<string, EnvValue> {
  const out: Record<string, EnvValue> = {};
  for (const [name, value] of Object.entries(env ?? {})) {
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

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
