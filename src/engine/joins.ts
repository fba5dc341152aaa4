import type { NeedKey } from './run-context.js';
import type { Job } from '../jobfile/types.js';
import { previousInstant } from '../schedule/next.js';

/**
 * SPEC 3: a job with both a schedule and needs, firing at T, waits for each need's run at the
 * need's latest logical time at or before T. A need without a schedule of its own runs on its
 * upstream root's schedule (validation makes those roots share one).
 */
export function joinsOf(jobs: ReadonlyMap<string, Job>, job: Job, logicalMs: number): NeedKey[] {
  if (job.schedule === undefined) return [];
  return job.needs.flatMap((name) => {
    const root = scheduledRoot(jobs, name, new Set());
    if (root?.schedule === undefined) return [];
    const at = previousInstant(root.schedule, root.timezone, logicalMs);
    return at === undefined ? [] : [{ job: name, logicalTime: new Date(at).toISOString() }];
  });
}

/** The job itself when it has a schedule, else the first upstream job that has one. */
export function scheduledRoot(jobs: ReadonlyMap<string, Job>, name: string, seen: Set<string>): Job | undefined {
  const job = jobs.get(name);
  if (job === undefined || seen.has(name)) return undefined;
  if (job.schedule !== undefined) return job;
  seen.add(name);
  for (const need of job.needs) {
    const root = scheduledRoot(jobs, need, seen);
    if (root !== undefined) return root;
  }
  return undefined;
}
