import { readdirSync, readFileSync } from 'node:fs';

/**
 * Without a cgroup, a process that leaves its attempt's process group (setsid, setpgid, a double
 * fork) is out of reach of kill(-pgid). It still carries the run's `TOCK_RUN_ID` in the
 * environment it was started with (/proc/PID/environ), unless it cleared it: that is how tock
 * finds it. A zombie is dead (it holds nothing; PID 1 may be slow to reap it).
 */

export interface ProcInfo {
  pid: number;
  pgrp: number;
  /** From /proc/PID/stat field 22: with the pid, names one process for good. */
  start: string;
}

/** A live (not zombie) process's group and start time, or undefined. */
export function procInfo(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0] ?? '';
    if (state === 'Z' || state === 'X') return undefined;
    return { pid, pgrp: Number(fields[2]), start: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

function procPids(): number[] {
  try {
    return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => pid !== process.pid);
  } catch {
    return [];
  }
}

// Rounds of listing /proc again for pids that appeared meanwhile (see markedProcesses).
const RELIST_ROUNDS = 8;

/**
 * Live processes whose environment carries `TOCK_RUN_ID=<runId>`. A process forked while the
 * list is read (by one that then exits before its turn) is not in the listing: /proc is listed
 * again, and only the new pids read, until none is new, so what lives at the end was looked at.
 */
export function markedProcesses(runId: string): ProcInfo[] {
  const needle = Buffer.from(`\0TOCK_RUN_ID=${runId}\0`);
  const first = Buffer.from(`TOCK_RUN_ID=${runId}\0`);
  const found: ProcInfo[] = [];
  const looked = new Set<number>();
  for (let round = 0; round < RELIST_ROUNDS; round++) {
    const fresh = procPids().filter((pid) => !looked.has(pid));
    if (fresh.length === 0) break;
    for (const pid of fresh) {
      looked.add(pid);
      let environ: Buffer;
      try {
        environ = readFileSync(`/proc/${String(pid)}/environ`);
      } catch {
        continue;
      }
      if (!(environ.includes(needle) || environ.subarray(0, first.length).equals(first))) continue;
      const info = procInfo(pid);
      if (info !== undefined) found.push(info);
    }
  }
  return found;
}

/** Live members of a process group. */
export function liveGroup(pgid: number): ProcInfo[] {
  return procPids().map(procInfo).filter((p): p is ProcInfo => p !== undefined && p.pgrp === pgid);
}

export function signalPids(pids: Iterable<number>, signal: 'SIGTERM' | 'SIGKILL'): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone already
    }
  }
}

export function signalGroupOf(pgid: number, signal: 'SIGTERM' | 'SIGKILL'): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone
  }
}
