import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

import { auditCrontabs } from '../../crontab/audit.js';
import type { AuditResult } from '../../crontab/audit.js';
import type { Finding } from '../../crontab/finding.js';
import { SEVERITY_ORDER } from '../../crontab/finding.js';
import { jobfileAsCrontab } from '../../crontab/from-jobfile.js';
import { nameOf } from '../../crontab/import.js';
import { cronFormatFor, parseCrontab } from '../../crontab/parse.js';
import { JsonlLedger } from '../../io/jsonl-ledger.js';
import { recentRuns } from '../../ledger/query.js';
import type { Crontab, CrontabEntry, CrontabFormat } from '../../crontab/types.js';
import { counted } from '../../util/plural.js';
import { readTextFile } from '../../util/read-text-file.js';
import { wallText } from '../../crontab/audit/wall.js';
import { UserError } from '../../util/user-error.js';
import { EXIT } from '../exit-codes.js';
import { hostZone } from '../host-zone.js';
import type { CommonOptions } from '../paths.js';
import type { Paint } from '../render/style.js';
import { loadPaint, wantsColor } from '../render/style.js';
import { findJobfile, stateDirPath } from '../paths.js';

export interface AuditOptions extends CommonOptions {
  format?: CrontabFormat;
  json?: boolean;
  failOn: 'error' | 'warning' | 'never';
}

/** `tock audit [FILE...]`: what is wrong with these crontabs today, and a week's firings per hour. */
export async function auditCommand(files: string[], options: AuditOptions): Promise<void> {
  const { crontabs, unreadable } = files.length > 0 ? readFiles(files, options.format) : readHost();
  const tock = await tockSide(options, files.length === 0);
  if (tock.crontab !== undefined) crontabs.push(tock.crontab);
  const zone = hostZone();
  const result = auditCrontabs(crontabs, Date.now(), zone, tock.durationOf);
  if (options.json === true) {
    console.log(JSON.stringify({ findings: result.findings, jobs: result.jobs, files: result.files, unreadable,
      histogram: result.histograms[0]?.hours ?? Array.from({ length: 24 }, () => 0), histograms: result.histograms,
      busiest: result.busiest.map((b) => ({ at: new Date(b.at).toISOString(), count: b.count })) }, null, 2));
  } else {
    const paint = await loadPaint(wantsColor(process.stdout, process.env, options.color));
    for (const line of renderReport(result, unreadable, zone, paint)) console.log(line);
  }
  const worst = options.failOn === 'never' ? [] : options.failOn === 'error' ? ['error'] : ['error', 'warning'];
  process.exitCode = result.findings.some((f) => worst.includes(f.severity)) ? EXIT.failed : EXIT.ok;
}

function readFiles(files: readonly string[], format: CrontabFormat | undefined): { crontabs: Crontab[]; unreadable: string[] } {
  const crontabs: Crontab[] = [];
  for (const file of files) {
    const text = readTextFile(file === '-' ? 0 : file, 'a crontab', 'give the path of a crontab file, or - for standard input');
    crontabs.push(parseCrontab(text, file, format ?? cronFormatFor(path.resolve(file))));
  }
  return { crontabs, unreadable: [] };
}

// How many recent runs say how long a job takes.
const RECENT_RUNS = 10;

/**
 * What tock knows: with no FILE, the jobfile's jobs (if one is found) join the audit; and the
 * ledger's recent durations, for crontab jobs by the name `tock import` gives them, say which
 * ones start again before they usually finish.
 */
async function tockSide(options: AuditOptions, withJobfile: boolean): Promise<{ crontab?: Crontab; durationOf: (entry: CrontabEntry) => number | undefined }> {
  let file: string | undefined;
  try {
    file = findJobfile(options, process.env);
  } catch {
    file = undefined;
  }
  // The YAML parser is loaded only when there is a jobfile to read.
  const loadJobfile = file === undefined ? undefined : (await import('../../jobfile/load.js')).loadJobfile;
  const result = file === undefined || loadJobfile === undefined ? undefined : (() => {
    try {
      return loadJobfile(file, {});
    } catch {
      return undefined;
    }
  })();
  const jobfile = result?.ok === true ? result.jobfile : undefined;
  const stateDir = stateDirPath(options, process.env, jobfile?.stateDir);
  const ledger = existsSync(path.join(stateDir, 'ledger')) ? new JsonlLedger(path.join(stateDir, 'ledger')) : undefined;
  const durationOf = (entry: CrontabEntry): number | undefined => {
    if (ledger === undefined) return undefined;
    const runs = recentRuns(ledger, entry.job ?? nameOf(entry.command), RECENT_RUNS, { keep: (r) => r.outcome !== null && r.attempts.length > 0 });
    const longest = Math.max(...runs.map((r) => r.duration_ms ?? 0));
    return runs.length > 0 ? longest : undefined;
  };
  return { ...(withJobfile && jobfile !== undefined && result?.ok === true ? { crontab: jobfileAsCrontab(jobfile, result.source.text) } : {}), durationOf };
}

/** With no FILE: the caller's `crontab -l`, /etc/crontab and /etc/cron.d/*, where readable. */
function readHost(): { crontabs: Crontab[]; unreadable: string[] } {
  const crontabs: Crontab[] = [];
  const unreadable: string[] = [];
  const mine = spawnSync('crontab', ['-l'], { encoding: 'utf8' });
  if (mine.status === 0) crontabs.push(parseCrontab(mine.stdout, 'crontab -l', 'user'));
  else unreadable.push(`crontab -l (${mine.error !== undefined ? 'no crontab command' : (mine.stderr.trim().split('\n')[0] ?? `exit ${String(mine.status)}`)})`);
  const system = ['/etc/crontab', ...listDir('/etc/cron.d')];
  for (const file of system) {
    try {
      crontabs.push(parseCrontab(readTextFile(file, 'a crontab', ''), file, 'system'));
    } catch (error) {
      unreadable.push(`${file} (${error instanceof UserError ? error.message : (error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  return { crontabs, unreadable };
}

/** Files cron reads from a cron.d directory: names of letters, digits, _ and - only (run-parts rules). */
function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => /^[A-Za-z0-9_-]+$/.test(f)).sort().map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}

function renderReport(result: AuditResult, unreadable: readonly string[], zone: string, paint: Paint): string[] {
  const out: string[] = [];
  for (const severity of SEVERITY_ORDER) {
    const found = result.findings.filter((f) => f.severity === severity);
    if (found.length === 0) continue;
    out.push(severityPaint(paint, severity)(`${severity === 'error' ? 'errors' : severity === 'warning' ? 'warnings' : 'info'} (${String(found.length)})`));
    for (const f of found) out.push(...renderFinding(f, paint));
    out.push('');
  }
  if (unreadable.length > 0) out.push(`not read: ${unreadable.join('; ')}`, '');
  const histograms = result.histograms.length > 0 ? result.histograms : [{ zone, jobs: 0, hours: Array.from({ length: 24 }, () => 0) }];
  for (const histogram of histograms) {
    const top = Math.max(1, ...histogram.hours);
    // Each job counts in its own zone: with several, each histogram says whose.
    out.push(`starts per hour of the day over the coming week, in ${histogram.zone}${histograms.length > 1 ? ` (${counted(histogram.jobs, 'job')})` : ''}:`);
    histogram.hours.forEach((count, hour) => {
      out.push(`  ${String(hour).padStart(2, '0')}  ${'█'.repeat(Math.round((count / top) * 40)).padEnd(40)} ${String(count)}`);
    });
  }
  const busiestZone = histograms[0]?.zone ?? zone;
  if (result.busiest.length > 0) {
    out.push(`busiest minutes (${busiestZone}): ${result.busiest.map((b) => `${wallText(b.at, busiestZone)} (${counted(b.count, 'job')})`).join(', ')}`);
  }
  const count = (s: string): number => result.findings.filter((f) => f.severity === s).length;
  out.push(`${counted(result.jobs, 'job')} in ${counted(result.files.length, 'file')}: ${counted(count('error'), 'error')}, ${counted(count('warning'), 'warning')}, ${String(count('info'))} info`);
  return out;
}

function renderFinding(f: Finding, paint: Paint): string[] {
  return [`  ${f.file}:${String(f.line)}  ${severityPaint(paint, f.severity)(f.code)}  ${f.message}`, ...(f.fix !== undefined ? [`      ${paint.cyan('fix:')} ${f.fix}`] : [])];
}

/** Errors red, warnings yellow, info plain. */
function severityPaint(paint: Paint, severity: Finding['severity']): (text: string) => string {
  return severity === 'error' ? paint.red : severity === 'warning' ? paint.yellow : paint.dim;
}
