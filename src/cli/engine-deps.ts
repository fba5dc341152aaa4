import { randomBytes } from 'node:crypto';
import path from 'node:path';

import type { EngineEvent } from '../engine/events.js';
import type { EngineDeps } from '../engine/run-context.js';
import { fileLocks } from '../io/file-locks.js';
import { systemHost } from '../io/host.js';
import type { CgroupBase } from '../io/cgroup.js';
import { resolveCgroupBase } from '../io/cgroup.js';
import { TreeSpawner } from '../io/spawner.js';
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
export function realEngineDeps(stateDir: string, ledger: Ledger, emit: (e: EngineEvent) => void, stopper: Stopper, output: EngineDeps['output'], cgroup?: string): EngineDeps {
  return {
    clock: systemClock,
    spawner: new TreeSpawner(runCgroups(cgroup ?? process.env.TOCK_CGROUP)),
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

/**
 * Where each attempt gets its cgroup: `--cgroup DIR`, else `$TOCK_CGROUP`, else tock's own cgroup
 * when systemd delegated it. Found at the first spawn (not for commands that never spawn), once.
 */
function runCgroups(named: string | undefined): () => CgroupBase | undefined {
  let base: { value: CgroupBase | undefined } | undefined;
  return () => {
    if (base === undefined) {
      try {
        base = { value: resolveCgroupBase(named) };
      } catch (error) {
        // Said once; the runs go on with process groups and the escape scan.
        console.error(`tock: cannot give runs a cgroup in ${named ?? 'tock\'s own cgroup'}: ${error instanceof Error ? error.message : String(error)}; using process groups`);
        base = { value: undefined };
      }
    }
    return base.value;
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
