import path from 'node:path';

import type { UserErrorCode } from './user-error.js';
import { UserError } from './user-error.js';

/** What a path turned out to be, by the errno a file operation failed with, in words. */
const PROBLEMS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a path through something that is not a directory',
  EISDIR: 'a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'a read-only file system',
  ELOOP: 'a loop of symbolic links',
  ENAMETOOLONG: 'a name too long',
  EEXIST: 'a file that already exists',
};

/** Whether `error` is a file-system errno that says something about a path the user gave. */
export function isPathProblem(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code in PROBLEMS;
}

/** The errno in words (`permission denied`), or the code itself for one not listed. */
export function describePathProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (code !== undefined ? PROBLEMS[code] : undefined) ?? code ?? String(error);
}

/**
 * A user's path that could not be used, as the UserError every such mistake is: `WHO: expected
 * WHAT, got PROBLEM: PATH` and a fix that fits the errno (for ENOENT, the directory to create).
 * `who` names where the path came from (`-o/--output`, `--state-dir`); `fix` is the last resort.
 */
export function pathProblemError(error: unknown, who: string, what: string, file: string, fix: string, kind: UserErrorCode = 'usage'): UserError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const uid = process.geteuid?.();
  const hints: Readonly<Record<string, string>> = {
    ENOENT: `check the path; or create its directory first: mkdir -p ${path.dirname(file)}`,
    EACCES: `uid ${String(uid)} may not use it: check the modes along it (ls -ld ${path.dirname(file)}), or ${fix}`,
    EPERM: `uid ${String(uid)} may not use it: check its owner and attributes, or ${fix}`,
    EROFS: fix,
  };
  return new UserError(kind, `${who === '' ? '' : `${who}: `}expected ${what}, got ${describePathProblem(error)}: ${file}`, (code !== undefined ? hints[code] : undefined) ?? fix);
}
