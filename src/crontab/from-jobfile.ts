import type { Jobfile } from '../jobfile/types.js';
import type { Crontab, CrontabEntry } from './types.js';

/**
 * The jobs of a tock jobfile as crontab entries, so the audit counts them in its clashes and
 * histogram: every enabled job with a schedule, at minute resolution (a 6-field job starts in the
 * minutes its other five fields name, whatever its seconds; `@every` keeps its interval). Each
 * points at the line of its name in the jobfile.
 */
export function jobfileAsCrontab(jobfile: Jobfile, text: string): Crontab {
  const lines = text.split('\n');
  const entries: CrontabEntry[] = [];
  for (const job of jobfile.jobs.values()) {
    const schedule = job.schedule;
    if (schedule === undefined || !job.enabled) continue;
    // An interval has no fields: every minute stands in for them, and `everyMs` says which minutes.
    const [, minute = '*', hour = '*', dom = '*', month = '*', dow = '*'] = schedule.kind === 'cron' ? schedule.expression.split(' ') : [];
    const line = lines.findIndex((l) => new RegExp(`^\\s+${job.name.replace(/[.]/g, '\\\\.')}\\s*:`).test(l)) + 1;
    const command = typeof job.command === 'string' ? job.command : job.command.join(' ');
    entries.push({
      file: jobfile.path, line, schedule: schedule.text, fields: [minute, hour, dom, month, dow],
      raw: command, command, comments: [], env: { CRON_TZ: job.timezone }, job: job.name,
      ...(schedule.kind === 'every' ? { everyMs: schedule.everyMs } : {}),
    });
  }
  return { file: jobfile.path, origin: 'jobfile', format: 'user', entries, problems: [] };
}
