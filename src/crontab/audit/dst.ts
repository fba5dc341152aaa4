import type { Finding } from '../finding.js';
import type { CrontabEntry } from '../types.js';
import { Calendar, DAY_MS } from '../../schedule/cron/calendar.js';
import type { OffsetChange } from '../../schedule/cron/zone.js';
import type { FieldValues } from '../fields.js';

/**
 * `dst`: a fixed-time job whose local time falls in a gap (spring forward) or a fold (fall back)
 * at one of the zone's offset `changes` (the coming 12 months'), with the dates and what Vixie cron does versus what tock does.
 */
export function dstFindings(entry: CrontabEntry, fields: FieldValues, zone: string, changes: readonly OffsetChange[]): Finding[] {
  // Vixie's DST rules concern fixed-time jobs: neither minute nor hour starts with `*`.
  if (fields.wildcard) return [];
  const calendar = new Calendar(fields);
  const gaps: string[] = [];
  const folds: string[] = [];
  for (const change of changes) {
    const from = change.at + Math.min(change.before, change.after);
    const to = change.at + Math.max(change.before, change.after);
    const day = Math.floor((change.at + change.before) / DAY_MS) * DAY_MS;
    if (!calendar.matches(day / DAY_MS)) continue;
    for (const time of calendar.times) {
      const wall = day + time;
      if (wall < from || wall >= to) continue;
      const label = new Date(wall).toISOString().slice(0, 16).replace('T', ' ');
      (change.after > change.before ? gaps : folds).push(label);
    }
  }
  const at = { severity: 'warning' as const, code: 'dst' as const, file: entry.file, line: entry.line };
  const out: Finding[] = [];
  if (gaps.length > 0) {
    out.push({ ...at, message: `in ${zone}, ${gaps.join(', ')} does not exist (clocks spring forward): Vixie cron runs the job right after the jump; tock runs it once, shifted by the gap`,
      fix: 'move it out of the changing hour, or set timezone: UTC for the job' });
  }
  if (folds.length > 0) {
    out.push({ ...at, message: `in ${zone}, ${folds.join(', ')} happens twice (clocks fall back): Vixie cron and tock both run it once, at the first`,
      fix: 'nothing to do unless it must run at the second; timezone: UTC avoids the question' });
  }
  return out;
}
