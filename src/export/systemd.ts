import path from 'node:path';

import { formatDuration } from '../util/duration.js';
import type { Job, Jobfile } from '../jobfile/types.js';
import { InternalError } from '../util/unreachable.js';
import { toOnCalendar } from './on-calendar.js';
import type { ExportResult } from './types.js';

export interface SystemdExportOptions {
  /** Absolute path of the jobfile. */
  jobfile: string;
  /** Absolute path of tock's `bin/tock.js`. */
  tock: string;
  /** Absolute path of the node binary. */
  node: string;
}

/** What one exported job becomes: its units' name, what starts it, what it starts. */
export interface ExportedJob {
  job: Job;
  unit: string;
  /** The OnCalendar= value, for a job with a schedule. */
  onCalendar?: string;
  /** For a job started by another job's service: that job. */
  after?: string;
  /** Units started when this one succeeds, or fails. */
  onSuccess: string[];
  onFailure: string[];
}

/** Time tock needs beyond a job's own limits to record the run and exit. */
const MARGIN_MS = 30_000;

/**
 * `tock export systemd`: a oneshot `.service` and a `.timer` per scheduled job, and a service
 * started through `OnSuccess=`/`OnFailure=` for a job that follows exactly one other. Every
 * service runs `tock run JOB`, so retries, locks, the ledger and hooks still apply; what systemd
 * cannot express is skipped or changed with a warning naming the job, and README.md says how to
 * install the units.
 */
export function exportSystemd(jobfile: Jobfile, options: SystemdExportOptions): ExportResult {
  for (const p of [options.node, options.tock, options.jobfile]) {
    if (!path.isAbsolute(p)) throw new InternalError(`exportSystemd: expected an absolute path, got ${JSON.stringify(p)}`);
  }
  const warnings: string[] = [];
  const skipped = new Map<string, string>();
  const exported = new Map<string, ExportedJob>();
  const units = unitNames([...jobfile.jobs.keys()]);
  const unitOf = (name: string): string => units.get(name) ?? `tock-${name}`;

  for (const job of jobfile.jobs.values()) {
    const entry: ExportedJob = { job, unit: unitOf(job.name), onSuccess: [], onFailure: [] };
    if (job.schedule !== undefined) {
      const converted = toOnCalendar(job.schedule, job.timezone);
      if (!converted.ok) {
        skipped.set(job.name, converted.reason);
        continue;
      }
      entry.onCalendar = converted.value;
      if (job.needs.length > 0) {
        warnings.push(`job "${job.name}": its timer starts it without waiting for ${quoted(job.needs)} (systemd cannot make a timer wait for other units to succeed)`);
      }
    } else if (job.needs.length === 0) {
      skipped.set(job.name, `it has no schedule and needs nothing, so nothing would start it; run it with \`tock run ${job.name}\``);
      continue;
    } else if (job.needs.length > 1) {
      skipped.set(job.name, `it needs ${quoted(job.needs)}, and systemd's OnSuccess=/OnFailure= start a unit when one other unit ends: it cannot wait for several`);
      continue;
    } else {
      entry.after = job.needs[0];
    }
    exported.set(job.name, entry);
  }
  // A follower of a job that was not exported has nothing to start it; needs are acyclic, so
  // this settles within one pass per level.
  for (let changed = true; changed;) {
    changed = false;
    for (const [name, entry] of exported) {
      if (entry.after !== undefined && !exported.has(entry.after)) {
        skipped.set(name, `it follows "${entry.after}", which is not exported`);
        exported.delete(name);
        changed = true;
      }
    }
  }
  for (const entry of exported.values()) wire(entry, exported);
  for (const entry of exported.values()) warnings.push(...lossWarnings(entry.job));
  for (const [name, reason] of skipped) warnings.push(`job "${name}" is not exported: ${reason}`);

  const files = [...exported.values()].flatMap((entry) => {
    const service = { name: `${entry.unit}.service`, text: serviceUnit(entry, exported, options) };
    return entry.onCalendar === undefined ? [service] : [service, { name: `${entry.unit}.timer`, text: timerUnit(entry, entry.onCalendar) }];
  });
  files.push({ name: 'README.md', text: readme(options.jobfile, [...exported.values()], skipped) });
  return { files, warnings };
}

/** SPEC 4: a follower runs after its need succeeded (success), failed (failure) or either (always). */
function wire(entry: ExportedJob, exported: ReadonlyMap<string, ExportedJob>): void {
  if (entry.after === undefined || !entry.job.enabled) return;
  const upstream = exported.get(entry.after);
  if (upstream === undefined) return;
  if (entry.job.when !== 'failure') upstream.onSuccess.push(`${entry.unit}.service`);
  if (entry.job.when !== 'success') upstream.onFailure.push(`${entry.unit}.service`);
}

/** What changes under systemd although `tock run` applies the job's settings. */
function lossWarnings(job: Job): string[] {
  const out: string[] = [];
  if (job.schedule !== undefined && job.catchup === 'all') {
    out.push(`job "${job.name}": catchup: all becomes one catch-up run (systemd's Persistent=true runs the missed slots once, coalesced)`);
  }
  if (job.schedule !== undefined && job.startDeadlineMs !== undefined) {
    out.push(`job "${job.name}": start_deadline is not carried over (systemd starts a late or catch-up run whenever it can)`);
  }
  if (job.concurrency !== 'forbid') {
    out.push(`job "${job.name}": concurrency: ${job.concurrency} is not carried over between timer runs (systemd does not start a service that is still running: that slot is dropped)`);
  }
  if (!job.enabled) {
    out.push(`job "${job.name}" is disabled: its units are written, but README.md leaves them out of the enable command`);
  }
  return out;
}

function serviceUnit(entry: ExportedJob, exported: ReadonlyMap<string, ExportedJob>, options: SystemdExportOptions): string {
  const { job } = entry;
  const exec = [options.node, options.tock, 'run', job.name, '-f', options.jobfile];
  const startedBy = entry.onCalendar !== undefined ? `${entry.unit}.timer` : `${unitOf(exported, entry.after)}.service (OnSuccess=/OnFailure= there)`;
  const disabledFollowers = [...exported.values()].filter((e) => e.after === job.name && !e.job.enabled).map((e) => `${e.unit}.service`);
  const lines = [
    `# ${entry.unit}.service: runs the tock job "${printable(job.name)}" of ${printable(options.jobfile)} once.`,
    `# Written by \`tock export systemd\`; started by ${startedBy}. See README.md beside it.`,
    '',
    '[Unit]',
    `Description=${escapeSpecifiers(`tock job ${job.name} (${printable(options.jobfile)})`)}`,
    ...(entry.onSuccess.length > 0 || entry.onFailure.length > 0
      ? ['# The jobs that follow this one (their `needs`, by `when`); OnSuccess= needs systemd 249.'] : []),
    ...(entry.onSuccess.length > 0 ? [`OnSuccess=${entry.onSuccess.join(' ')}`] : []),
    ...(entry.onFailure.length > 0 ? [`OnFailure=${entry.onFailure.join(' ')}`] : []),
    ...(disabledFollowers.length > 0 ? [`# Not started from here: ${disabledFollowers.join(', ')} (enabled: false in the jobfile).`] : []),
    '',
    '[Service]',
    '# `tock run` applies the job\'s retries, timeout, locks, env, wait_for and hooks and records',
    '# the run in the ledger, as the daemon would; it exits non-zero when the run did not succeed.',
    'Type=oneshot',
    `ExecStart=${exec.map(quoteExecArg).join(' ')}`,
    '# tock starts the command in the job\'s workdir itself; "-": a missing one is a failed run',
    '# in the ledger, not a unit systemd refuses to start.',
    `WorkingDirectory=-${escapeSpecifiers(job.workdir)}`,
    ...accountLines(job),
    '# SIGTERM goes to tock alone: it TERMs the attempt\'s process group and KILLs it after',
    `# kill_grace (${formatDuration(job.killGraceMs)}), then records the run.`,
    'KillMode=mixed',
    `TimeoutStopSec=${seconds(job.killGraceMs + MARGIN_MS)}`,
    ...timeoutLines(job),
  ];
  return `${lines.join('\n')}\n`;
}

function timerUnit(entry: ExportedJob, onCalendar: string): string {
  const { job } = entry;
  const schedule = job.schedule?.text ?? '';
  const lines = [
    `# ${entry.unit}.timer: starts ${entry.unit}.service on the schedule of the tock job "${printable(job.name)}".`,
    '# Written by `tock export systemd`. See README.md beside it.',
    ...(job.enabled ? [] : ['# enabled: false in the jobfile: do not enable this timer until the job is enabled again.']),
    '',
    '[Unit]',
    `Description=${escapeSpecifiers(`tock job ${job.name}: ${printable(schedule)}${job.schedule?.kind === 'cron' ? ` (${job.timezone})` : ''}`)}`,
    '',
    '[Timer]',
    `# schedule: ${printable(schedule)}${job.schedule?.kind === 'every' ? ' (multiples of the interval since 1970, so in UTC)' : ` in ${job.timezone}`}`,
    `OnCalendar=${onCalendar}`,
    ...persistentLines(job),
    '# Start within a second of the slot (systemd\'s default of 1min batches timers to save wake-ups).',
    'AccuracySec=1s',
    ...jitterLines(job),
    `Unit=${entry.unit}.service`,
    '',
    '[Install]',
    'WantedBy=timers.target',
  ];
  return `${lines.join('\n')}\n`;
}

function persistentLines(job: Job): string[] {
  switch (job.catchup) {
    case 'none':
      return ['# catchup: none: slots missed while the machine was off are not run.', 'Persistent=false'];
    case 'latest':
      return ['# catchup: latest: after downtime systemd runs the job once, at boot, for the slots it missed.', 'Persistent=true'];
    case 'all':
      return ['# catchup: all: systemd runs one coalesced catch-up run, not one per missed slot.', 'Persistent=true'];
  }
}

function jitterLines(job: Job): string[] {
  if (job.jitterMs <= 0) return [];
  return [
    `# jitter: ${formatDuration(job.jitterMs)}. FixedRandomDelay= (systemd 247) keeps one delay per machine and timer,`,
    '# stable across restarts, as tock keeps one per job.',
    `RandomizedDelaySec=${seconds(job.jitterMs)}`,
    'FixedRandomDelay=yes',
  ];
}

function accountLines(job: Job): string[] {
  if (job.user === undefined && job.group === undefined) return [];
  const who = [job.user === undefined ? '' : `user "${job.user}"`, job.group === undefined ? '' : `group "${job.group}"`].filter((w) => w !== '').join(' and ');
  return [
    `# The job runs as ${printable(who)}: tock switches to it for the command, which needs tock to run`,
    '# as root, so there is no User=/Group= here (tock would then refuse the run).',
  ];
}

/**
 * `timeout` is per attempt and tock enforces it; TimeoutStartSec= is a backstop over the whole
 * run: every attempt's timeout and kill_grace, the retry delays and wait_for, or the deadline.
 */
function timeoutLines(job: Job): string[] {
  const limits: string[] = [];
  let totalMs: number | undefined;
  if (job.timeoutMs !== undefined) {
    let delays = 0;
    for (let n = 1; n <= job.retries; n++) delays += Math.min(job.retryDelayMs * job.retryBackoff ** (n - 1), job.maxRetryDelayMs);
    totalMs = (job.retries + 1) * (job.timeoutMs + job.killGraceMs) + delays + (job.waitFor?.timeoutMs ?? 0) + MARGIN_MS;
    limits.push(`timeout ${formatDuration(job.timeoutMs)} per attempt, ${String(job.retries + 1)} ${job.retries === 0 ? 'attempt' : 'attempts'}`);
  }
  if (job.deadlineMs !== undefined) {
    const byDeadline = job.deadlineMs + job.killGraceMs + MARGIN_MS;
    totalMs = totalMs === undefined ? byDeadline : Math.min(totalMs, byDeadline);
    limits.push(`deadline ${formatDuration(job.deadlineMs)}`);
  }
  if (totalMs === undefined) {
    return ['# No timeout or deadline: a oneshot service may run for as long as the job does.', 'TimeoutStartSec=infinity'];
  }
  return [
    `# A backstop over the whole run (${limits.join(', ')}): tock ends it first and records why.`,
    `TimeoutStartSec=${seconds(totalMs)}`,
  ];
}

/** README.md in the output: how to install the units, and what carries over and what does not. */
function readme(jobfile: string, exported: readonly ExportedJob[], skipped: ReadonlyMap<string, string>): string {
  const timers = exported.filter((e) => e.onCalendar !== undefined && e.job.enabled).map((e) => `${e.unit}.timer`);
  const disabled = exported.filter((e) => !e.job.enabled).map((e) => e.job.name);
  const row = (e: ExportedJob): string => {
    const starts = e.onCalendar !== undefined ? `\`${e.onCalendar}\`` : `after \`${e.after ?? ''}\` (when: ${e.job.when})`;
    return `| ${e.job.name}${e.job.enabled ? '' : ' (disabled)'} | \`${e.unit}.service\`${e.onCalendar !== undefined ? `, \`${e.unit}.timer\`` : ''} | ${starts} |`;
  };
  const lines = [
    `# systemd units for ${printable(jobfile)}`,
    '',
    'Written by `tock export systemd`. Each scheduled job has a timer, `tock-JOB.timer`, that starts a',
    'oneshot service, `tock-JOB.service`, which runs `tock run JOB` on this jobfile: tock still applies',
    'the job\'s retries, timeout, locks, env, wait_for and hooks, and records every run in its ledger',
    '(the jobfile\'s `state_dir`, else `/var/lib/tock` for root), so `tock status`, `tock history` and',
    '`tock logs` keep working. A job that follows another is started by that job\'s service with',
    '`OnSuccess=`/`OnFailure=`. tock, node and the jobfile must stay where they are now.',
    '',
    '## Install',
    '',
    'systemd 249 or later (for `OnSuccess=`); as root:',
    '',
    '```sh',
    'cp tock-*.service tock-*.timer /etc/systemd/system/',
    'systemctl daemon-reload',
    ...(timers.length > 0 ? [`systemctl enable --now ${timers.join(' ')}`] : []),
    'systemctl list-timers \'tock-*\'',
    '```',
    '',
    'Do not also run `tock daemon` (or `tock service install`) on this jobfile: both would run the jobs.',
    ...(disabled.length > 0 ? ['', `Not enabled above, because the jobfile disables them: ${disabled.join(', ')}. Enable their timers once it does not.`] : []),
    '',
    '## Jobs',
    '',
    '| job | units | runs |',
    '| --- | --- | --- |',
    ...exported.map(row),
    ...(skipped.size > 0 ? ['', '## Not exported', '', ...[...skipped].map(([name, reason]) => `- ${name}: ${reason}`)] : []),
    '',
    '## What carries over',
    '',
    '- `schedule` and `timezone` become `OnCalendar=` with the zone; `@every` only when the interval divides',
    '  a minute, an hour or a day (or is a week), written in UTC as tock counts it from 1970.',
    '- `catchup` becomes `Persistent=` (`none`: false; `latest`, `all`: true).',
    '- `jitter` becomes `RandomizedDelaySec=` with `FixedRandomDelay=yes`: one fixed delay per machine and timer.',
    '- `timeout`, `retries`, `deadline`: tock enforces them; `TimeoutStartSec=` is a backstop over the whole run.',
    '- `needs` with one job: `when: success` is `OnSuccess=`, `failure` is `OnFailure=`, `always` is both.',
    '- `env`, `shell`, `workdir`, `user`, `group`, `locks`, `wait_for`, hooks and the ledger: through `tock run`.',
    '',
    '## What does not',
    '',
    '- `catchup: all`: systemd runs one coalesced catch-up run, not one per missed slot.',
    '- `start_deadline`: systemd starts a late or catch-up run whenever it can.',
    '- `concurrency`: systemd does not start a service that is still running, so an overlapping slot is dropped',
    '  without a record in the ledger (as `forbid`, but silent); `queue`, `replace` and `allow` do not apply.',
    '- `needs` with several jobs: systemd cannot start a unit once several others have succeeded. A scheduled',
    '  job with `needs` runs on its timer without waiting for them.',
    '- The logical time (`{{ ds }}` and the ledger\'s `logical_time`) is when the run started, after the delay,',
    '  not the slot; runs are recorded as `manual`.',
    '- Daylight saving time: systemd skips a time that falls in the spring-forward gap (tock runs it at the end',
    '  of the gap), and runs a time in the repeated fall-back hour once (tock runs schedules with an hourly or',
    '  stepped hour field in both copies).',
    '',
  ];
  return lines.join('\n');
}

/**
 * `tock-JOB`, with anything a unit name cannot hold (systemd.unit(5): letters, digits, `:_.-`)
 * replaced, and made unique should two names collide.
 */
export function unitNames(jobs: readonly string[]): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const job of jobs) {
    const base = `tock-${job.replace(/[^A-Za-z0-9:_.-]/g, '_')}`.slice(0, 200);
    let unit = base;
    for (let n = 2; taken.has(unit); n++) unit = `${base}-${String(n)}`;
    taken.add(unit);
    names.set(job, unit);
  }
  return names;
}

function unitOf(exported: ReadonlyMap<string, ExportedJob>, name: string | undefined): string {
  return (name === undefined ? undefined : exported.get(name)?.unit) ?? 'another job';
}

function seconds(ms: number): string {
  return `${String(Math.ceil(ms / 1000))}s`;
}

function quoted(names: readonly string[]): string {
  return names.map((n) => `"${n}"`).join(' and ');
}

/** A value for a comment or Description=, on one line. */
function printable(text: string): string {
  return text.replace(/\p{Cc}/gu, '?');
}

/** `%` starts a specifier (%h, %n...) in most unit settings; `%%` is a literal one. */
function escapeSpecifiers(text: string): string {
  return text.replaceAll('%', '%%');
}

/** One ExecStart= argument: specifiers and `$VAR` expansion escaped, then quoted if needed (systemd.syntax(7)). */
function quoteExecArg(arg: string): string {
  const word = escapeSpecifiers(arg).replaceAll('$', '$$$$');
  if (word !== '' && !/[\s"'\\;\p{Cc}]/u.test(word)) return word;
  // eslint-disable-next-line no-control-regex -- control characters are what this escapes
  const escaped = word.replace(/[\\"\x00-\x1f\x7f]/g, (c) =>
    c === '\\' || c === '"' ? `\\${c}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `"${escaped}"`;
}
