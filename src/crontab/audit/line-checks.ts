import type { Finding } from '../finding.js';
import type { Crontab } from '../types.js';
import { impossibleDays } from '../../schedule/cron/expression.js';
import { fieldValues } from '../fields.js';

/** Checks that look at one line at a time. */
export function lineFindings(crontab: Crontab): Finding[] {
  const out: Finding[] = [];
  for (const p of crontab.problems) {
    out.push({ severity: 'error', code: 'syntax', file: p.file, line: p.line, message: `column ${String(p.column)}: expected ${p.expected}, got ${p.got}`, fix: 'cron skips this line: fix it, or tock import will not carry it over' });
  }
  for (const entry of crontab.entries) {
    const at = { file: entry.file, line: entry.line };
    if (entry.macro === '@reboot') {
      out.push({ severity: 'info', code: 'reboot', ...at, message: `@reboot runs "${entry.command}" once when cron starts, which is not always a boot`,
        fix: 'run it from a systemd unit (WantedBy=multi-user.target), or from a unit that calls `tock run JOB`' });
    }
    const fields = entry.macro === '@reboot' ? undefined : fieldValues(entry);
    if (fields !== undefined && impossibleDays(fields) !== undefined) {
      out.push({ severity: 'error', code: 'never-runs', ...at, message: `"${entry.schedule}" names days that no month in it has: it never runs`, fix: 'check the day-of-month and month fields' });
    } else if (fields?.domRestricted === true && fields.dowRestricted) {
      out.push({ severity: 'warning', code: 'dom-dow-or', ...at,
        message: `"${entry.schedule}" restricts both day of month and day of week: cron runs it when EITHER matches, not both`,
        fix: 'if you meant both, keep one field and test the other in the command (e.g. [ "$(date +%d)" -le 7 ] &&); tock keeps cron\'s OR' });
    }
    if (/(^|[^\\])%/.test(entry.raw)) {
      out.push({ severity: 'warning', code: 'percent', ...at,
        message: `an unescaped % in the command: cron ends the command there and sends the rest to its stdin${entry.stdin !== undefined ? ` ("${entry.stdin.split('\n')[0] ?? ''}"...)` : ''}`,
        fix: 'write \\% for a literal percent (date +\\%F); tock import keeps the stdin behaviour explicitly' });
    }
    if (!redirects(entry.command) && (entry.env.MAILTO === undefined || entry.env.MAILTO === '')) {
      out.push({ severity: 'info', code: 'lost-output', ...at,
        message: entry.env.MAILTO === '' ? 'MAILTO="" throws the output away' : 'no redirect and no MAILTO: the output is mailed to the local user, where it is rarely read',
        fix: 'tock keeps each run\'s output in its log (tock logs JOB) and can alert with on_failure' });
    }
    const sleep = /^\s*sleep\s+(\d+)\s*(&&|;)/.exec(entry.command);
    if (sleep !== null) {
      out.push({ severity: 'warning', code: 'hidden-dependency', ...at,
        message: `the command starts with "sleep ${sleep[1] ?? ''}": it waits a fixed time, probably for another job to finish`,
        fix: 'make it a tock job with needs: [the job it waits for], or jitter: for spreading load' });
    }
  }
  return out;
}

/** Whether the command sends its output somewhere itself. */
function redirects(command: string): boolean {
  return /(^|[^<>])>{1,2}\s*\S|&>|\|\s*(logger|systemd-cat|tee)\b/.test(command);
}
