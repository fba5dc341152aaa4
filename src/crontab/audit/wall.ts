import type { SteadySpan } from '../../schedule/cron/zone.js';
import { steadySpan } from '../../schedule/cron/zone.js';

// The last stretch without an offset change looked up in each zone: a week's starts (millions
// of them in a big audit) mostly fall in one, so most are read without asking the zone model.
const spans = new Map<string, SteadySpan>();

/** The zone's wall clock at instant `t`, in minutes since 1970-01-01 00:00 of that clock. */
export function wallMinute(t: number, zone: string): number {
  let span = spans.get(zone);
  if (span === undefined || t < span.after || t >= span.before) {
    span = steadySpan(zone, t);
    spans.set(zone, span);
  }
  return Math.floor((t + span.offset) / 60_000);
}

/** `2026-12-02 02:00`: the zone's wall clock at `t`, to the minute. */
export function wallText(t: number, zone: string): string {
  return new Date(wallMinute(t, zone) * 60_000).toISOString().slice(0, 16).replace('T', ' ');
}
