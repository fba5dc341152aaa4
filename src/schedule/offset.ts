// One formatter per zone: building one wakes ICU, which costs far more than using it.
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at `ms` (local wall time minus UTC), in milliseconds. */
export function zoneOffsetMs(zone: string, ms: number): number {
  if (zone === 'UTC' || zone === 'Etc/UTC') return 0;
  let format = formatters.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(zone, format);
  }
  const part: Record<string, number> = {};
  for (const p of format.formatToParts(ms)) if (p.type !== 'literal') part[p.type] = Number(p.value);
  const wall = Date.UTC(part.year ?? 0, (part.month ?? 1) - 1, part.day ?? 1, part.hour ?? 0, part.minute ?? 0, part.second ?? 0);
  return wall - Math.floor(ms / 1000) * 1000;
}

// No zone changes its offset twice within this long, so sampling this often finds every change.
const SAMPLE_MS = 6 * 3_600_000;

/** Each instant in [fromMs, toMs] where the zone's offset changes, with the offsets either side. */
export function offsetChanges(zone: string, fromMs: number, toMs: number): { at: number; before: number; after: number }[] {
  const changes: { at: number; before: number; after: number }[] = [];
  let previous = zoneOffsetMs(zone, fromMs);
  for (let t = fromMs; t < toMs; t += SAMPLE_MS) {
    const next = Math.min(t + SAMPLE_MS, toMs);
    const offset = zoneOffsetMs(zone, next);
    if (offset !== previous) {
      // Narrow down to the minute.
      let lo = t;
      let hi = next;
      while (hi - lo > 60_000) {
        const mid = Math.floor((lo + hi) / 2 / 60_000) * 60_000;
        if (zoneOffsetMs(zone, mid) === previous) lo = mid;
        else hi = mid;
      }
      changes.push({ at: hi, before: previous, after: offset });
    }
    previous = offset;
  }
  return changes;
}
