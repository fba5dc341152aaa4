import { existsSync } from 'node:fs';

import type { LedgerRun } from '../../ledger/fold.js';
import { recentRuns } from '../../ledger/query.js';
import { lastLinesOffset, readLogChunk } from '../../io/log-reader.js';
import { UserError } from '../../util/user-error.js';
import { tockCommand } from '../command-hint.js';
import { loadForCommand } from '../load-jobfile.js';
import { openLedger } from '../open-ledger.js';
import type { CommonOptions } from '../paths.js';
import { stateDirPath } from '../paths.js';
import { assertKnownJobs } from '../../jobfile/known-jobs.js';

const FOLLOW_POLL_MS = 200;

/** `tock logs JOB [RUN_ID] [-n N] [--follow]`: prints a run's captured output, as the job wrote it. */
export interface LogsOptions extends CommonOptions {
  follow?: boolean;
  /** `-n`: only the last this many lines (of the first run shown, when following the job). */
  lines?: number;
}

export async function logsCommand(job: string, runId: string | undefined, options: LogsOptions): Promise<void> {
  const jobfile = loadForCommand(options, process.env);
  const ledger = openLedger(stateDirPath(options, process.env, jobfile.stateDir), jobfile.jobs.keys());
  // Without a run id: the latest run that ran something (a skipped run has no output).
  const findRun = (): LedgerRun | undefined => recentRuns(ledger, job, 1, {
    keep: (r) => (runId === undefined ? r.attempts.length > 0 || r.in_flight === true : r.run_id === runId),
  })[0];
  const run = findRun();
  if (run === undefined && !jobfile.jobs.has(job)) {
    assertKnownJobs(jobfile, [job]);
  }
  const start = (log: string): number => (options.lines === undefined ? 0 : lastLinesOffset(log, options.lines));
  if (options.follow === true && runId === undefined) {
    await followJob(job, run, findRun, start);
    return;
  }
  if (run === undefined) {
    throw new UserError('no-run', runId === undefined ? `no run of ${job} has output yet` : `expected a run id of ${job}, got "${runId}"`,
      `list its runs with: ${tockCommand(options, 'history', job)}${runId === undefined ? `, or wait for its next one with: ${tockCommand(options, 'logs', job, '--follow')}` : ''}`);
  }
  if (!existsSync(run.log) && options.follow !== true) {
    const why = run.outcome === null ? 'it has not started an attempt yet' : `it ended ${run.outcome}${run.reason !== undefined ? ` (${run.reason})` : ''} without running a command`;
    console.error(`tock: run ${run.run_id} of ${job} has no output: ${why}`);
    return;
  }
  let offset = await copyFrom(run.log, start(run.log));
  if (options.follow !== true) return;
  // One run, followed until it ends.
  while (findRun()?.in_flight === true) {
    await sleep(FOLLOW_POLL_MS);
    offset = await copyFrom(run.log, offset);
  }
  await copyFrom(run.log, offset);
}

/**
 * `tock logs JOB --follow`, as `journalctl -fu` follows a unit: the latest run's log (its last
 * `-n` lines), then whatever it appends, and each newer run of the job as it starts, under a
 * `==> ... <==` header (as `tail -f` heads each file), until Ctrl-C or SIGTERM, which end it with
 * exit 0. A newer run is taken once its log exists: a run that is skipped never gets one, and
 * must not hide the run still writing.
 */
async function followJob(job: string, first: LedgerRun | undefined, findRun: () => LedgerRun | undefined, start: (log: string) => number): Promise<void> {
  const stopped = untilSignal();
  let current = first;
  let offset = 0;
  if (current === undefined) console.error(`tock: no run of ${job} yet; waiting for one (Ctrl-C to stop)`);
  else {
    header(current);
    offset = start(current.log);
  }
  while (!stopped.done) {
    if (current !== undefined) offset = await copyFrom(current.log, offset);
    const newest = findRun();
    if (newest !== undefined && newest.run_id !== current?.run_id && (current === undefined || existsSync(newest.log))) {
      // What the old run wrote last, before the new run's header.
      if (current !== undefined) await copyFrom(current.log, offset);
      current = newest;
      offset = 0;
      header(current);
      continue;
    }
    await Promise.race([sleep(FOLLOW_POLL_MS), stopped.promise]);
  }
  if (current !== undefined) await copyFrom(current.log, offset);
  stopped.dispose();
}

// Whether what was printed last ended a line: a header never runs on from a log's unfinished last line.
let atLineStart = true;

function header(run: LedgerRun): void {
  process.stdout.write(`${atLineStart ? '' : '\n'}==> ${run.job} run ${run.run_id} (${run.trigger}, logical time ${run.logical_time}) <==\n`);
}

/** Copies the log from `offset` to stdout, a chunk at a time, waiting when stdout is full; returns the new offset. */
async function copyFrom(file: string, offset: number): Promise<number> {
  for (;;) {
    const { bytes, size } = readLogChunk(file, offset);
    // A log cut at `log_max` is truncated back to its head when its run ends: go on from there.
    if (size < offset) return size;
    if (bytes.length === 0) return offset;
    offset += bytes.length;
    atLineStart = bytes[bytes.length - 1] === 0x0a;
    if (!process.stdout.write(bytes)) await new Promise((resolve) => process.stdout.once('drain', resolve));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves on the first SIGINT or SIGTERM (or a closed stdout, as `| head` leaves it): following ends there. */
function untilSignal(): { readonly done: boolean; promise: Promise<void>; dispose: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  let done = false;
  const stop = (): void => {
    done = true;
    resolve();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.stdout.on('error', stop);
  return {
    get done() {
      return done;
    },
    promise,
    dispose: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.stdout.off('error', stop);
    },
  };
}
