import type { LeftoverTree } from '../ledger/reconcile.js';
import { cgroupPids, isRunCgroup, removeRunCgroupNow } from './cgroup.js';
import { liveGroup, markedProcesses } from './escape-scan.js';
import { ProcessTree } from './process-tree.js';
import { processStartTime } from './proc.js';

// What is left of a dead tock's run gets this long between SIGTERM and SIGKILL. The run is over
// (recorded interrupted); this only lets a well-behaved job clean up. Any command may be the one
// that finds it, so the wait is short.
const LEFTOVER_GRACE_MS = 1000;
const POLL_MS = 20;

/**
 * Stops what is left of a run whose tock died (an `allow` job's attempt goes on without it): its
 * cgroup, when it had one tock made; its process group, when the leader's start time proves the
 * pid is the same process; and every process carrying its TOCK_RUN_ID. Returns how many
 * processes were found alive.
 */
export function stopLeftovers(tree: LeftoverTree): number {
  const cgroup = tree.cgroup !== undefined && isRunCgroup(tree.cgroup) ? tree.cgroup : undefined;
  const pgid = tree.pgid !== undefined && tree.pgid_start !== undefined && processStartTime(tree.pgid) === tree.pgid_start ? tree.pgid : null;
  const found = new Set<number>([
    ...(pgid !== null ? liveGroup(pgid).map((p) => p.pid) : []),
    ...(cgroup !== undefined ? cgroupPids(cgroup) : []),
    ...markedProcesses(tree.run_id).map((p) => p.pid),
  ]);
  const processes = new ProcessTree(pgid, cgroup, tree.run_id);
  if (found.size > 0) {
    processes.signal('SIGTERM');
    const until = Date.now() + LEFTOVER_GRACE_MS;
    while (processes.alive() && Date.now() < until) sleepSync(POLL_MS);
    if (processes.alive()) processes.signal('SIGKILL');
  }
  if (cgroup !== undefined) removeRunCgroupNow(cgroup);
  return found.size;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
