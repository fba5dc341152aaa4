import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

import type { LedgerRun } from '../../ledger/fold.js';
import { recentRuns } from '../../ledger/query.js';
import { UserError } from '../../util/user-error.js';
import { tockCommand } from '../command-hint.js';
import { loadForCommand } from '../load-jobfile.js';
import { openLedger } from '../open-ledger.js';
import type { CommonOptions } from '../paths.js';
import { stateDirPath } from '../paths.js';

const FOLLOW_POLL_MS = 200;

/** `tock logs JOB [RUN_ID] [--follow]`: prints a run's captured output, as the job wrote it. */
export interface LogsOptions extends CommonOptions {
  follow?: boolean;
}

export async function logsCommand(job: string, runId: string | undefined, options: LogsOptions): Promise<void> {
  const jobfile = loadForCommand(options, process.env);
  const ledger = openLedger(stateDirPath(options, process.env, jobfile.stateDir), jobfile.jobs.keys());
  // Without a run id: the latest run that ran something (a skipped run has no output).
  const findRun = (): LedgerRun | undefined => recentRuns(ledger, job, 1, {
    keep: (r) => (runId === undefined ? r.attempts.length > 0 || r.in_flight === true : r.run_id === runId),
  })[0];
  const run = findRun();
  if (run !== undefined && !existsSync(run.log)) {
    const why = run.outcome === null ? 'it has not started an attempt yet' : `it ended ${run.outcome}${run.reason !== undefined ? ` (${run.reason})` : ''} without running a command`;
    console.error(`tock: run ${run.run_id} of ${job} has no output: ${why}`);
    return;
  }
  if (run === undefined) {
    if (!jobfile.jobs.has(job)) throw new UserError('unknown-job', `expected a job from ${jobfile.path}, got "${job}"`, `known jobs: ${[...jobfile.jobs.keys()].join(', ')}`);
    throw new UserError('no-run', runId === undefined ? `no run of ${job} has output yet` : `expected a run id of ${job}, got "${runId}"`,
      `list its runs with: ${tockCommand(options, 'history', job)}`);
  }
  let offset = printFrom(run.log, 0);
  if (options.follow !== true) return;
  while (findRun()?.in_flight === true) {
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
    offset = printFrom(run.log, offset);
  }
  printFrom(run.log, offset);
}

/** Copies the file from `offset` to stdout; returns the new offset. */
function printFrom(file: string, offset: number): number {
  if (!existsSync(file)) return offset;
  const size = statSync(file).size;
  if (size <= offset) return offset;
  const fd = openSync(file, 'r');
  const buffer = Buffer.alloc(size - offset);
  readSync(fd, buffer, 0, buffer.length, offset);
  closeSync(fd);
  process.stdout.write(buffer);
  return size;
}
