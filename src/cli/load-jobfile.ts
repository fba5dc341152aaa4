import { loadJobfile } from '../jobfile/load.js';
import type { Jobfile } from '../jobfile/types.js';
import { accountExists } from '../io/host.js';
import { displayPath, invalidJobfile } from './jobfile-problems.js';
import type { CommonOptions } from './paths.js';
import { findJobfile } from './paths.js';
import { renderDiagnostics } from './render/diagnostic.js';

/** Loads the jobfile for a command; an invalid one stops the command with exit 2 and every diagnostic. */
export function loadForCommand(options: CommonOptions, env: NodeJS.ProcessEnv): Jobfile {
  const file = findJobfile(options, env);
  const result = loadJobfile(file, { asRoot: process.getuid?.() === 0, accountExists });
  if (!result.ok) {
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    throw invalidJobfile(options, file, errors, renderDiagnostics(result.diagnostics, result.source, displayPath(file)));
  }
  return result.jobfile;
}
