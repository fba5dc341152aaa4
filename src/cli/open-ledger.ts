import { hostname } from 'node:os';
import path from 'node:path';

import { JsonlLedger } from '../io/jsonl-ledger.js';
import { stopLeftovers } from '../io/leftovers.js';
import { processAlive } from '../io/proc.js';
import { reconcileInterrupted } from '../ledger/reconcile.js';
import { mayWriteStateDir } from './paths.js';

/**
 * The ledger of a state dir, after recording `interrupted` for runs whose tock died: every
 * command that reads the ledger goes through here, so a crash is accounted for by whatever
 * tock runs next (SPEC 5). A command that only reads, on a state dir it may not write (another
 * user's, or one tock refuses), leaves that to the next tock that can.
 */
export function openLedger(stateDir: string, jobs: Iterable<string>): JsonlLedger {
  const store = new JsonlLedger(path.join(stateDir, 'ledger'));
  if (!mayWriteStateDir(stateDir)) return store;
  const names = new Set([...jobs, ...store.jobs()]);
  reconcileInterrupted(store, names, { hostname: hostname(), isAlive: processAlive, stopLeftovers }, new Date().toISOString());
  return store;
}
