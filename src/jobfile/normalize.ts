import type { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';

import type { Schedule } from '../schedule/parse.js';
import { parseSchedule } from '../schedule/parse.js';
import { parseDuration } from '../util/duration.js';
import { parseSize } from '../util/size.js';
import { HOOK_EVENTS, JOB_FIELDS, TOP_FIELDS } from './fields.js';
import type { Catchup, Concurrency, EnvValue, Hook, HookEvent, Job, Jobfile, When } from './types.js';

type Plain = Record<string, unknown>;
/** A job before its hash. */
type Definition = Omit<Job, 'hash'>;

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
  const jobfile = {
    path: filePath,
    dir,
    timezone,
    ...(stateDir !== undefined ? { stateDir: path.resolve(dir, stateDir) } : {}),
    maxParallel: typeof value.max_parallel === 'number' ? value.max_parallel : TOP_FIELDS.max_parallel.default,
    jobs,
  };
  // The text is kept only until its hash is asked for (the daemon records it at start).
  return withLazyHash(jobfile, () => hash(text));
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
  // One literal with every key, an unset one undefined (JSON.stringify, and so the hash, leaves
  // it out): every job then has the same shape, with its fields inside the object. Spreading
  // optional keys in made each job an object of its own shape, a tenth of a big file's heap.
  const job: Definition = {
    name,
    description: str(f.description),
    command: Array.isArray(f.command) ? f.command.map(String) : String(f.command),
    schedule,
    timezone: str(f.timezone) ?? timezone,
    needs: (f.needs as string[] | undefined) ?? F.needs.default,
    when: (f.when as When | undefined) ?? F.when.default,
    enabled: (f.enabled as boolean | undefined) ?? F.enabled.default,
    retries: (f.retries as number | undefined) ?? F.retries.default,
    retryDelayMs: ms(f.retry_delay) ?? F.retry_delay.default,
    retryBackoff: (f.retry_backoff as number | undefined) ?? F.retry_backoff.default,
    maxRetryDelayMs: ms(f.max_retry_delay) ?? F.max_retry_delay.default,
    retryOnExit: f.retry_on_exit as number[] | undefined,
    noRetryOnExit: f.no_retry_on_exit as number[] | undefined,
    timeoutMs: ms(f.timeout),
    killGraceMs: ms(f.kill_grace) ?? F.kill_grace.default,
    logMax: parseSize(str(f.log_max) ?? F.log_max.default) ?? 0,
    deadlineMs: ms(f.deadline),
    slaMs: ms(f.sla),
    concurrency: (f.concurrency as Concurrency | undefined) ?? F.concurrency.default,
    locks: (f.locks as string[] | undefined) ?? F.locks.default,
    catchup: (f.catchup as Catchup | undefined) ?? F.catchup.default,
    startDeadlineMs: ms(f.start_deadline),
    jitterMs: ms(f.jitter) ?? F.jitter.default,
    waitFor: waitFor === undefined ? undefined
      : { path: String(waitFor.path), timeoutMs: ms(waitFor.timeout) ?? WAIT_FOR.timeout.default, pollMs: ms(waitFor.poll) ?? WAIT_FOR.poll.default },
    env: envOf((f.env as Plain | undefined) ?? F.env.default, dir),
    // The table's default: the jobfile's directory.
    workdir: path.resolve(dir, str(f.workdir) ?? '.'),
    shell: str(f.shell) ?? F.shell.default,
    user: str(f.user),
    group: str(f.group),
    hooks,
  };
  return withLazyHash(job);
}

/**
 * Adds `hash` as a property computed when first read: loading 100,000 jobs need not hash each
 * definition, only a run does. A job's is the hash of its JSON: while that is written the
 * property reads undefined, which JSON.stringify leaves out, so it is still the hash of the
 * definition without it. `of` gives another (the jobfile's: of its text, kept until then).
 */
function withLazyHash<T extends object>(value: T, of?: () => string): T & { hash: string } {
  if (of !== undefined) sources.set(value, of);
  // One getter for every object, so that jobs keep sharing one shape (a getter of its own per
  // job would give each its own).
  return Object.defineProperty(value, 'hash', HASH_PROPERTY) as T & { hash: string };
}

const sources = new WeakMap<object, () => string>();
const hashes = new WeakMap<object, string>();
const hashing = new WeakSet<object>();
const HASH_PROPERTY: PropertyDescriptor = {
  enumerable: true,
  get(this: object): string | undefined {
    const memo = hashes.get(this);
    if (memo !== undefined || hashing.has(this)) return memo;
    hashing.add(this);
    try {
      const digest = sources.get(this)?.() ?? hash(JSON.stringify(this));
      hashes.set(this, digest);
      sources.delete(this);
      return digest;
    } finally {
      hashing.delete(this);
    }
  },
};

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

/** The hash of a jobfile's text (`Jobfile.hash`): what the daemon records, so `status` can tell a stale one. */
export function jobfileHash(text: string): string {
  return hash(text);
}

// node:crypto is loaded by the first hash, not by every command that reads a jobfile.
const require = createRequire(import.meta.url);

function hash(text: string): string {
  return (require('node:crypto') as { createHash: typeof createHash }).createHash('sha256').update(text).digest('hex').slice(0, 16);
}
