import { statSync, writeFileSync } from 'node:fs';

import { ensureDir } from '../io/ensure-dir.js';
import { isPathProblem, pathProblemError } from '../util/fs-problem.js';
import { UserError } from '../util/user-error.js';

export interface OutputOptions {
  /** Never replace a file that is there (O_EXCL). */
  exclusive?: boolean;
  mode?: number;
  /** The fix to suggest when the errno has none of its own. */
  fix?: string;
}

/**
 * Writes a file the user named (`-o FILE`, `init -f FILE`): a path that cannot be written (a
 * directory, a missing parent, no permission, an existing file under `exclusive`) is the user's
 * mistake, said as one; a full disk stays a storage error.
 */
export function writeOutputFile(file: string, text: string, who: string, options: OutputOptions = {}): void {
  try {
    writeFileSync(file, text, { flag: options.exclusive === true ? 'wx' : 'w', mode: options.mode ?? 0o644 });
  } catch (error) {
    if (!isPathProblem(error)) throw error;
    throw pathProblemError(error, who, 'a file path tock can write', file, options.fix ?? 'give another path');
  }
}

/** Makes (mkdir -p) a directory the user named for output, such as `export -o DIR`, with the same errors. */
export function makeOutputDir(dir: string, who: string): void {
  try {
    ensureDir(dir, 0o755);
  } catch (error) {
    if (!isPathProblem(error)) throw error;
    throw pathProblemError(error, who, 'a directory tock can create and write in', dir, 'give another directory');
  }
  if (!statSync(dir).isDirectory()) {
    throw new UserError('usage', `${who}: expected a directory, got a file: ${dir}`, 'give a directory (tock creates it when missing), or leave -o out to print one stream');
  }
}
