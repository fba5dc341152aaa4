import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import { UserError } from '../util/user-error.js';
import { writeFileAtomic } from './atomic-write.js';
import { PRIVATE_FILE_MODE } from './safe-fs.js';

/** Who paused a job and since when (`tock pause`), for `status`. */
export interface Pause {
  /** ISO 8601, UTC. */
  since: string;
  by: string;
}

/** `<state>/paused.json`: the jobs `tock pause` paused, read by the daemon, status and backfill. */
export function pauseFile(stateDir: string): string {
  return path.join(stateDir, 'paused.json');
}

/** The paused jobs' names; none when the file is missing. A file tock cannot parse is a UserError. */
export function readPaused(stateDir: string): ReadonlySet<string> {
  return new Set(readPauses(stateDir).keys());
}

/**
 * Every paused job with who paused it and when. The file is `{ v: 1, paused: { JOB: { since, by } } }`;
 * a plain JSON list of names (written by hand) is read too, with no since or by.
 */
export function readPauses(stateDir: string): ReadonlyMap<string, Pause> {
  const file = pauseFile(stateDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw unreadable(file, (error as NodeJS.ErrnoException).code ?? String(error));
  }
  return parsePauses(text, file);
}

function parsePauses(text: string, file: string): Map<string, Pause> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw unreadable(file, 'not JSON');
  }
  if (Array.isArray(doc) && doc.every((n) => typeof n === 'string')) return new Map(doc.map((n) => [n, { since: '', by: '' }]));
  const paused = (doc as { paused?: unknown } | null)?.paused;
  if (typeof paused !== 'object' || paused === null || Array.isArray(paused)) throw unreadable(file, 'no "paused" object');
  return new Map(Object.entries(paused as Record<string, Partial<Pause> | null>).map(([name, p]) => [name, {
    since: typeof p?.since === 'string' ? p.since : '',
    by: typeof p?.by === 'string' ? p.by : '',
  }]));
}

/** Replaces the pause file atomically (the daemon sees the old set or the new, never half). */
export function writePauses(stateDir: string, pauses: ReadonlyMap<string, Pause>): void {
  const paused = Object.fromEntries([...pauses].sort(([a], [b]) => a.localeCompare(b)));
  writeFileAtomic(pauseFile(stateDir), `${JSON.stringify({ v: 1, paused }, null, 1)}\n`, PRIVATE_FILE_MODE);
}

/**
 * The daemon's view of the pause file: one stat per call, the file read again only when its
 * identity, size or times changed (an atomic write renames a new inode over it). A file that
 * cannot be read or parsed keeps the last good set (a job is not unpaused by a typo) and is
 * reported once per change through `onError`.
 */
export function pauseWatch(stateDir: string, onError: (message: string) => void): () => ReadonlySet<string> {
  const file = pauseFile(stateDir);
  let seen = '';
  let current: ReadonlySet<string> = new Set();
  return () => {
    const key = identity(file);
    if (key === seen) return current;
    seen = key;
    try {
      current = key === 'missing' ? new Set() : new Set(parsePauses(readFileSync(file, 'utf8'), file).keys());
    } catch (error) {
      onError(error instanceof UserError ? `${error.message}; the daemon keeps the jobs paused before it` : String(error));
    }
    return current;
  };
}

function identity(file: string): string {
  try {
    const s = statSync(file, { bigint: true });
    return `${String(s.ino)}:${String(s.size)}:${String(s.mtimeNs)}:${String(s.ctimeNs)}`;
  } catch (error) {
    // Only a missing file means no pauses; any other failure is read (and reported) as one.
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'missing' : `error:${code ?? String(error)}`;
  }
}

function unreadable(file: string, why: string): UserError {
  return new UserError('state-dir', `expected ${file} to list the paused jobs, got ${why}`,
    'fix it, or remove it (every job is then resumed); `tock resume --all` writes a new one');
}
