import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

import { describePathProblem } from './fs-problem.js';
import type { UserErrorCode } from './user-error.js';
import { UserError } from './user-error.js';

/** The most a jobfile or crontab may hold: far more than any real one, far less than memory. */
export const MAX_TEXT_BYTES = 16 * 1024 * 1024;

/**
 * A whole text file, refusing what is not a regular file (a FIFO or /dev/zero would block or never
 * end) and anything over MAX_TEXT_BYTES. The file is opened O_NONBLOCK so opening a FIFO with no
 * writer returns at once, then fstat'ed: what is checked is what was opened. `fd` 0 (standard
 * input) may be a pipe; it is read up to the same cap. `what` names the file in messages.
 */
export function readTextFile(file: string | 0, what: string, hint: string, missing: UserErrorCode = 'usage'): string {
  const shown = file === 0 ? 'standard input' : file;
  let fd: number;
  try {
    fd = file === 0 ? 0 : openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    throw unreadable(what, shown, error, hint, missing);
  }
  try {
    const stat = fstatSync(fd);
    if (file !== 0 && !stat.isFile()) {
      throw new UserError('usage', `expected ${what} as a regular file, got ${kindOf(stat)}: ${shown}`, hint);
    }
    if (stat.isFile() && stat.size > MAX_TEXT_BYTES) throw tooBig(what, shown, hint);
    return readAll(fd, what, shown, hint);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw unreadable(what, shown, error, hint);
  } finally {
    if (file !== 0) closeSync(fd);
  }
}

function readAll(fd: number, what: string, shown: string, hint: string): string {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(64 * 1024);
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (error) {
      // A non-blocking pipe with nothing in it yet: wait a little for the writer.
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
      continue;
    }
    if (n === 0) break;
    total += n;
    if (total > MAX_TEXT_BYTES) throw tooBig(what, shown, hint);
    chunks.push(chunk.subarray(0, n));
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

function kindOf(stat: ReturnType<typeof fstatSync>): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'something that is not a file';
}

function tooBig(what: string, shown: string, hint: string): UserError {
  return new UserError('usage', `expected ${what} of at most ${String(MAX_TEXT_BYTES / 1024 / 1024)} MiB, got more: ${shown}`, hint);
}

function unreadable(what: string, shown: string, error: unknown, hint: string, missing: UserErrorCode = 'usage'): UserError {
  const denied = ['EACCES', 'EPERM'].includes((error as NodeJS.ErrnoException).code ?? '');
  return new UserError(missing, `expected ${what}, got ${describePathProblem(error)}: ${shown}`,
    denied ? `uid ${String(process.geteuid?.())} may not read it: check its mode and owner (ls -l ${shown}), and the directories above it` : hint);
}
