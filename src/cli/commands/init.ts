import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { loadJobfile } from '../../jobfile/load.js';
import { InternalError } from '../../util/unreachable.js';
import { displayPath } from '../jobfile-problems.js';
import type { CommonOptions } from '../paths.js';
import { writeOutputFile } from '../write-output.js';

export interface InitOptions extends CommonOptions {
  example?: 'pipeline';
}

// The templates ship in examples/init/; the schema beside them, so an editor can check the file.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TEMPLATES = { starter: 'tock.yaml', pipeline: 'pipeline.yaml' } as const;
const FIRST_RUN = { starter: 'run hello', pipeline: 'run --downstream extract' } as const;

/**
 * `tock init [--example pipeline] [-f PATH]`: writes a commented starter jobfile (./tock.yaml by
 * default) that validates and runs where it is written, and never replaces a file (exit 2), as
 * `npm init -y` or `git init` never clobber what is there.
 */
export function initCommand(options: InitOptions): void {
  const kind = options.example ?? 'starter';
  const target = path.resolve(options.jobfile ?? 'tock.yaml');
  const schema = path.join(ROOT, 'schema', 'tock.schema.json');
  const template = readFileSync(path.join(ROOT, 'examples', 'init', TEMPLATES[kind]), 'utf8');
  // The line editors with a YAML language server read to complete and check the file.
  const text = existsSync(schema) ? `# yaml-language-server: $schema=${schema}\n${template}` : template;
  const shown = displayPath(target);
  writeOutputFile(target, text, options.jobfile === undefined ? '' : '-f/--jobfile', {
    exclusive: true,
    fix: `tock init never overwrites: move ${shown} away, or write elsewhere with -f PATH`,
  });
  const loaded = loadJobfile(target);
  if (!loaded.ok) throw new InternalError(`the ${kind} template does not validate: ${loaded.diagnostics.map((d) => d.message).join('; ')}`);
  const jobs = [...loaded.jobfile.jobs.keys()];
  // The next commands, as the user would type them from here: without -f where tock finds it anyway.
  const found = target === path.resolve('tock.yaml') && (process.env.TOCK_JOBFILE ?? '') === '';
  const f = found ? '' : ` -f ${shown}`;
  console.log(`wrote ${shown}: ${String(jobs.length)} jobs (${jobs.join(', ')})`);
  console.log(`next: tock validate${f} && tock ${FIRST_RUN[kind]}${f}`);
}
