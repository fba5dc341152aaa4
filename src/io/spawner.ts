import { spawn } from 'node:child_process';

import type { ExitInfo, SpawnRequest, SpawnedProcess, Spawner } from '../engine/ports.js';
import { RunLog } from './run-log.js';

/**
 * Spawns each attempt as the leader of a new process group (`detached` calls setsid), so a
 * timeout can signal the whole tree with kill(-pgid). Output goes to the run's log (capped, see
 * RunLog) and, as it arrives, to `output`, whose back-pressure pauses the job's pipe.
 */
export const processSpawner: Spawner = {
  spawn(request: SpawnRequest): SpawnedProcess {
    const log = new RunLog(request.logFile, request.logMax);
    const [file = '', ...args] = request.argv;
    const child = spawn(file, args, {
      cwd: request.cwd,
      env: request.env,
      detached: true,
      stdio: [request.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(request.uid !== undefined ? { uid: request.uid } : {}),
      ...(request.gid !== undefined ? { gid: request.gid } : {}),
    });
    const pid = child.pid ?? null;
    const signalGroup = (signal: 'SIGTERM' | 'SIGKILL'): void => {
      if (pid === null) return;
      try {
        process.kill(-pid, signal);
      } catch {
        // ESRCH: the group is already gone.
      }
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
      let straggler: NodeJS.Timeout | undefined;
      let settled = false;
      const settle = (): void => {
        if (info === undefined || settled) return;
        settled = true;
        clearTimeout(straggler);
        const { error: logError } = log.close();
        request.output?.end();
        resolve(logError === undefined ? info : { ...info, logError });
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
        // The leader is gone; anything it left in its group (a `cmd &`) would outlive the run
        // and hold our pipes open. TERM the group now and KILL it after the grace.
        signalGroup('SIGTERM');
        straggler = setTimeout(() => {
          signalGroup('SIGKILL');
        }, request.killGraceMs);
      });
      child.on('close', settle);
    });
    return { pid, exited, signalGroup };
  },
};
