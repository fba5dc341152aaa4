import { chmodSync, lstatSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

import { assertPrivateDir, PRIVATE_DIR_MODE } from './safe-fs.js';

/**
 * mkdir -p, one level at a time (Node 20's `mkdirSync(..., { recursive: true })` never returns
 * for some paths it cannot create: under /proc it loops on ENOENT, so a bad --state-dir would
 * hang tock). Every level it creates gets exactly `mode`, whatever the umask.
 *
 * The default, 0700, is for tock's own state (ledger/<job>, logs/<job>, .definitions, ...): the
 * directory, made now or found, must then be a real directory (lstat: a symbolic link is
 * refused), of tock's user, writable by no one else (SPEC 1). A directory the user names for
 * tock to write into (an export's --output, a systemd unit dir) is 0755 and is not checked.
 */
export function ensureDir(dir: string, mode: typeof PRIVATE_DIR_MODE | 0o755 = PRIVATE_DIR_MODE): void {
  makeLevels(dir, mode);
  if (mode === PRIVATE_DIR_MODE) assertPrivateDir(dir, lstatSync(dir));
}

/** The state dir itself, made if missing, then checked (see `checkStateDir`). */
export function ensureStateDir(dir: string): void {
  makeLevels(dir, PRIVATE_DIR_MODE);
  checkStateDir(dir);
}

/**
 * Checks the state dir as `ensureDir` checks its subdirs, except that it may be a symbolic link
 * its owner or root made (/var/lib/tock -> /srv/tock): then what it points to is checked.
 */
export function checkStateDir(dir: string): void {
  const link = lstatSync(dir);
  if (link.isSymbolicLink() && link.uid !== 0 && link.uid !== process.geteuid?.()) assertPrivateDir(dir, link, `state dir ${dir}`);
  assertPrivateDir(dir, statSync(dir), `state dir ${dir}`);
}

function makeLevels(dir: string, mode: number): void {
  const missing: string[] = [];
  for (let current = path.resolve(dir); !exists(current); current = path.dirname(current)) {
    missing.unshift(current);
    if (path.dirname(current) === current) break;
  }
  for (const level of missing) {
    try {
      mkdirSync(level, { mode });
      chmodSync(level, mode);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
