import path from 'node:path';

import { loadJobfile } from '../jobfile/load.js';
import type { Jobfile } from '../jobfile/types.js';
import { accountExists } from '../io/host.js';
import { UserError } from '../util/user-error.js';
import { tockCommand } from './command-hint.js';
import type { CommonOptions } from './paths.js';
import { findJobfile } from './paths.js';
import { renderDiagnostics } from './render/diagnostic.js';

/** Loads the jobfile for a command; an invalid one stops the command with exit 2 and every diagnostic. */
export function loadForCommand(options: CommonOptions, env: NodeJS.ProcessEnv): Jobfile {
  const file = findJobfile(options, env);
  const result = loadJobfile(file, { asRoot: process.getuid?.() === 0, accountExists });
  if (!result.ok) {
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    throw new UserError('jobfile-invalid', `${String(errors)} ${errors === 1 ? 'problem' : 'problems'} in ${displayPath(file)}; nothing was run`,
      `fix them and check with \`${tockCommand(options, 'validate')}\``, renderDiagnostics(result.diagnostics, result.source, displayPath(file)));
  }
  return result.jobfile;
}

/** A path as a person would type it: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
