import type { Jobfile } from '../jobfile/types.js';
import type { Crontab, CrontabEntry } from './types.js';

/**
 * The jobs of a tock jobfile as crontab entries, so the audit counts them in its clashes and
 * histogram: every job whose schedule is whole minutes (seconds field 0). Each points at the
 * line of its name in the jobfile.
 */
export function jobfileAsCrontab(jobfile: Jobfile, text: string): Crontab {
  const lines = text.split('\n');
  const entries: CrontabEntry[] = [];
  for (const job of jobfile.jobs.values()) {
    const expression = job.schedule?.kind === 'cron' ? job.schedule.expression.split(' ') : undefined;
    if (expression?.[0] !== '0' || !job.enabled) continue;
    const [, minute = '*', hour = '*', dom = '*', month = '*', dow = '*'] = expression;
    const line = lines.findIndex((l) => new RegExp(`^\\s+${job.name.replace(/[.]/g, '\\\\.')}\\s*:`).test(l)) + 1;
    const command = typeof job.command === 'string' ? job.command : job.command.join(' ');
    entries.push({
      file: jobfile.path, line, schedule: [minute, hour, dom, month, dow].join(' '), fields: [minute, hour, dom, month, dow],
      raw: command, command, comments: [], env: { CRON_TZ: job.timezone }, job: job.name,
    });
  }
  return { file: jobfile.path, origin: 'jobfile', format: 'user', entries, problems: [] };
}
