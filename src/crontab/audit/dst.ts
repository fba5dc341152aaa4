import type { Finding } from '../finding.js';
import type { CrontabEntry } from '../types.js';
import type { FieldValues } from '../fields.js';

const DAY_MS = 86_400_000;

/**
 * `dst`: a fixed-time job whose local time falls in a gap (spring forward) or a fold (fall back)
 * at one of the zone's offset `changes` (the coming 12 months'), with the dates and what Vixie cron does versus what tock does.
 */
export function dstFindings(entry: CrontabEntry, fields: FieldValues, zone: string, changes: readonly { at: number; before: number; after: number }[]): Finding[] {
  // Vixie's DST rules concern fixed-time jobs: neither minute nor hour starts with `*`.
  if (fields.wildcard) return [];
  const gaps: string[] = [];
  const folds: string[] = [];
  for (const change of changes) {
    const from = change.at + Math.min(change.before, change.after);
    const to = change.at + Math.max(change.before, change.after);
    const day = Math.floor((change.at + change.before) / DAY_MS) * DAY_MS;
    if (!firesOn(fields, new Date(day))) continue;
    for (const h of fields.hour) {
      for (const m of fields.minute) {
        const wall = day + (h * 60 + m) * 60_000;
        if (wall < from || wall >= to) continue;
        const label = `${new Date(day).toISOString().slice(0, 10)} ${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
        (change.after > change.before ? gaps : folds).push(label);
      }
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

function firesOn(f: FieldValues, date: Date): boolean {
  if (!f.month.includes(date.getUTCMonth() + 1)) return false;
  const dom = f.dom.includes(date.getUTCDate());
  const dow = f.dow.includes(date.getUTCDay());
  return f.domRestricted && f.dowRestricted ? dom || dow : dom && dow;
}
