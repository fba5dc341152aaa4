import { ENV_NAME_PATTERN } from '../jobfile/fields.js';
import { renderTemplate, unknownTemplates } from '../jobfile/templates.js';
import { entryZone, unknownZoneReason } from './entry-zone.js';
import { nameOf } from './job-name.js';
import type { Crontab, CrontabEntry } from './types.js';
import { vixieFirings } from './vixie.js';

export { nameOf } from './job-name.js';

/** One crontab entry as a tock job: its name, zone and fields, and the notes to put above it. */
export interface ImportedJob {
  name: string;
  entry: CrontabEntry;
  /** The crontab line as written. */
  text: string;
  /** The zone cron reads the schedule in: CRON_TZ, else TZ, else the host's. */
  zone: string;
  fields: Record<string, unknown>;
  /** Comment lines for the jobfile: what became of a `%`, a MAILTO. */
  notes: string[];
}

/** A crontab line that is not a job of the jobfile: kept there as a comment, with why. */
export interface CarriedLine {
  file: string;
  line: number;
  /** The line as written. */
  text: string;
  reason: string;
}

/** What `tock import` makes of a crontab, before it is written as YAML. */
export interface ImportPlan {
  source: string;
  zone: string;
  /** Fields every job shares (SPEC 2 `defaults`), and the notes to put above them. */
  defaults: Record<string, unknown>;
  defaultNotes: string[];
  jobs: ImportedJob[];
  carried: CarriedLine[];
  reboots: CrontabEntry[];
}

/** Variables that become fields (zone, shell, a hook), not `env`. */
const RESERVED_ENV = new Set(['CRON_TZ', 'TZ', 'MAILTO', 'SHELL']);
const ENV_NAME = new RegExp(ENV_NAME_PATTERN);
const MAILTO_NOTE = ' MAILTO: cron mailed any output; this mails the log tail when a run fails.';
const NO_SENDMAIL_NOTE = ' No sendmail was found on this host: install one (dma, msmtp-mta, postfix) or change this hook.';

/**
 * The jobs of a crontab, one per entry (not @reboot), named from the program they run, the
 * schedule as written, the zone from CRON_TZ/TZ else the host's (never a silent UTC), env lines
 * as `env` (those every job shares in `defaults`), the user column as `user`, `%` stdin kept as
 * cron does. A line cron skips, or that never runs, is carried as a comment with the reason.
 */
export function planImport(crontab: Crontab, text: string, hostZone: string, now: number, hasSendmail: boolean): ImportPlan {
  const lines = text.split('\n');
  const carried: CarriedLine[] = crontab.problems.map((p) => ({
    file: p.file, line: p.line, text: lines[p.line - 1] ?? '',
    reason: `cron skips this line (column ${String(p.column)}: expected ${p.expected}, got ${p.got})`,
  }));
  const reboots = crontab.entries.filter((e) => e.macro === '@reboot');
  const used = new Set<string>();
  const jobs: ImportedJob[] = [];
  for (const entry of crontab.entries) {
    if (entry.macro === '@reboot') continue;
    const zone = entryZone(entry, hostZone);
    const skip = reasonToSkip(entry, zone, now);
    if (skip !== undefined) carried.push({ file: entry.file, line: entry.line, text: lines[entry.line - 1] ?? entry.raw, reason: skip });
    else jobs.push(jobOf(entry, lines[entry.line - 1] ?? entry.raw, zone, hostZone, used, hasSendmail));
  }
  const { defaults, defaultNotes } = shareDefaults(jobs, hasSendmail);
  carried.sort((a, b) => a.line - b.line);
  return { source: crontab.file, zone: hostZone, defaults, defaultNotes, jobs, carried, reboots };
}

function reasonToSkip(entry: CrontabEntry, zone: string, now: number): string | undefined {
  const badZone = unknownZoneReason(zone);
  if (badZone !== undefined) return badZone;
  if (vixieFirings(entry, zone, now, 1).length === 0) return `it never runs: no date matches "${entry.schedule}"`;
  const templated = [entry.command, entry.stdin ?? '', ...Object.values(entry.env)].find(hasTemplate);
  if (templated !== undefined) return `tock would read the {{ }} in "${templated}" as a template; cron runs it as written`;
  return undefined;
}

const SENTINEL = { ds: '\0', ds_nodash: '\0', ts: '\0', job: '\0', run_id: '\0', attempt: '\0' };

/** Whether tock would substitute (or refuse) a `{{ }}` in text that cron passes on as written. */
function hasTemplate(text: string): boolean {
  return unknownTemplates(text).length > 0 || renderTemplate(text, SENTINEL) !== text;
}

function jobOf(entry: CrontabEntry, text: string, zone: string, fileZone: string, used: Set<string>, hasSendmail: boolean): ImportedJob {
  const description = entry.comments.map((c) => c.trim()).filter((c) => c !== '').join(' ');
  const variables = Object.entries(entry.env).filter(([k]) => !RESERVED_ENV.has(k));
  const env = Object.fromEntries(variables.filter(([k]) => ENV_NAME.test(k)));
  const mailto = entry.env.MAILTO;
  const shell = entry.env.SHELL === '' ? undefined : entry.env.SHELL;
  const notes: string[] = [];
  if (entry.stdin !== undefined) notes.push(percentNote(entry.stdin));
  for (const [k] of variables.filter(([name]) => !ENV_NAME.test(name))) notes.push(` ${k}=... is not in env: tock takes variable names of letters, digits and _ (not starting with a digit).`);
  if (entry.env.SHELL === '') notes.push(' SHELL= is empty, so cron could not start this job; tock uses its default shell.');
  if (mailto !== undefined && mailto !== '') notes.push(MAILTO_NOTE, ...(hasSendmail ? [] : [NO_SENDMAIL_NOTE]));
  const fields: Record<string, unknown> = {
    ...(description !== '' ? { description } : {}),
    schedule: entry.schedule,
    ...(zone !== fileZone ? { timezone: zone } : {}),
    command: commandOf(entry),
    ...(Object.keys(env).length > 0 ? { env } : {}),
    ...(shell !== undefined ? { shell } : {}),
    ...(entry.user !== undefined ? { user: entry.user } : {}),
    ...(mailto !== undefined && mailto !== '' ? { on_failure: { command: mailCommand(mailto) } } : {}),
  };
  return { name: uniqueName(nameOf(entry.command), used), entry, text, zone, fields, notes };
}

function percentNote(stdin: string): string {
  if (stdin === '') return ' %: cron ends the command at the first unescaped %; nothing follows it, so stdin is empty (</dev/null).';
  const lines = stdin.replace(/\n$/, '').split('\n').length;
  return ` %: cron ends the command at the first unescaped % and sends the rest to its stdin, each further % a newline: that stdin is the here-document below (${String(lines)} ${lines === 1 ? 'line' : 'lines'}).`;
}

/**
 * Moves what every job has the same into `defaults`: `concurrency: allow` (cron lets runs
 * overlap; tock's default forbids it), the env variables with one value everywhere (PATH),
 * SHELL as `shell`, MAILTO's hook. A job keeps only what differs (env merges, SPEC 2).
 */
function shareDefaults(jobs: readonly ImportedJob[], hasSendmail: boolean): { defaults: Record<string, unknown>; defaultNotes: string[] } {
  const defaults: Record<string, unknown> = { concurrency: 'allow' };
  const defaultNotes = [' concurrency: allow keeps cron\'s habit of letting a slow run overlap the next (remove it to get tock\'s default, forbid).'];
  const env = commonEnv(jobs);
  if (Object.keys(env).length > 0) defaults.env = env;
  for (const job of jobs) {
    const own = Object.fromEntries(Object.entries((job.fields.env ?? {}) as Record<string, string>).filter(([k]) => !(k in env)));
    job.fields.env = Object.keys(own).length > 0 ? own : undefined;
  }
  for (const field of ['shell', 'on_failure'] as const) {
    const first = jobs[0]?.fields[field];
    if (first === undefined || !shareable(first) || jobs.some((j) => JSON.stringify(j.fields[field]) !== JSON.stringify(first))) continue;
    defaults[field] = first;
    for (const job of jobs) job.fields[field] = undefined;
  }
  if (defaults.on_failure !== undefined) {
    defaultNotes.push(MAILTO_NOTE, ...(hasSendmail ? [] : [NO_SENDMAIL_NOTE]));
    for (const job of jobs) job.notes = job.notes.filter((n) => n !== MAILTO_NOTE && n !== NO_SENDMAIL_NOTE);
  }
  for (const job of jobs) job.fields = Object.fromEntries(Object.entries(job.fields).filter(([, v]) => v !== undefined));
  return { defaults, defaultNotes };
}

function commonEnv(jobs: readonly ImportedJob[]): Record<string, string> {
  const [first, ...rest] = jobs.map((j) => (j.fields.env ?? {}) as Record<string, string>);
  if (first === undefined) return {};
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => shareable(v) && rest.every((env) => env[k] === v)));
}

/** A value tock's validation refuses (an unknown `{{ }}`) stays on the job, which is then carried, not imported. */
function shareable(value: unknown): boolean {
  return unknownTemplates(JSON.stringify(value)).length === 0;
}

function uniqueName(name: string, used: Set<string>): string {
  let candidate = name;
  for (let n = 2; used.has(candidate); n++) candidate = `${name}-${String(n)}`;
  used.add(candidate);
  return candidate;
}

/** cron feeds the text after `%` to stdin, each further `%` a newline: a here-document does the same. */
function commandOf(entry: CrontabEntry): string {
  if (entry.stdin === undefined) return entry.command;
  if (entry.stdin === '') return `${entry.command} </dev/null`;
  let marker = 'TOCK_STDIN';
  while (entry.stdin.split('\n').includes(marker)) marker += '_';
  // `stdin` already ends with the newline cron adds; the here-document adds its own.
  return `${entry.command} <<'${marker}'\n${entry.stdin.replace(/\n$/, '')}\n${marker}`;
}

function mailCommand(to: string): string {
  const address = to.replace(/'/g, '');
  return `{ printf 'To: %s\\nSubject: tock: %s %s on %s\\n\\n' '${address}' "$TOCK_JOB" "$TOCK_OUTCOME" "$(hostname)"; tail -n 100 "$TOCK_LOG"; } | sendmail -t`;
}
