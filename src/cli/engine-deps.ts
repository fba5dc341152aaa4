import { randomBytes } from 'node:crypto';
import path from 'node:path';

import type { EngineEvent } from '../engine/events.js';
import type { EngineDeps } from '../engine/run-context.js';
import { fileLocks } from '../io/file-locks.js';
import { systemHost } from '../io/host.js';
import { processSpawner } from '../io/spawner.js';
import { systemClock } from '../io/system-clock.js';
import type { Ledger } from '../ledger/ports.js';

export interface Stopper {
  stop: AbortController;
  hardStop: AbortController;
  dispose: () => void;
}

/**
 * SIGINT/SIGTERM once: start nothing new, TERM running attempts, KILL after their grace.
 * Twice: KILL now. The jobs run in their own sessions, so a terminal's Ctrl-C reaches only tock.
 */
export function installStopSignals(onFirst: (signal: string) => void): Stopper {
  const stop = new AbortController();
  const hardStop = new AbortController();
  const handler = (signal: NodeJS.Signals): void => {
    if (!stop.signal.aborted) {
      onFirst(signal);
      stop.abort('shutdown');
    } else {
      hardStop.abort('shutdown');
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    stop,
    hardStop,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

/** The composition root: the real clock, spawner, locks, ledger and host, in one place (STYLE habit 2). */
export function realEngineDeps(stateDir: string, ledger: Ledger, emit: (e: EngineEvent) => void, stopper: Stopper, output: EngineDeps['output']): EngineDeps {
  return {
    clock: systemClock,
    spawner: processSpawner,
    locks: fileLocks(path.join(stateDir, 'locks')),
    ledger,
    host: systemHost(stateDir, process.env),
    emit,
    newRunId,
    ...(output !== undefined ? { output } : {}),
    stop: stopper.stop.signal,
    hardStop: stopper.hardStop.signal,
  };
}

/** `20261121T021500Z-3fa9`: sortable by logical time, unique with four random hex digits. */
export function newRunId(_job: string, logicalMs: number): string {
  const stamp = new Date(logicalMs).toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

/** Live job output for the terminal: raw for one job, each line prefixed `[job] ` for several. */
export function terminalOutput(prefixed: boolean, paintPrefix: (s: string) => string): NonNullable<EngineDeps['output']> {
  return (job) => {
    const partial = { stdout: '', stderr: '' };
    const target = (stream: 'stdout' | 'stderr'): NodeJS.WriteStream => (stream === 'stdout' ? process.stdout : process.stderr);
    const emit = (stream: 'stdout' | 'stderr', line: string): void => {
      target(stream).write(`${paintPrefix(`[${job}]`)} ${line}\n`);
    };
    return {
      write(stream, chunk) {
        if (!prefixed) {
          target(stream).write(chunk);
          return;
        }
        const lines = (partial[stream] + chunk.toString('utf8')).split('\n');
        partial[stream] = lines.pop() ?? '';
        for (const line of lines) emit(stream, line);
      },
      // A last line with no newline still belongs to this job: print it when the process ends.
      end() {
        for (const stream of ['stdout', 'stderr'] as const) {
          if (prefixed && partial[stream] !== '') emit(stream, partial[stream]);
          partial[stream] = '';
        }
      },
    };
  };
}
