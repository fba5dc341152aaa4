import { nextInstants } from '../schedule/next.js';
import { parseSchedule } from '../schedule/parse.js';
import type { ImportedJob } from './import.js';
import { vixieFirings } from './vixie.js';

export interface ProofResult {
  job: string;
  file: string;
  line: number;
  identical: boolean;
  /** How many firings each side has of the `count` asked for (fewer: the schedule ends). */
  cronFirings: number;
  tockFirings: number;
  /** Where the two differ: cron's instant and tock's, ISO UTC (null when one has none there). */
  differences: { cron: string | null; tock: string | null }[];
}

/**
 * SPEC 6 import proof: the next `count` firings of each job by Vixie cron's own rules against
 * tock's schedule engine, compared whole: a list that ends early (or a different length) is a
 * difference. A DST night where they differ is shown, not hidden.
 */
export function proveImport(jobs: readonly ImportedJob[], now: number, count = 1000): ProofResult[] {
  return jobs.map((job) => {
    const parsed = parseSchedule(job.entry.schedule);
    const cron = vixieFirings(job.entry, job.zone, now, count);
    const tock = parsed.ok ? nextInstants(parsed.schedule, job.zone, now, count) : [];
    const differences = compareFirings(cron, tock, count);
    return {
      job: job.name, file: job.entry.file, line: job.entry.line, identical: differences.length === 0,
      cronFirings: cron.length, tockFirings: tock.length, differences,
    };
  });
}

/**
 * The instants in one list and not the other, paired in order (a DST night usually shows one
 * of each). A full list (`count` long) stops only because it was cut there, so what the other
 * has past its last instant is not a difference; a shorter list stops because its schedule
 * does, so everything the other has past it is one.
 */
export function compareFirings(cron: readonly number[], tock: readonly number[], count: number): ProofResult['differences'] {
  const cut = Math.min(...[cron, tock].filter((l) => l.length >= count).map((l) => l.at(-1) ?? Infinity));
  const cronSet = new Set(cron);
  const tockSet = new Set(tock);
  const onlyCron = cron.filter((t) => !tockSet.has(t) && t <= cut);
  const onlyTock = tock.filter((t) => !cronSet.has(t) && t <= cut);
  const differences: ProofResult['differences'] = [];
  for (let i = 0; i < Math.max(onlyCron.length, onlyTock.length); i++) {
    const c = onlyCron[i];
    const t = onlyTock[i];
    differences.push({ cron: c === undefined ? null : new Date(c).toISOString(), tock: t === undefined ? null : new Date(t).toISOString() });
  }
  return differences;
}
