import path from 'node:path';

import type { ExportedFile, ExportResult } from '../../export/types.js';
import { UserError } from '../../util/user-error.js';
import { EXIT } from '../exit-codes.js';
import { loadForCommand } from '../load-jobfile.js';
import type { CommonOptions } from '../paths.js';
import { findJobfile } from '../paths.js';
import { makeOutputDir, writeOutputFile } from '../write-output.js';

export interface ExportOptions extends CommonOptions {
  output?: string;
  image?: string;
  workdir?: string;
}

/**
 * `tock export kubernetes|argo|systemd [-o DIR] [--image IMAGE] [--workdir DIR]`: one YAML stream on stdout
 * (kubernetes, argo) unless -o writes a file per object; warnings name what does not carry over.
 */
export async function exportCommand(target: 'kubernetes' | 'argo' | 'systemd', options: ExportOptions): Promise<void> {
  const file = findJobfile(options, process.env);
  const jobfile = loadForCommand(options, process.env);
  if (target !== 'systemd' && (options.image === undefined || options.image === '')) {
    throw new UserError('usage', `export ${target}: expected --image IMAGE, got none`, 'name the container image that has your commands and their tools, e.g. --image registry.example.com/etl:1.4');
  }
  // A manifest runs elsewhere: it names the jobfile, and a working directory only when told one for the container.
  const k8s = { image: options.image ?? '', jobfile: path.basename(file), ...(options.workdir !== undefined ? { workdir: options.workdir } : {}) };
  let result: ExportResult;
  switch (target) {
    case 'kubernetes':
      result = (await import('../../export/kubernetes.js')).exportKubernetes(jobfile, k8s);
      break;
    case 'argo':
      result = (await import('../../export/argo.js')).exportArgo(jobfile, k8s);
      break;
    case 'systemd':
      result = (await import('../../export/systemd.js')).exportSystemd(jobfile, { jobfile: file, tock: path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../bin/tock.js'), node: process.execPath });
      break;
  }
  for (const warning of result.warnings) console.error(`tock: warning: ${warning}`);
  if (options.output !== undefined) {
    makeOutputDir(options.output, '-o/--output');
    for (const f of result.files) writeOutputFile(path.join(options.output, f.name), f.text, '-o/--output');
    console.error(`wrote ${String(result.files.length)} files to ${options.output}`);
  } else {
    process.stdout.write(stream(result.files));
  }
  process.exitCode = EXIT.ok;
}

/** One YAML stream of documents joined by `---`; systemd units each under a `# ==> name <==` header. */
function stream(files: readonly ExportedFile[]): string {
  if (files.every((f) => f.name.endsWith('.yaml'))) return files.map((f) => f.text).join('---\n');
  return files.map((f) => `# ==> ${f.name} <==\n${f.text}`).join('\n');
}
