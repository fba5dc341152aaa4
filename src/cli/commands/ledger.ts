import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';

import { parseDuration } from '../../util/duration.js';
import { compactLedger } from '../../ledger/compact.js';
import type { BadLine } from '../../io/jsonl-ledger.js';
import { pruneRunLogs } from '../../io/prune-logs.js';
import { UserError } from '../../util/user-error.js';
import { EXIT } from '../exit-codes.js';
import { loadForCommand } from '../load-jobfile.js';
import { openLedger } from '../open-ledger.js';
import type { CommonOptions } from '../paths.js';
import { resolveStateDir } from '../paths.js';

export interface LedgerOptions extends CommonOptions {
  json?: boolean;
}

/**
 * `tock ledger check`: every line that is not a whole event, with its file and line; exit 1 if
 * any. `--json`: `{ ok, jobs, segments, bad_lines: [{ file, line, text }] }`.
 */
export function ledgerCheckCommand(options: LedgerOptions): void {
  const jobfile = loadForCommand(options, process.env);
  const store = openLedger(resolveStateDir(options, process.env, jobfile.stateDir), jobfile.jobs.keys());
  // Streams every segment, whatever its size, and reports each bad line as it is found.
  // Text prints each as it is found; JSON holds them for its one document (each text cut to 200 characters).
  const badLines: BadLine[] = [];
  let bad = 0;
  for (const line of store.badLines()) {
    bad++;
    if (options.json === true) {
      badLines.push(line);
      continue;
    }
    const text = line.text.length > 80 ? `${line.text.slice(0, 77)}...` : line.text;
    console.log(`${line.file}:${String(line.line)}: not a whole ledger event (a torn write or an edit): ${text}`);
  }
  const jobs = store.jobs().length;
  const segments = store.jobs().flatMap((job) => store.segments(job)).length;
  if (options.json === true) console.log(JSON.stringify({ ok: bad === 0, jobs, segments, bad_lines: badLines }, null, 2));
  else if (bad === 0) console.log(`ok: ${String(segments)} segments of ${String(jobs)} jobs, every line whole`);
  else console.log(`${String(bad)} bad ${bad === 1 ? 'line' : 'lines'}; readers skip them, and appends start on a fresh line`);
  process.exitCode = bad === 0 ? EXIT.ok : EXIT.failed;
}

/** `tock ledger compact --keep 90d`; `--json` prints the counts of what went. */
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
  const pruned = pruneRunLogs(path.join(stateDir, 'logs'), store, keepMs, Date.now());
  if (options.json === true) {
    console.log(JSON.stringify({
      keep_ms: keepMs, runs_dropped: result.runsDropped, events_dropped: result.eventsDropped, logs_removed: result.logsRemoved,
      segments_rewritten: result.segmentsRewritten, segments_removed: result.segmentsRemoved, bytes_before: result.bytesBefore,
      bytes_after: result.bytesAfter, old_logs_removed: pruned.removed, old_logs_bytes: pruned.bytes,
    }, null, 2));
    return;
  }
  const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
  console.log(`dropped ${String(result.runsDropped)} runs (${String(result.eventsDropped)} events) and ${String(result.logsRemoved)} log files; ` +
    `rewrote ${String(result.segmentsRewritten)} and removed ${String(result.segmentsRemoved)} segments: ${kib(result.bytesBefore)} -> ${kib(result.bytesAfter)}`);
  console.log(`removed ${String(pruned.removed)} more run logs older than --keep (${kib(pruned.bytes)})`);
  console.log('kept: each job\'s latest run and latest success, the logs of runs in flight, and the ledger of the current and previous month');
}
