/** Stable codes for the mistakes a user can make; the CLI ends each with its usage exit code. */
export type UserErrorCode =
  | 'usage'
  | 'jobfile-missing'
  | 'jobfile-invalid'
  | 'jobfile-insecure'
  | 'unknown-job'
  | 'bad-time'
  | 'state-dir'
  | 'no-run';

/**
 * A user's mistake: what was expected, what was found, and how to fix it.
 * The CLI prints `message` and `hint` and exits with the usage code; never a stack trace.
 */
export class UserError extends Error {
  override name = 'UserError';
  constructor(
    readonly code: UserErrorCode,
    message: string,
    readonly hint?: string,
    /** Extra lines to print before the message (for example jobfile diagnostics). */
    readonly details: readonly string[] = [],
  ) {
    super(message);
  }
}
