import type { Job } from '../jobfile/types.js';
import { renderTemplate } from '../jobfile/templates.js';
import type { Trigger } from '../ledger/records.js';
import type { Emit } from './events.js';
import type { Gate } from './gate.js';
import type { Account, Clock, Host, Ledger, LockManager, OutputSink, Spawner } from './ports.js';
import { templateValues } from './logical-time.js';

/** Everything a run needs from outside, built once by the CLI (STYLE habit 2). */
export interface EngineDeps {
  clock: Clock;
  spawner: Spawner;
  locks: LockManager;
  ledger: Ledger;
  host: Host;
  emit: Emit;
  newRunId: (job: string, logicalMs: number) => string;
  /** Live output of a run's attempts and hooks (for the terminal); the log file gets it regardless. */
  output?: (job: string, runId: string) => OutputSink | undefined;
  /** Aborts for a graceful stop: running attempts get TERM, then KILL after their grace. */
  stop: AbortSignal;
  /** Aborts for an immediate stop (a second Ctrl-C): KILL without waiting for the grace. */
  hardStop: AbortSignal;
}

export interface RunRequest {
  job: Job;
  logicalMs: number;
  trigger: Trigger;
  jobfilePath: string;
  jobfileHash: string;
  /** Never run a (job, logical time) twice: skip it when it succeeded or runs elsewhere. */
  dedupe?: boolean;
  /** With dedupe: run even when it succeeded before (`backfill --force`); never twice at once. */
  rerun?: boolean;
  /** Wait for the job lock whatever `concurrency` says (backfill waits instead of skipping). */
  waitForLock?: boolean;
  /** Needs' runs this run waits for (a job with both a schedule and needs). */
  joins?: readonly NeedKey[];
  /**
   * Pre-armed (the daemon, a few ms before the instant): the run key, the locks, the in-flight
   * record and the setup are done at once; the first attempt waits for the gate to open.
   */
  armed?: Gate;
}

/** One run key: a job and a logical time (ISO, UTC). */
export interface NeedKey {
  job: string;
  logicalTime: string;
}

/** Per-run values computed once: identity, environment and the account to run as. */
export interface RunSetup {
  runId: string;
  log: string;
  /** tock's environment, the account's and the job's secrets: passed on as they are. */
  env: Record<string, string>;
  /** The job's literal `env` values, whose templates are rendered for each attempt. */
  templated: Record<string, string>;
  account?: Account;
  gid?: number;
}

/** The argv of one attempt, templates rendered; a string command goes through the job's shell. */
export function attemptArgv(job: Job, values: ReturnType<typeof templateValues>): string[] {
  return typeof job.command === 'string'
    ? [job.shell, '-c', renderTemplate(job.command, values)]
    : job.command.map((arg) => renderTemplate(arg, values));
}

/** The environment of one attempt: tock's, the account's, the job's `env`, then the TOCK_* set. */
export function attemptEnv(request: RunRequest, setup: RunSetup, attempt: number): Record<string, string> {
  const { job, logicalMs } = request;
  const values = templateValues(job.name, job.timezone, logicalMs, setup.runId, attempt);
  const env: Record<string, string> = { ...setup.env };
  for (const [name, value] of Object.entries(setup.templated)) env[name] = renderTemplate(value, values);
  return {
    ...env,
    TOCK_JOB: job.name,
    TOCK_RUN_ID: setup.runId,
    TOCK_ATTEMPT: String(attempt),
    TOCK_LOGICAL_TIME: values.ts,
    TOCK_DS: values.ds,
    TOCK_TRIGGER: request.trigger,
    TOCK_JOBFILE: request.jobfilePath,
  };
}

/**
 * Resolves what a run needs before it can spawn: its workdir, secrets and the account. Throws an Error whose
 * message says what is wrong; the run then ends `failed` (setup-failed) without an attempt.
 */
export function prepareRun(request: RunRequest, host: Host, runId: string): RunSetup {
  const { job } = request;
  // Checked here, or the spawn fails as if the shell were missing ("command not found: /bin/sh").
  if (!host.pathExists(job.workdir)) throw new Error(`workdir ${job.workdir} does not exist`);
  const env: Record<string, string> = { ...host.baseEnv };
  let account: Account | undefined;
  let gid: number | undefined;
  if (job.user !== undefined || job.group !== undefined) {
    if (!host.isRoot) {
      throw new Error(`the job runs as ${job.user !== undefined ? `user "${job.user}"` : `group "${job.group ?? ''}"`}, which needs tock to run as root`);
    }
    if (job.user !== undefined) {
      account = host.lookupUser(job.user);
      if (account === undefined) throw new Error(`user "${job.user}" does not exist on ${host.hostname}`);
      Object.assign(env, { USER: job.user, LOGNAME: job.user, ...(account.home !== undefined ? { HOME: account.home } : {}) });
      gid = account.gid;
    }
    if (job.group !== undefined) {
      gid = host.lookupGroup(job.group);
      if (gid === undefined) throw new Error(`group "${job.group}" does not exist on ${host.hostname}`);
    }
  }
  const templated: Record<string, string> = {};
  for (const [name, value] of Object.entries(job.env)) {
    if (typeof value === 'string') {
      templated[name] = value;
      continue;
    }
    try {
      env[name] = host.resolveEnv(value);
    } catch (error) {
      throw new Error(`env.${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return {
    runId,
    log: host.logPath(job.name, runId),
    env,
    templated,
    ...(account !== undefined ? { account } : {}),
    ...(gid !== undefined ? { gid } : {}),
  };
}
