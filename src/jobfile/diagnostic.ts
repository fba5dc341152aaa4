import type { LineCounter } from 'yaml';

export type DiagnosticCode =
  | 'yaml-syntax'
  | 'too-deep'
  | 'duplicate-key'
  | 'not-a-jobfile'
  | 'missing-field'
  | 'unknown-field'
  | 'wrong-type'
  | 'bad-value'
  | 'bad-name'
  | 'bad-duration'
  | 'bad-schedule'
  | 'unknown-zone'
  | 'unknown-template'
  | 'unknown-need'
  | 'cycle'
  | 'conflicting-fields'
  | 'no-trigger'
  | 'mixed-schedules'
  | 'unknown-account'
  | 'missing-workdir';

/** One problem in a jobfile, pointing at the YAML node it came from (STYLE habit 4). */
export interface Diagnostic {
  severity: 'error' | 'warning';
  code: DiagnosticCode;
  /** The field path, e.g. `jobs.train.timeout`; empty for the document itself. */
  path: string;
  /** "expected X, got Y". */
  message: string;
  /** How to fix it, in a sentence. */
  fix: string;
  /** Character offsets of the offending node in the source text. */
  start: number;
  end: number;
}

/** The text a diagnostic points into, with what turns offsets into lines and columns. */
export interface Source {
  path: string;
  text: string;
  lineCounter: LineCounter;
}

export function errorsIn(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => d.severity === 'error');
}
