import path from 'node:path';

import { UserError } from '../util/user-error.js';
import { tockCommand } from './command-hint.js';
import type { CommonOptions } from './paths.js';

/** The error a command stops with on an invalid jobfile: the count, then each rendered problem. */
export function invalidJobfile(options: CommonOptions, file: string, errors: number, problems: readonly string[]): UserError {
  return new UserError('jobfile-invalid', `${String(errors)} ${errors === 1 ? 'problem' : 'problems'} in ${displayPath(file)}; nothing was run`,
    `fix them and check with \`${tockCommand(options, 'validate')}\``, problems);
}

/** A path as a person would type it: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
