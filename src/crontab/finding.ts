/** SPEC 7's finding codes. */
export type FindingCode =
  | 'syntax' | 'never-runs' | 'dom-dow-or' | 'percent' | 'clash' | 'overlap' | 'dst'
  | 'hidden-dependency' | 'lost-output' | 'duplicate' | 'reboot';

export type Severity = 'error' | 'warning' | 'info';

/** One thing wrong (or worth knowing) about a crontab line, and how to fix it in tock's terms. */
export interface Finding {
  severity: Severity;
  code: FindingCode;
  file: string;
  line: number;
  message: string;
  fix?: string;
}

export const SEVERITY_ORDER: readonly Severity[] = ['error', 'warning', 'info'];
