import { nextInstants } from '../schedule/next.js';
import { parseSchedule } from '../schedule/parse.js';
import type { ImportedJob } from './import.js';
import { vixieFirings } from './vixie.js';

export interface ProofResult {
  job: string;
  file: string;
  line: number;
  identical: boolean;
  /** Where the two differ: cron's instant and tock's, ISO UTC (null when one has none there). */
  differences: { cron: string | null; tock: string | null }[];
}

/**
 * SPEC 6 import proof: the next `count` firings of each job by Vixie cron's own rules against
 * tock's schedule engine. A DST night where they differ is shown, not hidden.
 */
export function proveImport(jobs: readonly ImportedJob[], now: number, count = 1000): ProofResult[] {
  return jobs.map((job) => {
    const zone = String(job.fields.timezone);
    const parsed = parseSchedule(job.entry.schedule);
    const cron = vixieFirings(job.entry, zone, now, count);
    const tock = parsed.ok ? nextInstants(parsed.schedule, zone, now, count) : [];
    const cronSet = new Set(cron);
    const tockSet = new Set(tock);
    const horizon = Math.min(cron.at(-1) ?? Infinity, tock.at(-1) ?? Infinity);
    const differences: ProofResult['differences'] = [];
    const onlyCron = cron.filter((t) => !tockSet.has(t) && t <= horizon);
    const onlyTock = tock.filter((t) => !cronSet.has(t) && t <= horizon);
    // Pair them up in order: a DST night usually shows one of each.
    for (let i = 0; i < Math.max(onlyCron.length, onlyTock.length); i++) {
      const c = onlyCron[i];
      const t = onlyTock[i];
      differences.push({ cron: c === undefined ? null : new Date(c).toISOString(), tock: t === undefined ? null : new Date(t).toISOString() });
    }
    return { job: job.name, file: job.entry.file, line: job.entry.line, identical: differences.length === 0, differences };
  });
}
