import { Document, isMap, isScalar, YAMLMap } from 'yaml';

import { validateText } from '../jobfile/load.js';
import { InternalError } from '../util/unreachable.js';
import type { CarriedLine, ImportedJob, ImportPlan } from './import.js';

/** The jobfile of a plan, and the plan it is of (jobs tock's validation refused moved to `carried`). */
export interface ImportedJobfile {
  yaml: string;
  plan: ImportPlan;
}

/**
 * The jobfile text of an import plan, checked by tock's own validation. A job it refuses (cron
 * reads it, tock does not: a `{{ }}` in its command) is carried as a comment with the message,
 * like a line cron skips, so the jobfile written always validates. Throws only on a jobfile
 * that still does not validate without such jobs, which is a bug of the import. With no job
 * left, the text is empty: a jobfile needs one.
 */
export function writeImport(plan: ImportPlan, file: string): ImportedJobfile {
  if (plan.jobs.length === 0) return { yaml: '', plan };
  const yaml = renderJobfile(plan);
  const check = validateText(yaml, file);
  if (check.ok) return { yaml, plan };
  const refused = new Map<string, string>();
  for (const d of check.diagnostics) {
    const name = /^jobs\.([^.]+)/.exec(d.path)?.[1];
    if (name !== undefined && d.severity === 'error' && !refused.has(name)) refused.set(name, `tock refuses it: ${d.path.replace(/^jobs\.[^.]+\.?/, '') || 'the job'}: ${d.message}`);
  }
  const jobs = plan.jobs.filter((j) => !refused.has(j.name));
  const carried = [...plan.carried, ...plan.jobs.flatMap((j) => {
    const reason = refused.get(j.name);
    return reason === undefined ? [] : [{ file: j.entry.file, line: j.entry.line, text: j.text, reason }];
  })].sort((a, b) => a.line - b.line);
  const next: ImportPlan = { ...plan, jobs, carried };
  if (jobs.length === 0) return { yaml: '', plan: next };
  const again = renderJobfile(next);
  if (jobs.length === plan.jobs.length || !validateText(again, file).ok) {
    throw new InternalError(`the imported jobfile does not validate: ${check.diagnostics.map((d) => `${d.path}: ${d.message}`).join('; ')}`);
  }
  return { yaml: again, plan: next };
}

/** The YAML, with comments saying where each job came from, what to check, and what was not imported. */
export function renderJobfile(plan: ImportPlan): string {
  const doc = new Document({ version: 1, timezone: plan.zone, defaults: plan.defaults, jobs: Object.fromEntries(plan.jobs.map((j) => [j.name, j.fields])) });
  doc.commentBefore = [
    ` Imported from ${plan.source} by tock import.`,
    ' Each job keeps its cron schedule, zone and environment; what they all share is in defaults.',
    ...(plan.reboots.length > 0 ? [
      ' @reboot entries are not jobs in tock; run them from a systemd unit (WantedBy=multi-user.target):',
      ...plan.reboots.map((r) => `   ${r.file}:${String(r.line)}: ${safe(r.command)}`),
    ] : []),
  ].join('\n');
  const defaultsNode = doc.get('defaults', true);
  if (isMap(defaultsNode)) unflow(defaultsNode);
  const defaultsKey = doc.contents instanceof YAMLMap ? doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'defaults')?.key : undefined;
  if (isScalar(defaultsKey)) defaultsKey.commentBefore = plan.defaultNotes.join('\n');
  const jobsNode = doc.get('jobs', true);
  let carried = [...plan.carried];
  if (isMap(jobsNode)) {
    unflow(jobsNode);
    for (const pair of jobsNode.items) {
      const job = plan.jobs.find((j) => isScalar(pair.key) && j.name === String(pair.key.value));
      if (job === undefined || !isScalar(pair.key)) continue;
      // A line not imported goes just above the job that came after it in the crontab.
      const before = carried.filter((c) => c.line < job.entry.line);
      carried = carried.filter((c) => c.line > job.entry.line);
      pair.key.commentBefore = [...before.flatMap(carriedComment), ` ${lineOf(job)}`, ...job.notes].join('\n');
    }
  }
  if (carried.length > 0) doc.comment = carried.flatMap(carriedComment).join('\n');
  // yaml ends a trailing document comment without a newline; a text file ends with one.
  const text = doc.toString({ lineWidth: 0 });
  return text.endsWith('\n') ? text : `${text}\n`;
}

function carriedComment(c: CarriedLine): string[] {
  return [` ${c.file}:${String(c.line)}: not imported: ${safe(c.reason)}:`, `   ${safe(c.text)}`];
}

function lineOf(job: ImportedJob): string {
  const e = job.entry;
  return `${e.file}:${String(e.line)}: ${e.schedule}${e.user !== undefined ? ` ${e.user}` : ''} ${safe(e.raw)}`;
}

/** A comment holds one line: control characters (a CR of a DOS file) are shown, not written. */
function safe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function unflow(map: YAMLMap): void {
  map.flow = false;
  for (const pair of map.items) if (pair.value instanceof YAMLMap) pair.value.flow = false;
}
