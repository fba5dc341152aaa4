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
 * else how the run ends. `from` locks of that order are already held (taken ahead, see
 * `takeLocksAhead`): the rest are taken as if none had been.
 */
export async function acquireLocks(scope: RunScope, options: { queue: boolean; limit: WaitLimit | undefined }, from = 0): Promise<Ending | undefined> {
  const { deps, job } = scope;
  const { limit } = options;
  const concurrency = concurrencyOf(scope, options.queue);
  const owner = ownerOf(scope);
  const names = lockNames(scope, options.queue);

  if (concurrency !== 'allow' && from === 0) {
    const name = names[0] ?? '';
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
    holdLock(scope, name, lease);
  }
  const firstResource = concurrency === 'allow' ? 0 : 1;
  for (const name of names.slice(Math.max(from, firstResource))) {
    const lease = (await deps.locks.tryAcquire(name, owner)) ?? (await waitForLock(scope, name, owner, limit));
    if (lease === null) return waitFailure(scope, limit, `lock "${name.slice('res.'.length)}"`);
    holdLock(scope, name, lease);
  }
  return undefined;
}

/**
 * Before a pre-armed run's instant: takes, in `acquireLocks`' order, each lock that is free now,
 * and stops at the first that is not, without waiting, asking a holder to stop or giving up: its
 * `concurrency` is applied at the instant, as for a run not armed ahead. Returns how many it
 * holds, to pass to `acquireLocks` as `from`.
 */
export async function takeLocksAhead(scope: RunScope): Promise<number> {
  const { deps } = scope;
  const concurrency = concurrencyOf(scope, false);
  const owner = ownerOf(scope);
  let taken = 0;
  for (const name of lockNames(scope, false)) {
    const lease = await deps.locks.tryAcquire(name, owner, name.startsWith('job.') ? { replaceable: concurrency === 'replace' } : undefined);
    if (lease === null) break;
    holdLock(scope, name, lease);
    taken++;
  }
  return taken;
}

/** The locks a run takes, in order: the job's own (unless `allow`), then its `locks:`, sorted. */
export function lockNames(scope: RunScope, queue: boolean): string[] {
  const { job } = scope;
  const resources = [...new Set(job.locks)].sort().map((r) => `res.${r}`);
  return concurrencyOf(scope, queue) === 'allow' ? resources : [`job.${job.name}`, ...resources];
}

function concurrencyOf(scope: RunScope, queue: boolean): RunScope['job']['concurrency'] {
  const { concurrency } = scope.job;
  return queue && concurrency !== 'allow' ? 'queue' : concurrency;
}

function ownerOf(scope: RunScope): LockOwner {
  const { deps, job } = scope;
  return { pid: deps.host.pid, host: deps.host.hostname, run_id: scope.runId, job: job.name };
}

function holdLock(scope: RunScope, name: string, lease: Lease): void {
  scope.hold(lease);
  if (name.startsWith('job.')) scope.jobLease = lease;
  noteTakeover(scope, name, lease);
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
