import { statSync } from 'node:fs';

import { loadJobfile } from '../../jobfile/load.js';
import { accountExists } from '../../io/host.js';
import { EXIT } from '../exit-codes.js';
import { displayPath } from '../jobfile-problems.js';
import type { CommonOptions } from '../paths.js';
import { findJobfile } from '../paths.js';
import { renderDiagnostics } from '../render/diagnostic.js';
import { loadPaint, wantsColor } from '../render/style.js';

/** `tock validate`: every problem at once, like a compiler; exit 2 when there are errors. */
export interface ValidateOptions extends CommonOptions {
  json?: boolean;
}

export async function validateCommand(options: ValidateOptions): Promise<void> {
  const file = findJobfile(options, process.env);
  const result = loadJobfile(file, { asRoot: process.getuid?.() === 0, accountExists, directoryExists });
  const diagnostics = result.ok ? result.warnings : result.diagnostics;
  const shown = displayPath(file);
  const jobs = result.ok ? result.jobfile.jobs.size : 0;
  if (options.json === true) {
    const located = diagnostics.map((d) => {
      const { line, col } = result.source.lineCounter.linePos(d.start);
      return { severity: d.severity, code: d.code, file: shown, line, column: col, path: d.path, message: d.message, fix: d.fix };
    });
    console.log(JSON.stringify({ ok: result.ok, jobs, diagnostics: located }, null, 2));
  } else {
    const errPaint = await loadPaint(wantsColor(process.stderr, process.env, options.color));
    for (const text of renderDiagnostics(diagnostics, result.source, shown, errPaint)) console.error(text);
    if (result.ok) {
      const paint = await loadPaint(wantsColor(process.stdout, process.env, options.color));
      console.log(`${paint.green('ok:')} ${String(jobs)} ${jobs === 1 ? 'job' : 'jobs'}`);
    } else {
      const n = diagnostics.filter((d) => d.severity === 'error').length;
      console.error(errPaint.red(`tock: ${String(n)} ${n === 1 ? 'problem' : 'problems'} in ${shown}`));
    }
  }
  process.exitCode = result.ok ? EXIT.ok : EXIT.usage;
}

function directoryExists(dir: string): boolean {
  return statSync(dir, { throwIfNoEntry: false })?.isDirectory() === true;
}
