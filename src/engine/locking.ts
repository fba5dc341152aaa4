import type { Outcome } from '../ledger/records.js';
import type { Lease, LockOwner } from './ports.js';
import type { Ending, RunScope } from './run-scope.js';

const POLL_MS = 250;
// How long a `replace` run waits for the holder to stop before giving up: its grace to stop,
// plus the time a dead holder's lock takes to go stale.
const REPLACE_SLACK_MS = 30_000;

export interface WaitLimit {
  at: number;
  outcome: Extract<Outcome, 'deadline' | 'missed'>;
}

/**
 * Takes the job's lock as its `concurrency` says (or waits for it, with `queue`), then its
 * `locks:` in sorted order (so two runs can never each hold what the other waits for). Each
 * lease is held by the scope, which releases it as it unwinds; undefined when all were taken,
 * else how the run ends.
 */
export async function acquireLocks(scope: RunScope, options: { queue: boolean; limit: WaitLimit | undefined }): Promise<Ending | undefined> {
  const { deps, job } = scope;
  const { limit } = options;
  const concurrency = options.queue && job.concurrency !== 'allow' ? 'queue' : job.concurrency;
  const owner: LockOwner = { pid: deps.host.pid, host: deps.host.hostname, run_id: scope.runId, job: job.name };

  if (concurrency !== 'allow') {
    const name = `job.${job.name}`;
    const replaceable = { replaceable: concurrency === 'replace' };
    let lease = await deps.locks.tryAcquire(name, owner, replaceable);
    if (lease === null && concurrency === 'forbid') {
      const holder = deps.locks.holder(name);
      return { outcome: 'skipped', reason: 'overlap', message: `already running${holder ? ` (run ${holder.run_id}, pid ${String(holder.pid)})` : ''}; concurrency is forbid` };
    }
    if (lease === null && concurrency === 'replace') {
      const holder = deps.locks.holder(name);
      if (holder !== null) deps.locks.requestReplace(name, holder.run_id, scope.runId);
      const bound = deps.clock.now() + Math.max(job.killGraceMs, 15_000) + REPLACE_SLACK_MS;
      lease = await waitForLock(scope, name, owner, limit ?? { at: bound, outcome: 'deadline' }, replaceable);
    } else if (lease === null) {
      lease = await waitForLock(scope, name, owner, limit, replaceable);
    }
    if (lease === null) return waitFailure(scope, limit, 'the job lock');
    scope.hold(lease);
    scope.jobLease = lease;
    noteTakeover(scope, name, lease);
  }
  for (const resource of [...new Set(job.locks)].sort()) {
    const name = `res.${resource}`;
    const lease = (await deps.locks.tryAcquire(name, owner)) ?? (await waitForLock(scope, name, owner, limit));
    if (lease === null) return waitFailure(scope, limit, `lock "${resource}"`);
    scope.hold(lease);
    noteTakeover(scope, name, lease);
  }
  return undefined;
}

/**
 * A lock taken from a holder that died (or stalled past the staleness, and will find its lease
 * lost and start nothing more): its run will never finish, so record it interrupted.
 */
function noteTakeover(scope: RunScope, lock: string, lease: Lease): void {
  const from = lease.tookOverFrom;
  if (from === undefined) return;
  const message = `tock (pid ${String(from.pid)} on ${from.host}) died or stalled during the run; its lock was taken over by run ${scope.runId}`;
  const record = scope.deps.ledger.recordInterrupted(from.job, from.run_id, scope.now(), message);
  scope.notify({ type: 'lock-taken-over', at: scope.now(), job: scope.job.name, run_id: scope.runId, lock, from, interrupted: record !== undefined });
}

function waitFailure(scope: RunScope, limit: WaitLimit | undefined, what: string): Ending {
  if (scope.deps.stop.aborted) return { outcome: 'killed', reason: 'shutdown', message: `tock was asked to stop while waiting for ${what}` };
  if (limit?.outcome === 'missed') return { outcome: 'missed', reason: 'lock-timeout', message: `could not take ${what} before start_deadline` };
  return { outcome: 'deadline', reason: 'lock-timeout', message: `could not take ${what} before the deadline` };
}

async function waitForLock(scope: RunScope, name: string, owner: LockOwner, limit: WaitLimit | undefined, options?: { replaceable: boolean }): Promise<Lease | null> {
  const { deps } = scope;
  scope.notify({ type: 'lock-waiting', at: scope.now(), job: scope.job.name, run_id: scope.runId, lock: name });
  for (;;) {
    const now = deps.clock.now();
    if (deps.stop.aborted || (limit !== undefined && now >= limit.at)) return null;
    await deps.clock.sleep(Math.min(POLL_MS, limit === undefined ? POLL_MS : limit.at - now), deps.stop);
    const lease = await deps.locks.tryAcquire(name, owner, options);
    if (lease !== null) return lease;
  }
}
