import { cgroupPids, cgroupPopulated, removeRunCgroup, signalCgroup } from './cgroup.js';
import { markedProcesses, signalGroupOf, signalPids } from './escape-scan.js';
import { groupAlive } from './proc.js';

/**
 * Everything one attempt started: its process group, its cgroup when it has one, and the
 * processes that left both but still carry the run's TOCK_RUN_ID (the escape scan). Signalling
 * the tree signals all three; the escaped ones are counted so the run can say so.
 */
export class ProcessTree {
  readonly #escaped = new Set<string>();

  constructor(readonly pgid: number | null, readonly cgroup: string | undefined, readonly mark: string | undefined) {}

  /** How many distinct processes were found outside the group and cgroup and signalled. */
  get escaped(): number {
    return this.#escaped.size;
  }

  signal(signal: 'SIGTERM' | 'SIGKILL'): void {
    if (this.pgid !== null) signalGroupOf(this.pgid, signal);
    if (this.cgroup !== undefined) signalCgroup(this.cgroup, signal);
    signalPids(this.#escapees().map((p) => p.pid), signal);
  }

  /** True while any process of the tree lives (zombies are dead). */
  alive(): boolean {
    if (this.pgid !== null && groupAlive(this.pgid)) return true;
    if (this.cgroup !== undefined && cgroupPopulated(this.cgroup)) return true;
    return this.mark !== undefined && markedProcesses(this.mark).length > 0;
  }

  /** Removes the attempt's cgroup once it is empty. */
  async dispose(): Promise<void> {
    if (this.cgroup !== undefined) await removeRunCgroup(this.cgroup);
  }

  #escapees() {
    if (this.mark === undefined) return [];
    const inCgroup = new Set(this.cgroup !== undefined ? cgroupPids(this.cgroup) : []);
    const found = markedProcesses(this.mark).filter((p) => p.pgrp !== this.pgid && !inCgroup.has(p.pid));
    for (const p of found) this.#escaped.add(`${String(p.pid)}:${p.start}`);
    return found;
  }
}
