import { existsSync, readdirSync, readFileSync } from 'node:fs';

// Without /proc (not Linux) liveness falls back to kill(pid, 0), which cannot see zombies.
const HAS_PROC = existsSync('/proc/self/stat');

interface Stat {
  state: string;
  pgrp: number;
  start: string;
}

/** /proc/PID/stat's state letter, process group and start time; undefined when there is no such process. */
function procStat(pid: number): Stat | undefined {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; fields after it are plain.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', pgrp: Number(fields[2]), start: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

/**
 * A zombie has exited: only its parent has not reaped it (PID 1 in some containers never does).
 * It holds no lock, runs no job and will never write again, so it counts as dead.
 */
function exited(stat: Stat): boolean {
  return stat.state === 'Z' || stat.state === 'X';
}

/**
 * A process's start time (clock ticks since boot, from /proc/PID/stat), or undefined where
 * there is no /proc or no such process. A pid plus its start time names one process for good:
 * a pid reused later has a different start time.
 */
export function processStartTime(pid: number): string | undefined {
  return procStat(pid)?.start;
}

/** True while any process of the group exists and has not exited (zombies do not count). */
export function groupAlive(pgid: number): boolean {
  // No member at all (ESRCH) is the common answer once an attempt ends, and costs no /proc scan.
  if (!groupExists(pgid)) return false;
  if (HAS_PROC) {
    return readdirSync('/proc').some((entry) => {
      if (!/^\d+$/.test(entry)) return false;
      const stat = procStat(Number(entry));
      return stat !== undefined && stat.pgrp === pgid && !exited(stat);
    });
  }
  return true;
}

/** kill(-pgid, 0): false only when the group has no process at all (a zombie still counts here). */
function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    // EPERM: a member exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True while `pid` runs and, when `start` is known, is the same process (not a reused pid).
 * False means provably gone: no such process, a zombie, or another process under that pid.
 */
export function processAlive(pid: number, start: string | undefined): boolean {
  if (HAS_PROC) {
    const stat = procStat(pid);
    if (stat === undefined || exited(stat)) return false;
    return start === undefined || stat.start === start;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
