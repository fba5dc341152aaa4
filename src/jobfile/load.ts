import { statSync } from 'node:fs';
import path from 'node:path';

import type { Document } from 'yaml';
import { LineCounter, parseDocument } from 'yaml';

import { readTextFile } from '../util/read-text-file.js';
import { UserError } from '../util/user-error.js';
import type { Diagnostic, Source } from './diagnostic.js';
import { errorsIn } from './diagnostic.js';
import { keyAndDepthProblems, nestingTooDeep } from './keys-and-depth.js';
import { normalizeJobfile } from './normalize.js';
import { validateRules } from './rules.js';
import type { Jobfile } from './types.js';
import { diag, validateShape } from './validate-shape.js';
import { yamlErrorDiagnostic } from './yaml-errors.js';

export type LoadResult =
  | { ok: true; jobfile: Jobfile; warnings: Diagnostic[]; source: Source }
  | { ok: false; diagnostics: Diagnostic[]; source: Source };

/** A jobfile parsed and checked, not yet normalized: its plain value, and the document for positions. */
export type CheckResult =
  | { ok: true; value: Record<string, unknown>; warnings: Diagnostic[]; source: Source; doc: Document }
  | { ok: false; diagnostics: Diagnostic[]; source: Source };

export interface LoadOptions {
  /** tock runs as root: refuse a jobfile others could have written (as cron does). */
  asRoot?: boolean;
  /** Whether a user or group exists on this host, for the `user`/`group` warnings. */
  accountExists?: (kind: 'user' | 'group', name: string) => boolean;
  /** Whether an absolute path is a directory on this host, for the `workdir` warning. */
  directoryExists?: (path: string) => boolean;
}

/** Reads and validates a jobfile. A missing file or an insecure one is a `UserError`. */
export function loadJobfile(file: string, options: LoadOptions = {}): LoadResult {
  const absolute = path.resolve(file);
  return validateText(readJobfile(absolute, options), absolute, options);
}

/** The jobfile's text; a missing file or an insecure one is a `UserError`. */
export function readJobfile(absolute: string, options: LoadOptions = {}): string {
  const text = readTextFile(absolute, 'the jobfile', 'pass another with -f FILE or TOCK_JOBFILE; `tock init -f FILE` writes a starter one', 'jobfile-missing');
  if (options.asRoot === true) checkOwnership(absolute);
  return text;
}

/** Validates jobfile text; `file` is only used for messages and relative paths. */
export function validateText(text: string, file: string, options: LoadOptions = {}): LoadResult {
  const checked = checkText(text, file);
  if (!checked.ok) return checked;
  const jobfile = normalizeJobfile(checked.value, file, text);
  const warnings = [...checked.warnings, ...hostWarnings(jobfile, checked.doc, options)];
  return { ok: true, jobfile, warnings, source: checked.source };
}

/**
 * Parses and checks jobfile text (every problem at once), without normalizing: what the daemon
 * does in a worker, so that the YAML library and the document never enter its own heap.
 */
export function checkText(text: string, file: string): CheckResult {
  const lineCounter = new LineCounter();
  const source: Source = { path: file, text, lineCounter };
  // uniqueKeys is off: its check is quadratic in a mapping's size, and keyAndDepthProblems
  // does it by name (`1` and `"1"` are one job) in linear time.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) {
    // The parser recurses: nesting thousands deep exhausts its stack, once per level. Say it once.
    const overflow = doc.errors.find((e) => /maximum call stack/i.test(e.message));
    if (overflow !== undefined) return { ok: false, diagnostics: [nestingTooDeep(overflow.pos[0])], source };
    return { ok: false, diagnostics: doc.errors.map((e) => yamlErrorDiagnostic(e, text)), source };
  }
  const structure = keyAndDepthProblems(doc, lineCounter);
  // Too deep to walk is reported alone; otherwise shape and cross-job rules both run, so every
  // problem is reported at once.
  if (structure.some((d) => d.code === 'too-deep')) return { ok: false, diagnostics: structure, source };
  const diagnostics = [...structure, ...validateShape(doc), ...validateRules(doc)];
  if (errorsIn(diagnostics).length > 0) return { ok: false, diagnostics, source };
  return { ok: true, value: doc.toJS() as Record<string, unknown>, warnings: diagnostics, source, doc };
}

/**
 * What is valid but missing on this host (an account, a working directory): a warning, since the
 * jobfile may be meant for another host, at the job's field or the default it inherits.
 */
function hostWarnings(jobfile: Jobfile, doc: Document, options: LoadOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  const warn = (job: string, field: string, message: string, fix: string): void => {
    const node: unknown = doc.getIn(['jobs', job, field], true) ?? doc.getIn(['defaults', field], true);
    out.push(diag(field === 'workdir' ? 'missing-workdir' : 'unknown-account', `jobs.${job}.${field}`, node, message, fix, 'warning'));
  };
  const { accountExists, directoryExists } = options;
  for (const job of jobfile.jobs.values()) {
    for (const kind of ['user', 'group'] as const) {
      const name = job[kind];
      if (accountExists === undefined || name === undefined || accountExists(kind, name)) continue;
      warn(job.name, kind, `expected a ${kind} that exists on this host, got "${name}"`,
        `create the ${kind}, or fix the name; the run will fail here until it exists`);
    }
    // The default, the jobfile's own directory, exists: only a workdir the file names is looked at.
    if (directoryExists === undefined || job.workdir === jobfile.dir || directoryExists(job.workdir)) continue;
    warn(job.name, 'workdir', `expected a directory that exists on this host, got "${job.workdir}"`,
      'create the directory, or fix the path (a relative one starts at the jobfile\'s directory); the run will fail here until it exists');
  }
  return out;
}

function checkOwnership(file: string): void {
  const stat = statSync(file);
  if (stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
    throw new UserError('jobfile-insecure',
      `refusing ${file}: tock runs as root, and the file is ${stat.uid !== 0 ? `owned by uid ${stat.uid}` : 'writable by group or others'}`,
      `as cron does, root only runs jobfiles that root alone can change: chown root ${file} && chmod go-w ${file}`);
  }
}
