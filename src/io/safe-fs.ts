import * as fs from 'node:fs';
import type { Stats } from 'node:fs';
import path from 'node:path';

import { UserError } from '../util/user-error.js';

const { O_APPEND, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_WRONLY } = fs.constants;

/** What tock creates in its state dir, whatever the umask (SPEC 1). */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Flags for a temp file made for an atomic write: new, exclusive, never through a link. */
export const CREATE_NEW = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;

/**
 * Opens `file` to append (a ledger segment, a run log), creating it with `mode`. O_NOFOLLOW
 * makes a symbolic link planted at the path an error instead of a write to wherever it points
 * (as root, to any file on the host); what is opened must be a regular file of tock's own user.
 * An existing file of ours gets `mode` back if someone widened it.
 */
export function openAppend(file: string, mode = PRIVATE_FILE_MODE): number {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO planted at the path fails (ENXIO) instead of hanging tock until a reader comes.
    fd = fs.openSync(file, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK, mode);
  } catch (error) {
    const found = lstatOrUndefined(file);
    if (found?.isSymbolicLink() === true) throw linkRefused(file);
    if (found !== undefined && !found.isFile()) throw notOurs(file, 'is not a regular file', mode);
    throw error;
  }
  try {
    const stats = fs.fstatSync(fd);
    const problem = !stats.isFile() ? 'is not a regular file' : ownerProblem(stats);
    if (problem !== undefined) throw notOurs(file, problem, mode);
    if ((stats.mode & 0o7777) !== mode) fs.fchmodSync(fd, mode);
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
  return fd;
}

/**
 * Throws a UserError unless `stats` (of `dir`, from lstat, or stat for the state dir itself)
 * is a directory of tock's own user that neither its group nor others can write: anyone who can
 * write a directory tock writes in can plant links or swap files in it (cron refuses a writable
 * crontab for the same reason; systemd's StateDirectory= is 0700 and the service's own).
 */
export function assertPrivateDir(dir: string, stats: Stats, what = dir): void {
  if (stats.isSymbolicLink()) throw linkRefused(dir, what);
  if (!stats.isDirectory()) throw refused(what, 'is not a directory', 'remove it or choose another state dir with --state-dir DIR');
  const owner = ownerProblem(stats);
  const writable = [(stats.mode & 0o020) !== 0 ? 'its group' : '', (stats.mode & 0o002) !== 0 ? 'others' : ''].filter((w) => w !== '');
  const problems = [owner, writable.length > 0 ? `is writable by ${writable.join(' and ')} (mode ${octal(stats.mode & 0o7777)})` : undefined];
  if (owner === undefined && writable.length === 0) return;
  const fixes = [owner !== undefined ? `chown ${String(process.geteuid?.())} ${dir}` : '', writable.length > 0 ? `chmod go-w ${dir}` : ''];
  throw refused(what, problems.filter((p) => p !== undefined).join(' and '),
    `fix: ${fixes.filter((f) => f !== '').join(' && ')} (tock creates its dirs 0700), or choose another with --state-dir DIR`);
}

/**
 * The `fs` proper-lockfile makes its lock directories with: 0700 whatever the umask (its own
 * mkdir follows the umask, 0777 under umask 000), and a lock path that is a symbolic link is
 * refused rather than followed (proper-lockfile would stat and touch what it points to).
 */
export const lockDirFs = {
  ...fs,
  mkdir(dir: string, callback: (error: NodeJS.ErrnoException | null) => void): void {
    fs.mkdir(dir, { mode: PRIVATE_DIR_MODE }, (error) => {
      if (error === null) {
        fs.chmod(dir, PRIVATE_DIR_MODE, callback);
        return;
      }
      if (error.code !== 'EEXIST') {
        callback(error);
        return;
      }
      fs.lstat(dir, (statError, stats) => {
        callback(statError === null && stats.isSymbolicLink() ? Object.assign(linkRefused(dir), { code: 'ESYMLINK' }) : error);
      });
    });
  },
};

function ownerProblem(stats: Stats): string | undefined {
  const uid = process.geteuid?.();
  return uid !== undefined && stats.uid !== uid ? `is owned by uid ${String(stats.uid)} (tock runs as uid ${String(uid)})` : undefined;
}

function lstatOrUndefined(file: string): Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch {
    return undefined;
  }
}

function notOurs(file: string, problem: string, mode: number): UserError {
  return refused(file, problem, `remove it (tock makes its own, ${octal(mode)}); if you did not put it there, find out who can write ${path.dirname(file)}`);
}

function linkRefused(file: string, what = file): UserError {
  return new UserError('state-dir', `${what} is a symbolic link: tock never writes through one in its state dir`,
    `remove the link (rm ${file}) and tock makes its own; if you did not make it, find out who can write ${path.dirname(file)}`);
}

function refused(what: string, problem: string, hint: string): UserError {
  return new UserError('state-dir', `${what} ${problem}: tock refuses it, as cron refuses a writable crontab`, hint);
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
