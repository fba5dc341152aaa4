import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

import type { LedgerReader } from '../ledger/ports.js';
import { runsKept } from '../ledger/query.js';

/**
 * `ledger compact`'s pruning of run logs (`<state>/logs/<job>/<run>.log`): removes every log
 * last written before `now - keepMs`, whatever month its run falls in (compaction itself keeps the
 * current and previous month of the ledger whole, but logs are what fills a disk), except the
 * logs of each job's latest run, latest success and runs in flight, which `tock logs` and `why`
 * read. Returns the files removed and their bytes.
 */
export function pruneRunLogs(logsDir: string, store: LedgerReader, keepMs: number, nowMs: number): { removed: number; bytes: number } {
  const result = { removed: 0, bytes: 0 };
  const cutoff = nowMs - keepMs;
  for (const job of listDir(logsDir)) {
    const dir = path.join(logsDir, job);
    const keep = new Set<string>();
    for (const run of runsKept(store, job)) keep.add(path.resolve(run.log));
    for (const name of listDir(dir)) {
      if (!name.endsWith('.log')) continue;
      const file = path.join(dir, name);
      if (keep.has(path.resolve(file))) continue;
      try {
        const stat = statSync(file);
        if (!stat.isFile() || stat.mtimeMs >= cutoff) continue;
        rmSync(file, { force: true });
        result.removed++;
        result.bytes += stat.size;
      } catch {
        // removed meanwhile (by the compaction above, or another compact)
      }
    }
  }
  return result;
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
