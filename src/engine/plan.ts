import type { Job, Jobfile } from '../jobfile/types.js';
import { closure, dependentsOf, topologicalOrder } from './graph.js';
import { assertKnownJobs } from '../jobfile/known-jobs.js';

export interface PlanOptions {
  upstream: boolean;
  downstream: boolean;
  /** For --upstream: whether a need already succeeded for this logical time. */
  hasSuccess: (job: string) => boolean;
}

/** One job to run, with the needs it must wait for inside this plan. */
export interface PlannedRun {
  job: Job;
  waitsFor: readonly string[];
  /** Asked for by name, not pulled in by --upstream, --downstream or a firing. */
  named: boolean;
}

/**
 * What `tock run JOB...` runs, in dependency order: the named jobs, plus (with --upstream) needs
 * with no success for this logical time, plus (with --downstream) everything that depends on them.
 * Needs outside the plan are not waited for: `tock run` runs what it is asked, as `airflow tasks run` does.
 */
export function planRuns(jobfile: Jobfile, names: readonly string[], options: PlanOptions): PlannedRun[] {
  const jobs = jobfile.jobs;
  assertKnownJobs(jobfile, names);
  const selected = new Set(names);
  if (options.upstream) {
    const missing = closure(names, (n) => (jobs.get(n)?.needs ?? []).filter((need) => !options.hasSuccess(need)));
    for (const n of missing) selected.add(n);
  }
  if (options.downstream) {
    for (const n of closure([...selected], (n) => dependentsOf(jobs, n))) selected.add(n);
  }
  return topologicalOrder(jobs, selected).map((name) => {
    const job = jobs.get(name) as Job;
    return { job, waitsFor: job.needs.filter((need) => selected.has(need)), named: names.includes(name) };
  });
}

/**
 * What a schedule firing at one instant runs: the jobs that fired, then every job downstream of
 * them without a schedule of its own (SPEC 3). A downstream job with its own schedule runs at its
 * own time and joins; a disabled one is in the plan, to be recorded skipped.
 */
export function planFiring(jobfile: Jobfile, roots: readonly string[]): PlannedRun[] {
  const jobs = jobfile.jobs;
  const follows = (name: string): string[] => dependentsOf(jobs, name).filter((d) => jobs.get(d)?.schedule === undefined);
  const selected = new Set([...roots, ...closure(roots, follows)]);
  return topologicalOrder(jobs, selected).map((name) => {
    const job = jobs.get(name) as Job;
    return { job, waitsFor: job.needs.filter((need) => selected.has(need)), named: false };
  });
}
