/** crontab(5) as Vixie/Debian cron reads it: user format, or system format with a user column. */
export type CrontabFormat = 'user' | 'system';

/** The @ macros of Vixie cron; @reboot has no instants. */
export type CronMacro = '@reboot' | '@yearly' | '@annually' | '@monthly' | '@weekly' | '@daily' | '@midnight' | '@hourly';

/** One job line of a crontab, with everything needed to audit it, import it and prove the import. */
export interface CrontabEntry {
  file: string;
  /** 1-based line of the entry. */
  line: number;
  /** The schedule as written: the five fields joined by one space, or the macro. */
  schedule: string;
  /** minute, hour, day of month, month, day of week, as written (absent for a macro). */
  fields?: readonly [string, string, string, string, string];
  macro?: CronMacro;
  /** System format only: the user column. */
  user?: string;
  /** The command part as written, `%` and `\%` untouched. */
  raw: string;
  /** The command cron runs: up to the first unescaped `%`, with `\%` turned into `%`. */
  command: string;
  /** Text after the first unescaped `%`, each further unescaped `%` a newline: cron's stdin. */
  stdin?: string;
  /** Comment lines directly above the entry (without the `#`), nearest last. */
  comments: readonly string[];
  /** Variables set above the entry in the same file (SHELL, PATH, MAILTO, CRON_TZ, TZ, others). */
  env: Readonly<Record<string, string>>;
  /** Set when the entry stands for a job of a tock jobfile (audited with the crontabs). */
  job?: string;
  /** A jobfile's `@every` job: its interval (ms); it starts at multiples of it since the epoch, not on `fields`. */
  everyMs?: number;
}

/** A line of a crontab that cron would refuse or misread: where, what was expected, what was found. */
export interface CrontabProblem {
  file: string;
  line: number;
  /** 1-based column of the offending text. */
  column: number;
  expected: string;
  got: string;
}

export interface Crontab {
  file: string;
  /** `jobfile` for a tock jobfile's jobs: counted in clashes and overlaps, not checked as cron lines. */
  origin?: 'crontab' | 'jobfile';
  format: CrontabFormat;
  entries: CrontabEntry[];
  problems: CrontabProblem[];
}
