import { UserError } from '../util/user-error.js';
import type { Jobfile } from './types.js';

/** Every name given on a command line must be a job of the jobfile: one error naming all the others, with the known ones. */
export function assertKnownJobs(jobfile: Jobfile, names: readonly string[]): void {
  const unknown = names.filter((n) => !jobfile.jobs.has(n));
  if (unknown.length > 0) {
    throw new UserError('unknown-job', `expected a job from ${jobfile.path}, got ${unknown.map((n) => `"${n}"`).join(', ')}`,
      `known jobs: ${[...jobfile.jobs.keys()].join(', ')}`);
  }
}
