import { readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

import { jobfileHash } from '../jobfile/normalize.js';
import { readTextFile } from '../util/read-text-file.js';
import { writeFileAtomic } from './atomic-write.js';
import { processAlive, processStartTime } from './proc.js';

/**
 * What a daemon says of itself in `<state>/daemon.json`, so `status` can tell whether one
 * schedules this state dir and on which jobfile. Written at start and on every reload, removed
 * on a clean stop; a daemon killed -9 leaves it behind, and its dead pid says it is gone.
 */
export interface DaemonRecord {
  pid: number;
  /** The pid's start time (/proc): with the pid it names one process, not a later one given the same pid. */
  pid_start?: string;
  host: string;
  started_at: string;
  version: string;
  /** The jobfile's absolute path and the hash of the text the daemon runs (updated on SIGHUP). */
  jobfile: string;
  jobfile_hash: string;
  /** Where `--listen` serves (the bound address), or null. */
  listen: string | null;
}

const FILE = 'daemon.json';

export function daemonRecordPath(stateDir: string): string {
  return path.join(stateDir, FILE);
}

/** The record for this process, now. */
export function selfRecord(fields: Pick<DaemonRecord, 'started_at' | 'version' | 'jobfile' | 'jobfile_hash' | 'listen'>): DaemonRecord {
  const start = processStartTime(process.pid);
  return { pid: process.pid, ...(start !== undefined ? { pid_start: start } : {}), host: hostname(), ...fields };
}

/** Replaces the record whole (a reader sees the old or the new), mode 0600 like everything in the state dir. */
export function writeDaemonRecord(stateDir: string, record: DaemonRecord): void {
  writeFileAtomic(daemonRecordPath(stateDir), `${JSON.stringify(record, null, 1)}\n`, 0o600);
}

/** Removes the record if it is still `pid`'s: a daemon that lost the state dir to another must not remove the other's. */
export function removeDaemonRecord(stateDir: string, pid: number): void {
  if (readDaemonRecord(stateDir)?.pid === pid) rmSync(daemonRecordPath(stateDir), { force: true });
}

/** The record as written, or undefined when there is none (or it is not one). */
export function readDaemonRecord(stateDir: string): DaemonRecord | undefined {
  try {
    const doc = JSON.parse(readFileSync(daemonRecordPath(stateDir), 'utf8')) as Record<string, unknown> | null;
    const text = (key: string): string => (typeof doc?.[key] === 'string' ? doc[key] : '');
    if (typeof doc?.pid !== 'number' || text('started_at') === '' || text('jobfile_hash') === '') return undefined;
    return {
      pid: doc.pid, ...(text('pid_start') !== '' ? { pid_start: text('pid_start') } : {}), host: text('host'), started_at: text('started_at'),
      version: text('version'), jobfile: text('jobfile'), jobfile_hash: text('jobfile_hash'), listen: text('listen') === '' ? null : text('listen'),
    };
  } catch {
    return undefined;
  }
}

/**
 * The record of the daemon scheduling `stateDir`, or undefined when none does: no record, or one
 * whose process is provably gone (dead, a zombie, or its pid reused). A daemon on another host
 * (a shared state dir) cannot be checked from here and is taken at its word.
 */
export function liveDaemon(stateDir: string): DaemonRecord | undefined {
  const record = readDaemonRecord(stateDir);
  if (record === undefined) return undefined;
  if (record.host === hostname() && !processAlive(record.pid, record.pid_start)) return undefined;
  return record;
}

/** The hash of the jobfile's text on disk now, or undefined when it cannot be read (moved, removed). */
export function jobfileHashOnDisk(file: string): string | undefined {
  try {
    return jobfileHash(readTextFile(file, 'the jobfile', ''));
  } catch {
    return undefined;
  }
}
