import { exitMeaning } from '../../ledger/explain.js';
import { unreachable } from '../../util/unreachable.js';

/** An exit code or signal in words: `137: killed by SIGKILL`, `127: command not found`, `killed by SIGTERM (signal 15)`. */
export function describeExit(exitCode: number | null, signal: string | null): string {
  const meaning = exitMeaning(exitCode, signal);
  switch (meaning.kind) {
    case 'signal':
      return `killed by ${meaning.signal}${meaning.number !== undefined ? ` (signal ${String(meaning.number)})` : ''}`;
    case 'no-exit-code':
      return 'no exit code';
    case 'success':
      return '0: success';
    case 'not-executable':
      return '126: the command is not executable';
    case 'not-found':
      return '127: command not found';
    case 'shell-signal':
      return `${String(meaning.exitCode)}: killed by ${meaning.signal}`;
    case 'failed':
      return `${String(meaning.exitCode)}: the command failed`;
    default:
      return unreachable(meaning);
  }
}
