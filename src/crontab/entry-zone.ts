import { isKnownZone } from '../schedule/parse.js';
import type { CrontabEntry } from './types.js';

/**
 * The zone cron reads an entry's schedule in: CRON_TZ, else TZ, else the host's. An empty
 * `CRON_TZ=` or `TZ=` line unsets it, as cron's environment does, so it means the host's zone.
 */
export function entryZone(entry: CrontabEntry, hostZone: string): string {
  return [entry.env.CRON_TZ, entry.env.TZ].find((z) => z !== undefined && z !== '') ?? hostZone;
}

/** Why an entry's zone cannot be used (a path, a name the tz database does not have), or undefined. */
export function unknownZoneReason(zone: string): string | undefined {
  return isKnownZone(zone) ? undefined : `its zone "${zone}" (CRON_TZ/TZ) is not one this host knows`;
}
