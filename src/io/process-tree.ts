import { cgroupPids, cgroupPopulated, removeRunCgroup, signalCgroup } from './cgroup.js';
import type { ProcInfo } from './escape-scan.js';
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

  /** Signals the group, the cgroup and the escapees; returns how many processes carry the mark. */
  signal(signal: 'SIGTERM' | 'SIGKILL'): number {
    if (this.pgid !== null) signalGroupOf(this.pgid, signal);
    if (this.cgroup !== undefined) signalCgroup(this.cgroup, signal);
    const { marked, escapees } = this.#look();
    signalPids(escapees.map((p) => p.pid), signal);
    return marked;
  }

  /**
   * Once the leader has exited: TERMs whatever of the tree is left and says whether anything
   * was, from one look at /proc (`signal` then `alive` would look twice).
   */
  terminateLeft(): boolean {
    const group = this.pgid !== null && groupAlive(this.pgid);
    const cgroup = this.cgroup !== undefined && cgroupPopulated(this.cgroup);
    const marked = this.signal('SIGTERM');
    return group || cgroup || marked > 0;
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

  #look(): { marked: number; escapees: ProcInfo[] } {
    if (this.mark === undefined) return { marked: 0, escapees: [] };
    const inCgroup = new Set(this.cgroup !== undefined ? cgroupPids(this.cgroup) : []);
    const marked = markedProcesses(this.mark);
    const escapees = marked.filter((p) => p.pgrp !== this.pgid && !inCgroup.has(p.pid));
    for (const p of escapees) this.#escaped.add(`${String(p.pid)}:${p.start}`);
    return { marked: marked.length, escapees };
  }
}
