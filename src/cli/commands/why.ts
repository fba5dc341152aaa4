import { existsSync, readFileSync } from 'node:fs';

import { closure, dependentsOf } from '../../engine/graph.js';
import type { JobFieldName } from '../../jobfile/job-property.js';
import { jobFieldValue } from '../../jobfile/job-property.js';
import type { Job } from '../../jobfile/types.js';
import type { LedgerReader } from '../../ledger/ports.js';
import { lastSuccess, recentRuns } from '../../ledger/query.js';
import type { RunRecord } from '../../ledger/records.js';
import { isFailure } from '../../ledger/records.js';
import { loadForCommand } from '../load-jobfile.js';
import { openLedger } from '../open-ledger.js';
import type { CommonOptions } from '../paths.js';
import { stateDirPath } from '../paths.js';
import { describeExit } from '../render/explain.js';
import { formatElapsed, loadPaint, paintOutcome, wantsColor } from '../render/style.js';
import { formatTime } from '../render/time.js';
import { tockCommand } from '../command-hint.js';
import { assertKnownJobs } from '../../jobfile/known-jobs.js';

export interface WhyOptions extends CommonOptions {
  json?: boolean;
  /** --utc: times in UTC instead of the job's zone. */
  utc?: boolean;
}

const LOG_TAIL_LINES = 20;
// Fields of a job's definition worth naming when they changed (env values are the jobfile's own text).
const COMPARED: readonly JobFieldName[] = ['command', 'schedule', 'timezone', 'needs', 'env', 'workdir', 'shell', 'user', 'group', 'timeout', 'retries', 'wait_for'];

interface Change {
  what: string;
  before: unknown;
  after: unknown;
}

/** `tock why JOB`: the latest failure, what it blocked, and what changed since the job last worked. */
export async function whyCommand(name: string, options: WhyOptions): Promise<void> {
  const jobfile = loadForCommand(options, process.env);
  const job = jobfile.jobs.get(name);
  assertKnownJobs(jobfile, [name]);
  if (job === undefined) return;
  const store = openLedger(stateDirPath(options, process.env, jobfile.stateDir), jobfile.jobs.keys());
  const [failed] = recentRuns(store, name, 1, { keep: (r) => r.outcome !== null && isFailure(r.outcome) }) as (RunRecord | undefined)[];
  if (failed === undefined) {
    if (options.json === true) console.log(JSON.stringify({ job: name, run: null }, null, 2));
    else console.log(`${name} has no failed run in the ledger`);
    return;
  }
  const success = lastSuccess(store, name);
  const blocked = blockedBy(store, jobfile.jobs, failed);
  const changes = success === undefined ? [] : changesSince(store, success, failed, job);
  const logTail = tail(failed.log, LOG_TAIL_LINES);
  if (options.json === true) {
    console.log(JSON.stringify({
      job: name, run: failed,
      attempts: failed.attempts.map((a) => ({ ...a, explained: describeExit(a.exit_code, a.signal) })),
      log_tail: logTail, blocked, last_success: success ?? null, changes,
    }, null, 2));
    return;
  }
  const paint = await loadPaint(wantsColor(process.stdout, process.env, options.color));
  const at = (iso: string): string => formatTime(iso, job.timezone, { utc: options.utc === true, seconds: true });
  const heading = (text: string): string => paint.bold(text);
  const out: string[] = [];
  out.push(`${paint.bold(name)} ${paintOutcome(paint, failed.outcome)}${failed.reason !== undefined ? ` (${failed.reason})` : ''} at ${at(failed.ended_at)}, run ${failed.run_id}, ` +
    `logical time ${formatTime(failed.logical_time, job.timezone, { utc: options.utc === true })}, ${failed.trigger}`);
  if (failed.message !== undefined) out.push(`  ${paint.red(failed.message)}`);
  out.push('', heading('attempts:'));
  if (failed.attempts.length === 0) out.push('  none: it ended before an attempt started');
  for (const a of failed.attempts) {
    out.push(`  ${String(a.n)}. ${paintOutcome(paint, a.outcome)} after ${formatElapsed(Date.parse(a.ended_at) - Date.parse(a.started_at))}: ${describeExit(a.exit_code, a.signal)}${a.error !== undefined ? ` — ${a.error}` : ''}`);
  }
  out.push('', heading(`log (last ${String(LOG_TAIL_LINES)} lines of ${failed.log}):`));
  out.push(...(logTail.length > 0 ? logTail.map((l) => `  ${paint.dim('|')} ${l}`) : ['  (no output)']));
  out.push('', heading('blocked:'));
  out.push(...(blocked.length > 0 ? blocked.map((b) => `  ${b.job} ${paintOutcome(paint, 'skipped')} (${b.reason}), run ${b.run_id}`) : ['  nothing downstream was skipped for this run']));
  out.push('', heading('since the last success:'));
  if (success === undefined) out.push('  it has never succeeded (in the ledger)');
  else {
    out.push(`  last ${paintOutcome(paint, 'success')} ${at(success.ended_at)} (run ${success.run_id}), took ${formatElapsed(success.duration_ms)}; this run took ${formatElapsed(failed.duration_ms)}`);
    out.push(...(changes.length > 0 ? changes.map((c) => `  ${paint.yellow(c.what)}: was ${JSON.stringify(c.before)}, now ${JSON.stringify(c.after)}`) : ['  the job\'s definition and the jobfile are the same']));
  }
  out.push('', `full output: ${tockCommand(options, 'logs', name, failed.run_id)}`);
  for (const line of out) console.log(line);
}

/** Dependents of the job skipped because of this run (same logical time). */
function blockedBy(store: LedgerReader, jobs: ReadonlyMap<string, Job>, failed: RunRecord): { job: string; run_id: string; reason: string }[] {
  const downstream = closure([failed.job], (n) => dependentsOf(jobs, n));
  return [...downstream].flatMap((dep) => recentRuns(store, dep, 1, {
    keep: (r) => r.logical_time === failed.logical_time && r.outcome === 'skipped' && r.reason === 'upstream-failed',
    since: failed.started_at,
  }).map((r) => ({ job: dep, run_id: r.run_id, reason: r.reason ?? 'skipped' })));
}

/** What differs between the definition the last success ran and the one that failed (or runs now). */
function changesSince(store: LedgerReader, success: RunRecord, failed: RunRecord, current: Job): Change[] {
  const changes: Change[] = [];
  const before = store.definition(success.job_hash);
  const after = store.definition(failed.job_hash) ?? (failed.job_hash === current.hash ? (current as unknown as Record<string, unknown>) : undefined);
  if (success.job_hash !== failed.job_hash) {
    if (before === undefined || after === undefined) changes.push({ what: 'definition', before: success.job_hash, after: failed.job_hash });
    else {
      for (const key of COMPARED) {
        const was = plain(jobFieldValue(before, key));
        const now = plain(jobFieldValue(after, key));
        if (JSON.stringify(was) !== JSON.stringify(now)) changes.push({ what: key, before: was ?? null, after: now ?? null });
      }
      if (changes.length === 0) changes.push({ what: 'definition (other fields)', before: success.job_hash, after: failed.job_hash });
    }
  }
  if (success.jobfile_hash !== failed.jobfile_hash) changes.push({ what: 'jobfile', before: success.jobfile_hash, after: failed.jobfile_hash });
  return changes;
}

function plain(value: unknown): unknown {
  return value !== null && typeof value === 'object' && 'text' in value ? value.text : value;
}

function tail(file: string, lines: number): string[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8').replace(/\n$/, '');
  return text === '' ? [] : text.split('\n').slice(-lines);
}
