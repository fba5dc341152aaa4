import type { Schedule } from '../schedule/parse.js';
import type { CATCHUP, CONCURRENCY, HOOK_EVENTS, WHEN } from './fields.js';

// The value lists live in the field table, which the validator and the schema read too.
export type When = (typeof WHEN)[number];
export type Concurrency = (typeof CONCURRENCY)[number];
export type Catchup = (typeof CATCHUP)[number];
export type HookEvent = (typeof HOOK_EVENTS)[number];

export interface Hook {
  command?: string;
  webhook?: string;
}

/** An `env` value: plain text, or a secret read when the run starts (never stored). */
export type EnvValue = string | { from_file: string } | { from_env: string };

export interface WaitFor {
  path: string;
  timeoutMs: number;
  pollMs: number;
}

/** A job with every default applied and every duration in milliseconds. */
export interface Job {
  name: string;
  description?: string;
  command: string | readonly string[];
  schedule?: Schedule;
  timezone: string;
  needs: readonly string[];
  when: When;
  enabled: boolean;
  retries: number;
  retryDelayMs: number;
  retryBackoff: number;
  maxRetryDelayMs: number;
  retryOnExit?: readonly number[];
  noRetryOnExit?: readonly number[];
  timeoutMs?: number;
  killGraceMs: number;
  /** `log_max` in bytes. */
  logMax: number;
  deadlineMs?: number;
  slaMs?: number;
  concurrency: Concurrency;
  locks: readonly string[];
  catchup: Catchup;
  startDeadlineMs?: number;
  jitterMs: number;
  waitFor?: WaitFor;
  env: Readonly<Record<string, EnvValue>>;
  /** Absolute. */
  workdir: string;
  shell: string;
  user?: string;
  group?: string;
  hooks: Readonly<Partial<Record<HookEvent, Hook>>>;
  /** A hash of this job's definition, kept in every run record so `why` can say what changed. */
  hash: string;
}

export interface Jobfile {
  /** Absolute path of the file. */
  path: string;
  /** Its directory: where relative paths in it start. */
  dir: string;
  timezone: string;
  /** Absolute, when the file sets `state_dir`. */
  stateDir?: string;
  maxParallel: number;
  /** In file order. */
  jobs: ReadonlyMap<string, Job>;
  /** A hash of the whole file's text. */
  hash: string;
}
