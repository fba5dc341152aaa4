import { constants } from 'node:os';

const SIGNALS = constants.signals as Readonly<Record<string, number>>;

/** What an attempt's exit code or signal means; `src/cli/render/explain.ts` puts it into words. */
export type ExitMeaning =
  | { kind: 'signal'; signal: string; number: number | undefined }
  | { kind: 'no-exit-code' }
  | { kind: 'success' }
  | { kind: 'not-executable' }
  | { kind: 'not-found' }
  | { kind: 'shell-signal'; exitCode: number; signal: string }
  | { kind: 'failed'; exitCode: number };

/**
 * Reads an exit code as the shell means it: 126 not executable, 127 not found, and 128+N a
 * child killed by signal N (`137` is SIGKILL).
 */
export function exitMeaning(exitCode: number | null, signal: string | null): ExitMeaning {
  if (signal !== null) return { kind: 'signal', signal, number: SIGNALS[signal] };
  if (exitCode === null) return { kind: 'no-exit-code' };
  if (exitCode === 0) return { kind: 'success' };
  if (exitCode === 126) return { kind: 'not-executable' };
  if (exitCode === 127) return { kind: 'not-found' };
  if (exitCode > 128 && exitCode < 128 + 65) {
    const name = Object.entries(SIGNALS).find(([, n]) => n === exitCode - 128)?.[0];
    if (name !== undefined) return { kind: 'shell-signal', exitCode, signal: name };
  }
  return { kind: 'failed', exitCode };
}
