// The daemon figures' processes: children tracked so none is left behind, `tock daemon
// --log-format json` with its events parsed, and CPU, memory and wake-ups from /proc.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { round } from './stats.mjs';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const TOCK_BIN = path.join(ROOT, 'bin', 'tock.js');

// ---------------------------------------------------------------------------------------------
// Processes

const live = new Set();

export function track(child) {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

export function exited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. */
export async function stop(child, graceMs = 10_000) {
  if (!exited(child)) {
    const done = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = sleep(graceMs, undefined, { ref: false }).then(() => 'timeout');
    if ((await Promise.race([done, timer])) === 'timeout' && !exited(child)) {
      child.kill('SIGKILL');
      await done;
      return { code: child.exitCode, signal: child.signalCode, killed: true };
    }
  }
  return { code: child.exitCode, signal: child.signalCode, killed: false };
}

/** SIGKILL to every child still running (on any exit of the bench, Ctrl-C included). */
export function killLive() {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * `tock daemon --log-format json [--log-level L]` with its stderr parsed line by line (`armed`,
 * `fired`, `run-started` and `attempt-started` are logged at `debug` only). Each event gets `at`: ms
 * since the spawn call (hrtime, the bench's clock). `until(pred)` resolves with the first event
 * matching it (also one already seen).
 */
export function startDaemon(ctx, jobfile, stateDir, { logLevel } = {}) {
  const events = [];
  const waiters = [];
  let stderrTail = '';
  const t0 = process.hrtime.bigint();
  const child = track(spawn(ctx.NODE, [TOCK_BIN, 'daemon', '-f', jobfile, '--state-dir', stateDir, '--log-format', 'json', ...(logLevel !== undefined ? ['--log-level', logLevel] : [])], {
    cwd: ROOT, env: ctx.childEnv, stdio: ['ignore', 'ignore', 'pipe'],
  }));
  let partial = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    const at = Number(process.hrtime.bigint() - t0) / 1e6;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop();
    for (const line of lines) {
      stderrTail = `${stderrTail}${line}\n`.slice(-4000);
      let ev;
      try {
        ev = JSON.parse(line);
      } catch {
        ev = { event: 'text', line };
      }
      ev.at = at;
      events.push(ev);
      for (const w of [...waiters]) {
        if (w.pred(ev)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(ev);
        }
      }
    }
  });
  const gone = new Promise((resolve) => child.once('exit', resolve));
  const until = (pred, timeoutMs, what) => {
    const seen = events.find(pred);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve };
      waiters.push(w);
      sleep(timeoutMs, undefined, { ref: false }).then(() => {
        if (waiters.includes(w)) {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new ctx.CommandFailed(`tock daemon: no ${what} within ${String(timeoutMs / 1000)} s:\n${stderrTail}`));
        }
      });
      gone.then(() => {
        if (waiters.includes(w)) {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new ctx.CommandFailed(`tock daemon exited (code ${String(child.exitCode)}, signal ${String(child.signalCode)}) before ${what}:\n${stderrTail}`));
        }
      });
    });
  };
  const finish = async () => {
    const how = await stop(child);
    if (how.killed || how.code !== 0) {
      throw new ctx.CommandFailed(`tock daemon did not stop cleanly on SIGTERM (code ${String(how.code)}, signal ${String(how.signal)}${how.killed ? ', killed after 10 s' : ''}):\n${stderrTail}`);
    }
    return how;
  };
  return { child, pid: child.pid, events, until, finish };
}

// ---------------------------------------------------------------------------------------------
// /proc

let clkTck;
function ticksPerSecond() {
  if (clkTck === undefined) {
    const res = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    clkTck = Number.parseInt(res.stdout, 10) || 100;
  }
  return clkTck;
}

/** CPU (ticks and schedstat), memory and wake-ups of a process, from /proc. */
export function procSample(pid) {
  const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15)
  let schedNs = 0;
  let volAll = 0;
  const tasks = readdirSync(`/proc/${String(pid)}/task`);
  for (const tid of tasks) {
    try {
      schedNs += Number(readFileSync(`/proc/${String(pid)}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      volAll += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync(`/proc/${String(pid)}/task/${tid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // a thread that ended between the listing and the read
    }
  }
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return {
    cpuTicksMs: (ticks * 1000) / ticksPerSecond(),
    schedMs: schedNs / 1e6,
    rssMiB: kb('VmRSS') / 1024,
    hwmMiB: kb('VmHWM') / 1024,
    wakesMain: kb('voluntary_ctxt_switches'),
    wakesAll: volAll,
    threads: tasks.length,
  };
}

export function procDelta(a, b) {
  return {
    cpu_ms_schedstat: round(b.schedMs - a.schedMs, 3),
    cpu_ms_ticks: round(b.cpuTicksMs - a.cpuTicksMs, 0),
    wakes_main_thread: b.wakesMain - a.wakesMain,
    wakes_all_threads: b.wakesAll - a.wakesAll,
    rss_mib: round(b.rssMiB, 1),
    rss_mib_at_start: round(a.rssMiB, 1),
    hwm_mib: round(b.hwmMiB, 1),
    threads: b.threads,
  };
}

