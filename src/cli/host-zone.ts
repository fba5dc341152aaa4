/** The host's own zone (from `TZ` or the system's), where a crontab without `CRON_TZ` runs. */
export function hostZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
