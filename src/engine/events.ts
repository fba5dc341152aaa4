import type { Attempt, HookResult, RunRecord, RunStart } from '../ledger/records.js';
import type { LockOwner } from './ports.js';

/**
 * What the engine reports as it works. Renderers in src/cli/ turn these into text; the engine
 * itself never prints (STYLE habit 1).
 */
export type EngineEvent =
  | { type: 'run-started'; run: RunStart }
  | { type: 'lock-waiting'; job: string; run_id: string; lock: string }
  | { type: 'lock-taken-over'; job: string; run_id: string; lock: string; from: LockOwner; interrupted: boolean }
  | { type: 'waiting-for-path'; job: string; run_id: string; path: string }
  | { type: 'attempt-started'; job: string; run_id: string; n: number; of: number; pid: number | null }
  | { type: 'attempt-finished'; job: string; run_id: string; attempt: Attempt }
  | { type: 'retry-scheduled'; job: string; run_id: string; next: number; delay_ms: number }
  | { type: 'hook-finished'; job: string; run_id: string; result: HookResult }
  | { type: 'sla-missed'; job: string; run_id: string; sla_ms: number }
  | { type: 'run-finished'; run: RunRecord };

export type Emit = (event: EngineEvent) => void;
