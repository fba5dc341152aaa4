import { executePlan } from '../engine/executor.js';
import { planRuns } from '../engine/plan.js';
import type { EngineDeps } from '../engine/run-context.js';
import { Slots } from '../engine/slots.js';
import type { Jobfile } from '../jobfile/types.js';
import type { RunRecord } from '../ledger/records.js';
import type { BackfillInstant } from './plan.js';

export interface BackfillOptions {
  parallel: number;
  downstream: boolean;
  force: boolean;
}

/**
 * Runs the planned instants: at most `parallel` instants at once (and at most max_parallel runs),
 * each as normal runs with trigger `backfill`, waiting for job locks rather than skipping, and
 * never starting a run key that already succeeded (unless forced) or runs elsewhere. After a stop
 * nothing new launches; the caller's stop signal stops what runs.
 */
export async function runBackfill(
  deps: EngineDeps, jobfile: Jobfile, instants: readonly BackfillInstant[], options: BackfillOptions,
  onDone: (instant: BackfillInstant, runs: RunRecord[]) => void,
): Promise<void> {
  const perInstant = new Slots(options.parallel);
  const runSlots = new Slots(jobfile.maxParallel);
  const running = new Set<Promise<void>>();
  for (const instant of instants) {
    if (instant.action !== 'run') continue;
    const release = await perInstant.acquire(deps.stop);
    if (release === undefined) break;
    const plan = planRuns(jobfile, [instant.job], { upstream: false, downstream: options.downstream, hasSuccess: () => false });
    const task = executePlan(deps, plan, {
      jobfile, logicalMs: instant.logicalMs, trigger: 'backfill', slots: runSlots,
      dedupe: true, rerun: options.force, waitForLock: true,
    }).then((runs) => { onDone(instant, runs); }).finally(() => {
      release();
      running.delete(task);
    });
    running.add(task);
  }
  await Promise.all([...running]);
}
