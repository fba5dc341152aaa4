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

// A line is held back until its newline, so jobs' lines do not interleave, up to this much;
// a longer one goes out in pieces (prefixed only where a line starts), so the cost stays linear.
const HOLD_MAX = 64 * 1024;

type Stream = 'stdout' | 'stderr';

/**
 * Live job output for the terminal: raw for one job, each line prefixed `[job] ` for several.
 * Nothing queues without bound: a write the terminal does not take at once returns false, and
 * the spawner pauses that job's pipe until the terminal drains.
 */
export function terminalOutput(prefixed: boolean, paintPrefix: (s: string) => string): NonNullable<EngineDeps['output']> {
  const target = (stream: Stream): NodeJS.WriteStream => (stream === 'stdout' ? process.stdout : process.stderr);
  // Jobs paused until a stream drains: one listener per stream, however many jobs wait.
  const waiting: Record<Stream, (() => void)[]> = { stdout: [], stderr: [] };
  // A reader that went away (`tock run job | head`) gets no more; the jobs go on, their logs whole.
  const gone: Record<Stream, boolean> = { stdout: false, stderr: false };
  for (const stream of ['stdout', 'stderr'] as const) {
    target(stream).on('error', () => {
      gone[stream] = true;
      for (const waiter of waiting[stream].splice(0)) waiter();
    });
  }
  const send = (stream: Stream, data: Buffer, resume: () => void): boolean => {
    const out = target(stream);
    if (gone[stream] || out.write(data)) return true;
    if (waiting[stream].push(resume) === 1) {
      out.once('drain', () => {
        for (const waiter of waiting[stream].splice(0)) waiter();
      });
    }
    return false;
  };
  // The job whose line is left open (no newline yet) on each stream: another job's output first
  // ends that line, and the open job's next piece starts with its prefix again.
  const open: Record<Stream, object | undefined> = { stdout: undefined, stderr: undefined };
  return (job) => {
    const me = {};
    const prefix = Buffer.from(`${paintPrefix(`[${job}]`)} `);
    const held: Record<Stream, Buffer[]> = { stdout: [], stderr: [] };
    const heldBytes: Record<Stream, number> = { stdout: 0, stderr: 0 };
    const emit = (stream: Stream, data: Buffer, resume: () => void): boolean => {
      if (data.length === 0) return true;
      const parts: Buffer[] = [];
      if (open[stream] !== undefined && open[stream] !== me) parts.push(Buffer.from('\n'));
      if (open[stream] !== me) parts.push(prefix);
      for (let from = 0; from < data.length;) {
        const nl = data.indexOf(10, from);
        const to = nl === -1 ? data.length : nl + 1;
        parts.push(data.subarray(from, to));
        if (nl !== -1 && to < data.length) parts.push(prefix);
        from = to;
      }
      if (data[data.length - 1] === 10) open[stream] = undefined;
      else open[stream] = me;
      return send(stream, Buffer.concat(parts), resume);
    };
    const flush = (stream: Stream, resume: () => void): boolean => {
      const data = Buffer.concat(held[stream]);
      held[stream] = [];
      heldBytes[stream] = 0;
      return emit(stream, data, resume);
    };
    return {
      write(stream, chunk, resume) {
        if (!prefixed) return send(stream, chunk, resume);
        const last = chunk.lastIndexOf(10);
        if (last === -1) {
          held[stream].push(chunk);
          heldBytes[stream] += chunk.length;
          return heldBytes[stream] < HOLD_MAX || flush(stream, resume);
        }
        held[stream].push(chunk.subarray(0, last + 1));
        const ok = flush(stream, resume);
        if (last + 1 < chunk.length) {
          held[stream].push(chunk.subarray(last + 1));
          heldBytes[stream] = chunk.length - last - 1;
        }
        return ok;
      },
      // A last line with no newline still belongs to this job: print it, ended, when the process ends.
      end() {
        for (const stream of ['stdout', 'stderr'] as const) {
          if (prefixed) flush(stream, () => undefined);
          if (open[stream] === me) {
            target(stream).write('\n');
            open[stream] = undefined;
          }
        }
      },
    };
  };
}
