import { formatDuration } from '../util/duration.js';
import { unreachable } from '../util/unreachable.js';
import type { Schedule } from './parse.js';

/** A schedule in words, for `tock status`: "At 02:15", "Every 10m". */
export async function describeSchedule(schedule: Schedule): Promise<string> {
  switch (schedule.kind) {
    case 'every':
      return `Every ${formatDuration(schedule.everyMs)}`;
    case 'cron': {
      // Loaded on first use: cronstrue costs ~12 ms at start-up that `run` and the daemon do not need.
      const { toString } = await import('cronstrue');
      const fields = schedule.expression.split(' ');
      // The 5-field form when seconds are 0, or cronstrue says "At 0 seconds past...".
      const expression = fields[0] === '0' ? fields.slice(1).join(' ') : schedule.expression;
      return toString(expression, { use24HourTimeFormat: true });
    }
    default:
      return unreachable(schedule);
  }
}
