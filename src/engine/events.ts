import type { LedgerEvent } from '../ledger/records.js';
import type { LockOwner } from './ports.js';

/**
 * Progress worth showing a person but not a fact the ledger keeps: a run waiting, or about to
 * retry. Each names its job and run, like every ledger line.
 */
export type RunNotice =
  | { type: 'lock-waiting'; at: string; job: string; run_id: string; lock: string }
  | { type: 'lock-taken-over'; at: string; job: string; run_id: string; lock: string; from: LockOwner; interrupted: boolean }
  | { type: 'waiting-for-path'; at: string; job: string; run_id: string; path: string }
  | { type: 'retry-scheduled'; at: string; job: string; run_id: string; next: number; delay_ms: number }
  /** The disk refused a write: a ledger fact (`what` is its type), the definition, or the run's `log`. */
  | { type: 'storage-failed'; at: string; job: string; run_id: string; what: string; error: string };

/**
 * What the engine reports as it works: every fact exactly as the ledger holds it (a run scope
 * appends it, then tells the listeners), plus the transient notices. Renderers in src/cli/ turn
 * these into text; the engine itself never prints (STYLE habit 1).
 */
export type EngineEvent = LedgerEvent | RunNotice;

export type Emit = (event: EngineEvent) => void;
