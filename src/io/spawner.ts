import { spawn } from 'node:child_process';
import type { Writable } from 'node:stream';

import type { ExitInfo, SpawnRequest, SpawnedProcess, Spawner } from '../engine/ports.js';
import type { CgroupBase } from './cgroup.js';
import { enterCgroup, makeRunCgroup, removeRunCgroup } from './cgroup.js';
import { ProcessTree } from './process-tree.js';
import { processStartTime } from './proc.js';
import { RunLog } from './run-log.js';

// How often the tree is looked at while the leader is gone but its leftovers have their grace.
const LEFTOVER_POLL_MS = 100;
// Holds the child before exec until tock has put its pid in the attempt's cgroup: nothing the
// job runs can fork before it is inside (fd 3 is a pipe only tock writes to, then closed).
const CGROUP_GATE = 'read -r _ <&3 || exit 125; exec "$@" 3<&-';

/**
 * Spawns each attempt as the leader of a new process group (`detached` calls setsid), so a
 * timeout can signal the whole tree with kill(-pgid); an attempt also gets a cgroup of its own
 * when `cgroupBase` gives one. Output goes to the run's log (capped, see RunLog) and, as it
 * arrives, to `output`, whose back-pressure pauses the job's pipe.
 */
export class TreeSpawner implements Spawner {
  constructor(private readonly cgroupBase: () => CgroupBase | undefined = () => undefined) {}

  spawn(request: SpawnRequest): SpawnedProcess {
    const base = request.tree !== undefined ? this.cgroupBase() : undefined;
    let cgroup: string | undefined;
    try {
      if (base !== undefined && request.tree !== undefined) cgroup = makeRunCgroup(base, request.tree.runId, request.tree.attempt);
    } catch {
      cgroup = undefined; // not allowed here after all: process groups and the escape scan only
    }
    const log = new RunLog(request.logFile, request.logMax);
    const [file = '', ...args] = cgroup !== undefined ? ['/bin/sh', '-c', CGROUP_GATE, 'sh', ...request.argv] : request.argv;
    const child = spawn(file, args, {
      cwd: request.cwd,
      env: request.env,
      detached: true,
      stdio: [request.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe', ...(cgroup !== undefined ? ['pipe' as const] : [])],
      ...(request.uid !== undefined ? { uid: request.uid } : {}),
      ...(request.gid !== undefined ? { gid: request.gid } : {}),
    });
    const pid = child.pid ?? null;
    if (cgroup !== undefined) cgroup = openGate(child.stdio[3] as Writable | null, cgroup, pid);
    const tree = new ProcessTree(pid, cgroup, request.tree?.runId);
    // The grace for leftovers and pipes counts from the first stop signal or the leader's exit,
    // whichever comes first; after a SIGKILL of the tree nothing is waited for.
    let graceFrom: number | undefined;
    let killed = false;
    const signalGroup = (signal: 'SIGTERM' | 'SIGKILL'): void => {
      if (pid === null) return;
      graceFrom ??= Date.now();
      if (signal === 'SIGKILL') killed = true;
      tree.signal(signal);
    };
    const write = (stream: 'stdout' | 'stderr') => (chunk: Buffer): void => {
      log.write(chunk);
      const pipe = child[stream];
      if (request.output?.write(stream, chunk, () => pipe?.resume()) === false) pipe?.pause();
    };
    child.stdout?.on('data', write('stdout'));
    child.stderr?.on('data', write('stderr'));
    if (request.stdin !== undefined) {
      child.stdin?.on('error', () => undefined); // the hook may not read its stdin
      child.stdin?.end(request.stdin);
    }

    const exited = new Promise<ExitInfo>((resolve) => {
      let info: ExitInfo | undefined;
      let leaderGone = false;
      // Set when the look after the leader's exit found nothing of the tree: nothing can start
      // another of its processes after that, so the pipes' close needs no second look.
      let nothingLeft = false;
      let pipesClosed = false;
      let straggler: NodeJS.Timeout | undefined;
      let poll: NodeJS.Timeout | undefined;
      let settled = false;
      const settle = (): void => {
        if (info === undefined || settled) return;
        settled = true;
        clearTimeout(straggler);
        clearInterval(poll);
        // Whoever still holds the pipes (an escaped process we could not find) no longer
        // holds the run: the run ends with its leader plus the grace (SPEC 2, `timeout`).
        child.stdout?.destroy();
        child.stderr?.destroy();
        const { error: logError } = log.close();
        request.output?.end();
        const logged = logError === undefined ? info : { ...info, logError };
        const escaped = tree.escaped;
        const done = escaped > 0 ? { ...logged, escaped } : logged;
        void tree.dispose().then(() => { resolve(done); });
      };
      const settleIfDone = (): void => {
        if (leaderGone && pipesClosed && (nothingLeft || !tree.alive())) settle();
      };
      child.on('error', (error: NodeJS.ErrnoException) => {
        const missing = error.code === 'ENOENT';
        const denied = error.code === 'EACCES';
        const reason = missing ? 'command not found' : denied ? 'permission denied' : error.message;
        info = { exitCode: missing ? 127 : 126, signal: null, error: `${reason}: ${file} (exit ${missing ? '127' : '126'})` };
        if (pid === null) settle();
      });
      child.on('exit', (code, signal) => {
        info ??= { exitCode: code, signal };
        leaderGone = true;
        // The leader is gone; anything it left (in its group, its cgroup, or escaped with the
        // run's TOCK_RUN_ID) would outlive the run and hold our pipes open. TERM it now and
        // KILL it after the grace; then the pipes are closed whoever holds them. The one look
        // at the tree that TERMs what is left also says whether anything is.
        nothingLeft = !tree.terminateLeft();
        const left = killed ? 0 : Math.max(0, (graceFrom ?? Date.now()) + request.killGraceMs - Date.now());
        straggler = setTimeout(() => {
          if (info !== undefined && !killed && tree.alive()) info = { ...info, forced: true };
          tree.signal('SIGKILL');
          settle();
        }, left);
        poll = setInterval(settleIfDone, LEFTOVER_POLL_MS);
        settleIfDone();
      });
      child.on('close', () => {
        pipesClosed = true;
        settleIfDone();
      });
    });
    return { pid, ...pidStartOf(pid), ...(cgroup !== undefined ? { cgroup } : {}), exited, signalGroup };
  }
}

/**
 * Puts the held child in its cgroup, then lets it exec. Should the move fail, the attempt runs
 * without a cgroup (its process group and the escape scan still follow it).
 */
function openGate(gate: Writable | null, cgroup: string, pid: number | null): string | undefined {
  let placed: string | undefined;
  try {
    if (pid !== null) {
      enterCgroup(cgroup, pid);
      placed = cgroup;
    }
  } catch {
    void removeRunCgroup(cgroup, 0);
  }
  gate?.on('error', () => undefined);
  gate?.end('\n');
  return placed;
}

function pidStartOf(pid: number | null): { pidStart?: string } {
  const start = pid === null ? undefined : processStartTime(pid);
  return start !== undefined ? { pidStart: start } : {};
}
