import { SIZE_PATTERN } from '../util/size.js';

/**
 * The one description of the jobfile's shape. The validator walks a YAML document against it,
 * `normalize.ts` takes every default from it, the unions in `types.ts` derive from its value
 * lists, and `write-schema.ts` turns it into `schema/tock.schema.json`, so none can drift apart.
 */
export const WHEN = ['success', 'failure', 'always'] as const;
export const CONCURRENCY = ['forbid', 'queue', 'replace', 'allow'] as const;
export const CATCHUP = ['none', 'latest', 'all'] as const;
export const HOOK_EVENTS = ['on_failure', 'on_success', 'on_retry', 'on_sla'] as const;

export type FieldType =
  | { kind: 'string'; pattern?: string }
  | { kind: 'command' }
  | { kind: 'schedule' }
  | { kind: 'zone' }
  | { kind: 'duration' }
  | { kind: 'integer'; min: number; max?: number }
  | { kind: 'number'; min: number }
  | { kind: 'boolean' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'list'; item: 'job-name' | 'lock-name' | 'exit-code' }
  | { kind: 'env' }
  | { kind: 'hook' }
  | { kind: 'object'; fields: FieldTable; required?: readonly string[] }
  | { kind: 'jobs' };

/** A default that is no value of its own but follows another (the job's zone follows the file's). */
export interface Follows {
  follows: string;
}

/**
 * A default as the value normalize uses: a duration in milliseconds, a list, a mapping, a
 * scalar; `show-default.ts` turns it into what a user would write (`10_000` -> `10s`).
 */
export type DefaultValue = string | number | boolean | readonly string[] | Readonly<Record<string, never>> | Follows;

export interface Field {
  type: FieldType;
  description: string;
  default?: DefaultValue;
}

export type FieldTable = Readonly<Record<string, Field>>;

export const JOB_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$';
export const ENV_NAME_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';
export const LOCK_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$';

const hook = {
  type: { kind: 'hook' },
  description: 'a command (`{ command: STRING }`) and/or a webhook (`{ webhook: URL }`) run after the event',
} as const satisfies Field;

/** Every field of a job. `defaults:` takes the same fields except those in `NOT_IN_DEFAULTS`. */
export const JOB_FIELDS = {
  description: { type: { kind: 'string' }, description: 'free text shown by `status`' },
  log_max: {
    type: { kind: 'string', pattern: SIZE_PATTERN },
    description: 'size cap of one run\'s log (`64MiB`, `1MB`, `512KiB`): the head and the tail are kept, the cut is marked',
    default: '64MiB',
  },
  command: {
    type: { kind: 'command' },
    description: 'a string runs with `shell -c`; a list is an argv and runs with no shell',
  },
  schedule: {
    type: { kind: 'schedule' },
    description:
      '5-field cron, 6-field cron (seconds first), @yearly @annually @monthly @weekly @daily @midnight @hourly, or @every DURATION',
  },
  timezone: { type: { kind: 'zone' }, description: 'IANA zone for `schedule`', default: { follows: 'the top-level timezone' } },
  needs: { type: { kind: 'list', item: 'job-name' }, description: 'jobs that must finish first', default: [] },
  when: {
    type: { kind: 'enum', values: WHEN },
    description: 'run after needs succeeded / any failed / all finished',
    default: 'success',
  },
  enabled: { type: { kind: 'boolean' }, description: '`false` keeps the job but never schedules it', default: true },
  retries: { type: { kind: 'integer', min: 0, max: 100 }, description: 'extra attempts after a failed attempt', default: 0 },
  retry_delay: { type: { kind: 'duration' }, description: 'delay before the first retry', default: 10_000 },
  retry_backoff: { type: { kind: 'number', min: 1 }, description: 'multiplier of the delay for each further retry', default: 2 },
  max_retry_delay: { type: { kind: 'duration' }, description: 'cap on the delay between attempts', default: 600_000 },
  retry_on_exit: { type: { kind: 'list', item: 'exit-code' }, description: 'only these exit codes are retried' },
  no_retry_on_exit: { type: { kind: 'list', item: 'exit-code' }, description: 'these exit codes are never retried' },
  timeout: { type: { kind: 'duration' }, description: 'per attempt: TERM to the process group, KILL after kill_grace' },
  kill_grace: { type: { kind: 'duration' }, description: 'time between TERM and KILL', default: 10_000 },
  deadline: { type: { kind: 'duration' }, description: 'whole run, waits and retries included' },
  sla: { type: { kind: 'duration' }, description: 'alert when the run has not succeeded by logical time + sla' },
  concurrency: {
    type: { kind: 'enum', values: CONCURRENCY },
    description: 'what a run does when the job is already running',
    default: 'forbid',
  },
  locks: { type: { kind: 'list', item: 'lock-name' }, description: 'shared resource locks held for the run', default: [] },
  catchup: {
    type: { kind: 'enum', values: CATCHUP },
    description: 'instants missed while the daemon was down',
    default: 'latest',
  },
  start_deadline: { type: { kind: 'duration' }, description: 'a scheduled run that cannot start by logical time + this is `missed`' },
  jitter: { type: { kind: 'duration' }, description: 'deterministic delay in [0, jitter) from a hash of the job name', default: 0 },
  wait_for: {
    type: {
      kind: 'object',
      required: ['path'],
      fields: {
        path: { type: { kind: 'string' }, description: 'the path to wait for (templates allowed)' },
        timeout: { type: { kind: 'duration' }, description: 'how long to wait before the run fails', default: 3_600_000 },
        poll: { type: { kind: 'duration' }, description: 'how often to look', default: 5000 },
      },
    },
    description: 'wait until a path exists before the first attempt',
  },
  env: {
    type: { kind: 'env' },
    description: 'environment added to tock\'s: a string, `{ from_file: PATH }` or `{ from_env: NAME }`',
    default: {},
  },
  workdir: { type: { kind: 'string' }, description: 'working directory, relative to the jobfile', default: { follows: 'the jobfile\'s directory' } },
  shell: { type: { kind: 'string' }, description: 'shell for string commands', default: '/bin/sh' },
  user: { type: { kind: 'string' }, description: 'run as this account (tock must run as root)' },
  group: { type: { kind: 'string' }, description: 'run with this group (tock must run as root)' },
  ...({ on_failure: hook, on_success: hook, on_retry: hook, on_sla: hook } as const satisfies Record<(typeof HOOK_EVENTS)[number], Field>),
} as const satisfies FieldTable;

export const NOT_IN_DEFAULTS: readonly string[] = ['command', 'schedule', 'needs'];

export const DEFAULTS_FIELDS: FieldTable = Object.fromEntries(
  Object.entries(JOB_FIELDS).filter(([name]) => !NOT_IN_DEFAULTS.includes(name)),
);

export const TOP_FIELDS = {
  version: { type: { kind: 'integer', min: 1, max: 1 }, description: 'the jobfile format; must be 1' },
  timezone: { type: { kind: 'zone' }, description: 'default IANA zone for every schedule', default: 'UTC' },
  state_dir: { type: { kind: 'string' }, description: 'ledger, locks and logs, relative to the jobfile' },
  max_parallel: { type: { kind: 'integer', min: 1, max: 1024 }, description: 'most runs at once', default: 4 },
  defaults: { type: { kind: 'object', fields: DEFAULTS_FIELDS }, description: 'job fields applied to every job', default: {} },
  jobs: { type: { kind: 'jobs' }, description: 'the jobs, by name' },
} as const satisfies FieldTable;

export const TOP_REQUIRED: readonly string[] = ['version', 'jobs'];

/** Template variables allowed inside `{{ }}`. */
export const TEMPLATE_VARIABLES: readonly string[] = ['ds', 'ds_nodash', 'ts', 'job', 'run_id', 'attempt'];
