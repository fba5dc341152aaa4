import type { Job } from '../jobfile/types.js';
import type { Outcome, RunReason } from '../ledger/records.js';
import { isoUtc } from './logical-time.js';
import type { EngineDeps } from './run-context.js';
import type { Lease, LockOwner } from './ports.js';

const POLL_MS = 250;
// How long a `replace` run waits for the holder to stop before giving up: its grace to stop,
// plus the time a dead holder's lock takes to go stale.
const REPLACE_SLACK_MS = 30_000;

export interface WaitLimit {
  at: number;
  outcome: Extract<Outcome, 'deadline' | 'missed'>;
}

export type LockResult =
  | { ok: true; leases: Lease[] }
  | { ok: false; outcome: Outcome; reason: RunReason; message: string };

/**
 * Takes the job's lock as its `concurrency` says, then its `locks:` in sorted order (so two runs
 * can never each hold what the other waits for). On failure every lease taken is released.
 */
export async function acquireLocks(deps: EngineDeps, job: Job, runId: string, limit: WaitLimit | undefined): Promise<LockResult> {
  const owner: LockOwner = { pid: deps.host.pid, host: deps.host.hostname, run_id: runId, job: job.name };
  const leases: Lease[] = [];
  const fail = async (outcome: Outcome, reason: RunReason, message: string): Promise<LockResult> => {
    for (const lease of leases.reverse()) await lease.release();
    return { ok: false, outcome, reason, message };
  };

  if (job.concurrency !== 'allow') {
    const name = `job.${job.name}`;
    const replaceable = { replaceable: job.concurrency === 'replace' };
    let lease = await deps.locks.tryAcquire(name, owner, replaceable);
    if (lease === null && job.concurrency === 'forbid') {
      const holder = deps.locks.holder(name);
      return fail('skipped', 'overlap', `already running${holder ? ` (run ${holder.run_id}, pid ${String(holder.pid)})` : ''}; concurrency is forbid`);
    }
    if (lease === null && job.concurrency === 'replace') {
      const holder = deps.locks.holder(name);
      if (holder !== null) deps.locks.requestReplace(name, holder.run_id, runId);
      const bound = deps.clock.now() + Math.max(job.killGraceMs, 15_000) + REPLACE_SLACK_MS;
      lease = await waitForLock(deps, job, runId, name, owner, limit ?? { at: bound, outcome: 'deadline' }, replaceable);
    } else if (lease === null) {
      lease = await waitForLock(deps, job, runId, name, owner, limit, replaceable);
    }
    if (lease === null) return fail(...waitFailure(deps, limit, `the job lock`));
    noteTakeover(deps, job, runId, name, lease);
    leases.push(lease);
  }
  for (const resource of [...new Set(job.locks)].sort()) {
    const name = `res.${resource}`;
    const lease = (await deps.locks.tryAcquire(name, owner)) ?? (await waitForLock(deps, job, runId, name, owner, limit));
    if (lease === null) return fail(...waitFailure(deps, limit, `lock "${resource}"`));
    noteTakeover(deps, job, runId, name, lease);
    leases.push(lease);
  }
  return { ok: true, leases };
}

/** A lock taken from a holder that died: its run can never finish, so record it interrupted. */
function noteTakeover(deps: EngineDeps, job: Job, runId: string, lock: string, lease: Lease): void {
  const from = lease.tookOverFrom;
  if (from === undefined) return;
  const message = `tock (pid ${String(from.pid)} on ${from.host}) died during the run; its lock went stale and was taken over by run ${runId}`;
  const record = deps.ledger.recordInterrupted(from.job, from.run_id, isoUtc(deps.clock.now()), message);
  deps.emit({ type: 'lock-taken-over', job: job.name, run_id: runId, lock, from, interrupted: record !== undefined });
}

function waitFailure(deps: EngineDeps, limit: WaitLimit | undefined, what: string): [Outcome, RunReason, string] {
  if (deps.stop.aborted) return ['killed', 'shutdown', `tock was asked to stop while waiting for ${what}`];
  if (limit?.outcome === 'missed') return ['missed', 'lock-timeout', `could not take ${what} before start_deadline`];
  return ['deadline', 'lock-timeout', `could not take ${what} before the deadline`];
}

async function waitForLock(deps: EngineDeps, job: Job, runId: string, name: string, owner: LockOwner, limit: WaitLimit | undefined, options?: { replaceable: boolean }): Promise<Lease | null> {
  deps.emit({ type: 'lock-waiting', job: job.name, run_id: runId, lock: name });
  for (;;) {
    const now = deps.clock.now();
    if (deps.stop.aborted || (limit !== undefined && now >= limit.at)) return null;
    await deps.clock.sleep(Math.min(POLL_MS, limit === undefined ? POLL_MS : limit.at - now), deps.stop);
    const lease = await deps.locks.tryAcquire(name, owner, options);
    if (lease !== null) return lease;
  }
}
