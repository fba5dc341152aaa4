import { displayPath } from '../jobfile-problems.js';
import type { AsideRequest } from '../load-aside.js';
import { loadAside } from '../load-aside.js';
import { findJobfile } from '../paths.js';
import type { DaemonOptions } from './daemon.js';

/**
 * `tock daemon`'s entry: the jobfile's worker starts before the daemon's own modules load, so
 * the two overlap (the parse of a big file hides the imports).
 */
export async function daemonCommand(options: DaemonOptions): Promise<void> {
  const file = findJobfile(options, process.env);
  const request: AsideRequest = { file, shown: displayPath(file), asRoot: process.getuid?.() === 0 };
  const first = loadAside(request);
  // Awaited by runDaemon once the import is done; a rejection meanwhile is not unhandled.
  first.catch(() => undefined);
  const { runDaemon } = await import('./daemon.js');
  await runDaemon(options, request, first);
}
