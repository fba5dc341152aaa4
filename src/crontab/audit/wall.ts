import { offsetAt } from '../../schedule/cron/zone.js';

/** The zone's wall clock at instant `t`, in minutes since 1970-01-01 00:00 of that clock. */
export function wallMinute(t: number, zone: string): number {
  return Math.floor((t + offsetAt(zone, t)) / 60_000);
}

/** `2026-12-02 02:00`: the zone's wall clock at `t`, to the minute. */
export function wallText(t: number, zone: string): string {
  return new Date(wallMinute(t, zone) * 60_000).toISOString().slice(0, 16).replace('T', ' ');
}
