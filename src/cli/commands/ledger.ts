import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';

import { parseDuration } from '../../util/duration.js';
import { compactLedger } from '../../ledger/compact.js';
import { pruneRunLogs } from '../../io/prune-logs.js';
import { UserError } from '../../util/user-error.js';
import { EXIT } from '../exit-codes.js';
import { loadForCommand } from '../load-jobfile.js';
import { openLedger } from '../open-ledger.js';
import type { CommonOptions } from '../paths.js';
import { resolveStateDir } from '../paths.js';

export type LedgerOptions = CommonOptions;

/** `tock ledger check`: every line that is not a whole event, with its file and line; exit 1 if any. */
export function ledgerCheckCommand(options: LedgerOptions): void {
  const jobfile = loadForCommand(options, process.env);
  const store = openLedger(resolveStateDir(options, process.env, jobfile.stateDir), jobfile.jobs.keys());
  // Streams every segment, whatever its size, and reports each bad line as it is found.
  let bad = 0;
  for (const line of store.badLines()) {
    bad++;
    const text = line.text.length > 80 ? `${line.text.slice(0, 77)}...` : line.text;
    console.log(`${line.file}:${String(line.line)}: not a whole ledger event (a torn write or an edit): ${text}`);
  }
  const segments = store.jobs().flatMap((job) => store.segments(job)).length;
  if (bad === 0) console.log(`ok: ${String(segments)} segments of ${String(store.jobs().length)} jobs, every line whole`);
  else console.log(`${String(bad)} bad ${bad === 1 ? 'line' : 'lines'}; readers skip them, and appends start on a fresh line`);
  process.exitCode = bad === 0 ? EXIT.ok : EXIT.failed;
}

/** `tock ledger compact --keep 90d`. */
export function ledgerCompactCommand(options: LedgerOptions & { keep: string }): void {
  const keepMs = parseDuration(options.keep);
  if (keepMs === undefined || keepMs <= 0) {
    throw new UserError('usage', `--keep: expected a duration like 90d or 12h, got "${options.keep}"`, 'runs older than this are dropped, except each job\'s latest run and latest success');
  }
  const jobfile = loadForCommand(options, process.env);
  const stateDir = resolveStateDir(options, process.env, jobfile.stateDir);
  const store = openLedger(stateDir, jobfile.jobs.keys());
  const removeLog = (file: string): boolean => {
    if (!existsSync(file)) return false;
    rmSync(file, { force: true });
    return true;
  };
  const result = compactLedger(store, keepMs, Date.now(), removeLog);
  const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
  console.log(`dropped ${String(result.runsDropped)} runs (${String(result.eventsDropped)} events) and ${String(result.logsRemoved)} log files; ` +
    `rewrote ${String(result.segmentsRewritten)} and removed ${String(result.segmentsRemoved)} segments: ${kib(result.bytesBefore)} -> ${kib(result.bytesAfter)}`);
  const pruned = pruneRunLogs(path.join(stateDir, 'logs'), store, keepMs, Date.now());
  console.log(`removed ${String(pruned.removed)} more run logs older than --keep (${kib(pruned.bytes)})`);
  console.log('kept: each job\'s latest run and latest success, the logs of runs in flight, and the ledger of the current and previous month');
}
