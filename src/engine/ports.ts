import type { EnvValue } from '../jobfile/types.js';
import type { RunRecord } from '../ledger/records.js';

/** Time, from one place. The real one is Date.now and setTimeout; tests move a manual one. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Resolves at `atMs`, as close after it as the clock can; or early, when `signal` aborts or the
   * wait was cut short (a wall-clock step): the caller looks at `now()`.
   */
  sleepUntil(atMs: number, signal?: AbortSignal): Promise<void>;
}

export interface SpawnRequest {
  /** argv[0] is the program. A shell command arrives here as [shell, '-c', command]. */
  argv: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string>>;
  uid?: number;
  gid?: number;
  /** Output is appended here, and passed to `output` as it arrives. */
  logFile: string;
  /** `log_max`: past this, the log keeps its head and tail and marks the cut. */
  logMax: number;
  output?: OutputSink;
  /** Written to the child's stdin, which is then closed (hooks get the run record). */
  stdin?: string;
  /**
   * How long what the leader leaves behind (stragglers in its group, its cgroup, escaped
   * processes) gets before SIGKILL once the leader exits or is stopped; the pipes get the same
   * grace, then they are closed and the process counts as ended, whoever still holds them.
   */
  killGraceMs: number;
  /**
   * Set for a run's attempts: follow the whole tree, not only the process group. The attempt
   * gets a cgroup of its own where tock has one to give, and processes carrying
   * `TOCK_RUN_ID=runId` outside the group are found and stopped with it.
   */
  tree?: { runId: string; attempt: number };
}

/** Where live output goes (the terminal); `end` is called once the process's pipes close. */
export interface OutputSink {
  /**
   * False when the reader is not keeping up: the spawner then pauses the job's pipe (the job
   * blocks on its write, as it would on a slow terminal) until `resume` is called, once.
   */
  write(stream: 'stdout' | 'stderr', chunk: Buffer, resume: () => void): boolean;
  end(): void;
}

export interface ExitInfo {
  exitCode: number | null;
  signal: string | null;
  /** Set when the program could not start (not found, not executable). */
  error?: string;
  /** Set when the log could not be written in full (`log: no space left on device`); the job ran on. */
  logError?: string;
  /** Processes that had left the process group (found by the run's TOCK_RUN_ID) and were killed. */
  escaped?: number;
  /** What the leader left alive after the grace needed SIGKILL. */
  forced?: boolean;
}

export interface SpawnedProcess {
  pid: number | null;
  /** The leader's start time (Linux /proc), so a later tock can tell its group from a reused pid. */
  pidStart?: string;
  /** The attempt's own cgroup v2 directory, when it has one. */
  cgroup?: string;
  exited: Promise<ExitInfo>;
  /** Signals the attempt's whole tree: its process group, its cgroup, its escaped processes (STYLE habit 7). */
  signalGroup(signal: 'SIGTERM' | 'SIGKILL'): void;
}

export interface Spawner {
  spawn(request: SpawnRequest): SpawnedProcess;
}

/** Who holds a lock: enough to find and stop its run. */
export interface LockOwner {
  pid: number;
  host: string;
  run_id: string;
  job: string;
  /** The holder's start time, so a pid reused since is not taken for the holder. */
  pid_start?: string;
  /** Which lock directory this record describes (a holder that died before writing it left another's). */
  lock_id?: string;
  /** The running attempt's process group, when there is one, and its leader's start time. */
  pgid?: number;
  pgid_start?: string;
}

export interface Lease {
  /** Aborts when the lock is lost (compromised) or another run asked to replace this one. */
  readonly lost: AbortSignal;
  /**
   * Set when the lock was taken over from a holder that died holding it (provably gone, or its
   * lock went stale: dead, on another host, or stalled).
   * Its attempt's process group has been stopped by then.
   */
  readonly tookOverFrom?: LockOwner;
  /**
   * Looks now (not on the next refresh) whether the lock is still this lease's: a process that
   * stalled past the staleness may have lost it to another. Aborts `lost` when it is not.
   */
  verify(): boolean;
  setAttemptGroup(pgid: number | undefined): void;
  release(): Promise<void>;
}

export interface LockManager {
  /**
   * Takes the lock now, or returns null when another run that might be alive holds it (a holder
   * provably gone, its pid dead on this host or reused, is taken over at once). With `replaceable`, the
   * lease watches for a `requestReplace` aimed at its run (a job with `concurrency: replace`).
   */
  tryAcquire(name: string, owner: LockOwner, options?: { replaceable?: boolean }): Promise<Lease | null>;
  holder(name: string): LockOwner | null;
  /** Asks the holder's run to stop so that `byRunId` can take the lock (concurrency: replace). */
  requestReplace(name: string, targetRunId: string, byRunId: string): void;
}

// The ledger's port is declared with the ledger; the engine uses it from here.
export type { Ledger } from '../ledger/ports.js';

export interface Account {
  uid: number;
  gid: number;
  home?: string;
  name?: string;
}

/** What a run needs from the host, other than spawning and locking. */
export interface Host {
  hostname: string;
  pid: number;
  /** This process's start time, where the system says (Linux /proc). */
  pidStart?: string;
  /** False when the process `pid` (started at `pidStart`) is provably gone from this host: dead, a zombie, or the pid reused. */
  isAlive(pid: number, pidStart: string | undefined): boolean;
  isRoot: boolean;
  /** tock's own environment, which jobs inherit. */
  baseEnv: Readonly<Record<string, string>>;
  /** Reads a secret for `env`; throws a plain Error with a message on failure. */
  resolveEnv(value: EnvValue): string;
  pathExists(path: string): boolean;
  lookupUser(name: string): Account | undefined;
  lookupGroup(name: string): number | undefined;
  logPath(job: string, runId: string): string;
  postWebhook(url: string, body: RunRecord): Promise<{ ok: boolean; detail: string }>;
}
