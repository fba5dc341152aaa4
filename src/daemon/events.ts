import type { EngineEvent } from '../engine/events.js';

/** What the daemon reports, one line each in its log (text or JSON). */
export type DaemonEvent =
  | { type: 'started'; jobs: number; pid: number; state_dir: string; listen?: string }
  /** At start and after a reload, one per job: its next instant, or what starts it instead. */
  | { type: 'scheduled'; job: string; next?: string; after?: string[]; disabled?: true }
  | { type: 'armed'; job: string; logical_time: string; fire_at: string }
  | { type: 'fired'; jobs: string[]; logical_time: string; trigger: 'schedule' | 'catchup' }
  | { type: 'missed'; job: string; logical_time: string; policy: string }
  | { type: 'catchup-capped'; job: string; limit: number }
  | { type: 'clock-jump'; by_ms: number }
  | { type: 'reloaded'; jobs: number }
  | { type: 'reload-failed'; problems: string[] }
  | { type: 'stopping'; signal: string; running: number }
  | { type: 'stopped' }
  /** A bug: a run's promise rejected. The daemon goes on with the other jobs. */
  | { type: 'error'; message: string }
  /** A bug stopped one catch-up run of a job; the job's later catch-ups still run. */
  | { type: 'catchup-failed'; job: string; logical_time: string; message: string }
  /**
   * The disk refused writes (ENOSPC, `ulimit -f`): logged at most once a minute, `lost` counting
   * the writes refused since the last such line (ledger facts, logs, watermarks), `what` their kinds.
   */
  | { type: 'storage-failed'; error: string; lost: number; what: string[] }
  | { type: 'run'; event: EngineEvent };
