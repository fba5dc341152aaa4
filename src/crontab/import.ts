import { Document, isMap, YAMLMap } from 'yaml';

import type { CrontabEntry } from './types.js';

/** One crontab entry as a tock job: its name and fields, and the comment to put above it. */
export interface ImportedJob {
  name: string;
  entry: CrontabEntry;
  fields: Record<string, unknown>;
}

const RESERVED_ENV = new Set(['CRON_TZ', 'TZ', 'MAILTO', 'SHELL']);

/**
 * The jobs of a crontab, one per entry (not @reboot), named from their commands (`backup-db`,
 * not `job-7`), the schedule as written, the zone from CRON_TZ/TZ else the host's (never a
 * silent UTC), env lines as `env`, the user column as `user`, `%` stdin kept as cron does.
 */
export function importEntries(entries: readonly CrontabEntry[], hostZone: string): ImportedJob[] {
  const used = new Set<string>();
  return entries.filter((e) => e.macro !== '@reboot').map((entry) => {
    const name = uniqueName(nameOf(entry.command), used);
    const env = Object.fromEntries(Object.entries(entry.env).filter(([k]) => !RESERVED_ENV.has(k)));
    const fields: Record<string, unknown> = {
      ...(entry.comments.length > 0 ? { description: entry.comments.join(' ').trim() } : {}),
      schedule: entry.schedule,
      timezone: entry.env.CRON_TZ ?? entry.env.TZ ?? hostZone,
      command: commandOf(entry),
      // cron lets runs overlap; tock's default (forbid) does not. Keep cron's behaviour.
      concurrency: 'allow',
      ...(Object.keys(env).length > 0 ? { env } : {}),
      ...(entry.env.SHELL !== undefined ? { shell: entry.env.SHELL } : {}),
      ...(entry.user !== undefined ? { user: entry.user } : {}),
      ...(entry.env.MAILTO !== undefined && entry.env.MAILTO !== '' ? { on_failure: { command: mailCommand(entry.env.MAILTO) } } : {}),
    };
    return { name, entry, fields };
  });
}

/** The jobfile text, with comments saying where each job came from and what to check. */
export function renderJobfile(jobs: readonly ImportedJob[], reboots: readonly CrontabEntry[], source: string, hostZone: string, hasSendmail: boolean): string {
  const doc = new Document({ version: 1, timezone: hostZone, jobs: Object.fromEntries(jobs.map((j) => [j.name, j.fields])) });
  doc.commentBefore = [
    ` Imported from ${source} by tock import.`,
    ' Each job keeps its cron schedule, zone and environment; concurrency: allow keeps cron\'s',
    ' habit of letting a slow run overlap the next (remove it to get tock\'s default, forbid).',
    ...(reboots.length > 0 ? [
      ' @reboot entries are not jobs in tock; run them from a systemd unit (WantedBy=multi-user.target):',
      ...reboots.map((r) => `   ${r.file}:${String(r.line)}: ${r.command}`),
    ] : []),
  ].join('\n');
  const jobsNode = doc.get('jobs', true);
  if (isMap(jobsNode)) {
    for (const pair of jobsNode.items) {
      const job = jobs.find((j) => j.name === String((pair.key as { value: unknown }).value));
      if (job === undefined) continue;
      const notes = [` ${job.entry.file}:${String(job.entry.line)}: ${job.entry.schedule}${job.entry.user !== undefined ? ` ${job.entry.user}` : ''} ${job.entry.raw}`];
      if (job.fields.on_failure !== undefined) {
        notes.push(' MAILTO: cron mailed any output; this mails the log tail when a run fails.');
        if (!hasSendmail) notes.push(' No sendmail was found on this host: install one (dma, msmtp-mta, postfix) or change this hook.');
      }
      (pair.key as { commentBefore?: string }).commentBefore = notes.join('\n');
      if (pair.value instanceof YAMLMap) pair.value.flow = false;
    }
  }
  return doc.toString({ lineWidth: 0 });
}

/** `/usr/local/bin/backup-db.sh --full` -> `backup-db`; `cd /srv && make report` -> `make-report`. */
export function nameOf(command: string): string {
  const words = command.replace(/^\s*(sleep\s+\d+\s*(&&|;)\s*)+/, '').replace(/^\s*cd\s+\S+\s*(&&|;)\s*/, '').trim().split(/\s+/);
  const skip = new Set(['sudo', 'nice', 'ionice', 'timeout', 'flock', 'env', 'bash', 'sh', '-c', 'test', '[', 'exec', 'nohup', 'run-parts']);
  const meaningful = words.filter((w) => !skip.has(w) && !w.startsWith('-') && !/^\d+$/.test(w) && !w.includes('='));
  const first = (meaningful[0] ?? 'job').split('/').filter((p) => p !== '').at(-1) ?? 'job';
  const base = first.replace(/\.(sh|py|pl|rb|php|js)$/, '');
  const second = meaningful[1]?.split('/').at(-1);
  const raw = ['make', 'python', 'python3', 'php', 'node', 'perl', 'ruby', 'docker'].includes(base) && second !== undefined ? `${base}-${second.replace(/\.(sh|py|pl|rb|php|js)$/, '')}` : base;
  const slug = raw.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^[^a-z0-9]+/, '').replace(/-+$/, '').slice(0, 56);
  return slug === '' ? 'job' : slug;
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
  // `stdin` already ends with the newline cron adds; the here-document adds its own.
  return `${entry.command} <<'TOCK_STDIN'\n${entry.stdin.replace(/\n$/, '')}\nTOCK_STDIN`;
}

function mailCommand(to: string): string {
  const address = to.replace(/'/g, '');
  return `{ printf 'To: %s\\nSubject: tock: %s %s on %s\\n\\n' '${address}' "$TOCK_JOB" "$TOCK_OUTCOME" "$(hostname)"; tail -n 100 "$TOCK_LOG"; } | sendmail -t`;
}
