import { offsetAt, zoneName } from '../../schedule/cron/zone.js';

export interface TimeStyle {
  /** `--utc`: show the time in UTC instead of the job's zone. */
  utc?: boolean;
  /** Seconds always (a run's start), or only when they are not zero (a logical time, default). */
  seconds?: boolean;
}

/**
 * The one way a person is shown a time: the wall clock in the job's zone and what that zone is
 * called then, `2026-11-10 00:00 CET`, `2026-03-08 03:30 EDT`, `2026-11-10 05:30 +0530`
 * (seconds when they matter). `--json` keeps ISO 8601 UTC; this is for text only.
 */
export function formatTime(at: number | string, zone: string, style: TimeStyle = {}): string {
  const ms = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(ms)) return String(at);
  const shown = style.utc === true ? 'UTC' : zone;
  const local = new Date(Math.floor(ms / 1000) * 1000 + offsetAt(shown, ms)).toISOString();
  const withSeconds = style.seconds === true || local.slice(17, 19) !== '00';
  return `${local.slice(0, 10)} ${local.slice(11, withSeconds ? 19 : 16)} ${zoneName(shown, ms)}`;
}
