import { constants } from 'node:os';

const SIGNALS = constants.signals as Readonly<Record<string, number>>;

/**
 * An exit code or signal in words: `137: killed by SIGKILL`, `127: command not found`,
 * `signal SIGTERM (15)`. Shells report a child killed by signal N as exit 128+N.
 */
export function describeExit(exitCode: number | null, signal: string | null): string {
  if (signal !== null) return `killed by ${signal}${SIGNALS[signal] !== undefined ? ` (signal ${String(SIGNALS[signal])})` : ''}`;
  if (exitCode === null) return 'no exit code';
  if (exitCode === 0) return '0: success';
  if (exitCode === 126) return '126: the command is not executable';
  if (exitCode === 127) return '127: command not found';
  if (exitCode > 128 && exitCode < 128 + 65) {
    const name = Object.entries(SIGNALS).find(([, n]) => n === exitCode - 128)?.[0];
    if (name !== undefined) return `${String(exitCode)}: killed by ${name}`;
  }
  return `${String(exitCode)}: the command failed`;
}
