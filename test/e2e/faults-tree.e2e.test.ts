// Issue 11, "The whole tree, every time": a run ends with its main process plus kill_grace for
// the pipes; every process a job started is dead when its run ends (by cgroup where tock has
// one, by process group and the TOCK_RUN_ID scan elsewhere); a kill -9 of tock leaves nothing
// running once the next tock records the run interrupted.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmdirSync, existsSync } from 'node:fs';
import path from 'node:path';

import { afterAll, afterEach, describe, expect, it } from 'vitest';

import { BIN, Rig, waitFor } from '../helpers/rig.js';

const rigs: Rig[] = [];
afterEach(() => {
  for (const r of rigs.splice(0)) r.cleanup();
});

function rig(yaml: string): Rig {
  const r = new Rig(yaml);
  rigs.push(r);
  return r;
}

/**
 * Live (not zombie) processes whose command line contains `marker` (and, given `program`, whose
 * argv[0] is it); PID 1 here may not reap.
 */
function liveWith(marker: string, program?: string): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => {
    try {
      const argv = readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8').split('\0');
      if (!argv.join(' ').includes(marker) || pid === process.pid || (program !== undefined && argv[0] !== program)) return false;
      const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      return state !== 'Z' && state !== 'X';
    } catch {
      return false;
    }
  });
}

function kill(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** A cgroup v2 directory the test may make children in, or why there is none. */
function testCgroup(): { dir?: string; why?: string } {
  const mount = readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((l) => l.split(' - '))
    .find(([, right]) => right?.split(' ')[0] === 'cgroup2')?.[0]?.split(' ')[4];
  if (mount === undefined) return { why: 'no cgroup2 mount in /proc/self/mountinfo' };
  const dir = path.join(mount, `tock-e2e-${String(process.pid)}`);
  try {
    mkdirSync(dir);
    return { dir };
  } catch (error) {
    return { why: `cgroup v2 at ${mount} is not writable here (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
  }
}
const cgroup = testCgroup();
/** cgroupfs directories are removed with rmdir, deepest first (their files go with them). */
function removeCgroupTree(dir: string): void {
  for (const child of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory())) removeCgroupTree(path.join(dir, child.name));
  rmdirSync(dir);
}
afterAll(() => {
  if (cgroup.dir !== undefined) removeCgroupTree(cgroup.dir);
});

// The five ways out of a process group that survived a timeout before issue 11, each marked by
// a number of its own in its command line so the test can find it in /proc.
function escapes(tag: string): { command: string; markers: string[] } {
  const m = [1, 2, 3, 4, 5].map((i) => `4${tag}.${String(i)}`);
  const command = [
    `setsid sleep ${m[0] ?? ''} &`,
    `setsid sh -c 'trap "" TERM; sleep ${m[1] ?? ''}' &`,
    `perl -e 'setpgrp(0,0); sleep ${m[2] ?? ''}' &`,
    `(setsid sleep ${m[3] ?? ''} &)`,
    `perl -MPOSIX -e 'fork and exit; POSIX::setsid(); fork and exit; sleep ${m[4] ?? ''}'`,
  ].join('\n');
  return { command, markers: m };
}

function jobfile(command: string, extra: string): string {
  const indented = command.split('\n').map((l) => `        ${l}`).join('\n');
  return `version: 1\njobs:\n  tree:\n    schedule: "@daily"\n    kill_grace: 1s\n${extra}    command: |\n${indented}\n`;
}

describe('the run ends with its main process, whatever holds its pipes', () => {
  it('a timed-out job whose escaped child holds stdout is recorded within timeout + kill_grace', async () => {
    // `env -u TOCK_RUN_ID` hides the child from the escape scan too: only the pipe rule ends this run.
    const r = rig(jobfile('env -u TOCK_RUN_ID setsid sleep 25.01 &\necho started\nsleep 30', '    timeout: 2s\n'));
    try {
      const started = Date.now();
      const result = await r.run(['run', 'tree', '--json'], { env: { TOCK_CGROUP: '' } });
      const elapsed = Date.now() - started;
      expect(result.code, result.stderr).toBe(1);
      const [run] = r.runs('tree');
      expect(run?.outcome).toBe('timeout');
      // Before: 25.3 s (pipe EOF). Now: 2 s timeout + 1 s grace, with slack for a loaded machine.
      expect(elapsed).toBeLessThan(15_000);
      expect(Date.parse(run?.attempts[0]?.ended_at ?? '') - Date.parse(run?.attempts[0]?.started_at ?? '')).toBeLessThan(10_000);
      expect(readFileSync(run?.log ?? '', 'utf8')).toBe('started\n');
      // Not promised without a cgroup: a process that hid its TOCK_RUN_ID lives on (it is killed here by the test).
      expect(liveWith('25.01', 'sleep').length).toBe(1);
    } finally {
      kill(liveWith('25.01'));
    }
  }, 20_000);
});

describe('escaped processes without a cgroup: found by TOCK_RUN_ID and killed', () => {
  it.each([
    ['times out', '1', 'sleep 60', '    timeout: 2s\n', 'timeout'],
    ['exits', '2', 'echo done', '', 'success'],
  ])('all five escape techniques are dead once a run that %s is recorded, and status, why and history say so', async (_what, tag, main, extra, outcome) => {
    const { command, markers } = escapes(tag);
    const r = rig(jobfile(`${command}\n${main}`, extra));
    try {
      const result = await r.run(['run', 'tree'], { env: { TOCK_CGROUP: '' } });
      const [run] = r.runs('tree');
      expect(run?.outcome, result.stderr).toBe(outcome);
      for (const marker of markers) expect(liveWith(marker), `sleep ${marker}`).toEqual([]);
      const attempt = run?.attempts[0] as { escaped?: number; error?: string } | undefined;
      // Five techniques; the TERM-ignoring shell and its sleep are two processes.
      expect(attempt?.escaped).toBeGreaterThanOrEqual(5);
      expect(attempt?.error).toMatch(/\d+ processes escaped the process group and were killed/);
      expect((await r.run(['history', 'tree'])).stdout).toContain('escaped the process group and were killed');
      if (outcome !== 'success') expect((await r.run(['why', 'tree'])).stdout).toContain('escaped the process group and were killed');
      expect((await r.run(['status', 'tree'])).stdout).toMatch(/escaped/);
    } finally {
      for (const marker of markers) kill(liveWith(marker));
    }
  }, 30_000);
});

describe.skipIf(cgroup.dir === undefined)(`each attempt in a cgroup of its own (TOCK_CGROUP) ${cgroup.why ?? ''}`, () => {
  it('a timeout kills all five escape techniques through the cgroup, which is removed after', async () => {
    const { command, markers } = escapes('3');
    // A sixth that clears TOCK_RUN_ID: only the cgroup can find it.
    markers.push('43.6');
    const r = rig(jobfile(`${command}\nenv -u TOCK_RUN_ID setsid sleep 43.6 &\nsleep 60`, '    timeout: 2s\n'));
    try {
      const result = await r.run(['run', 'tree'], { env: { TOCK_CGROUP: cgroup.dir ?? '' } });
      const [run] = r.runs('tree');
      expect(run?.outcome, result.stderr).toBe('timeout');
      for (const marker of markers) expect(liveWith(marker), `sleep ${marker}`).toEqual([]);
      const started = r.ledger('tree').find((e) => e.type === 'attempt-started') as { cgroup?: string } | undefined;
      expect(path.dirname(started?.cgroup ?? '')).toBe(cgroup.dir);
      expect(existsSync(started?.cgroup ?? '')).toBe(false);
      // Inside the cgroup nothing escaped: the cgroup holds every process the job started.
      expect((run?.attempts[0] as { escaped?: number } | undefined)?.escaped).toBeUndefined();
    } finally {
      for (const marker of markers) kill(liveWith(marker));
    }
  }, 30_000);
});

describe.skipIf(cgroup.dir === undefined)(`tock living in the cgroup it is given ${cgroup.why ?? ''}`, () => {
  it('moves itself into the leaf tock-main first (cgroup v2: no processes beside children), then gives the attempt its own', () => {
    const own = path.join(cgroup.dir ?? '', 'own');
    mkdirSync(own);
    const r = rig(jobfile('grep "^0::" /proc/self/cgroup', ''));
    // As systemd starts a unit with Delegate=yes: tock's first process is already in the directory.
    const result = spawnSync('/bin/sh', ['-c', `echo $$ > ${own}/cgroup.procs && exec "$@"`, 'sh', process.execPath, BIN, 'run', 'tree', '-f', r.jobfile, '--state-dir', r.stateDir, '--cgroup', own],
      { env: r.env({ TOCK_CGROUP: '' }), encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const [run] = r.runs('tree');
    const mount = path.dirname(cgroup.dir ?? '');
    expect(readFileSync(run?.log ?? '', 'utf8').trim()).toBe(`0::/${path.relative(mount, own)}/tock-${run?.run_id ?? ''}-1`);
    expect(readdirSync(own, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)).toEqual(['tock-main']);
    rmdirSync(path.join(own, 'tock-main'));
    rmdirSync(own);
  }, 20_000);
});

describe('after a kill -9 of tock, the next tock stops what an allow run left', () => {
  const cases = [['process group and TOCK_RUN_ID', '', '4'], ...(cgroup.dir !== undefined ? [['cgroup', cgroup.dir, '5']] : [])];
  it.each(cases)('by %s: `tock status` records interrupted and the orphans are gone', async (_by, dir, tag) => {
    const markers = [`4${tag}.1`, `4${tag}.2`];
    // By cgroup, the escaped one also hides its TOCK_RUN_ID: only the cgroup recorded in the ledger finds it.
    const hide = dir !== '' ? 'env -u TOCK_RUN_ID ' : '';
    const r = rig(jobfile(`${hide}setsid sleep ${markers[0] ?? ''} &\nsleep ${markers[1] ?? ''}`, '    concurrency: allow\n'));
    try {
      const tock = r.start(['run', 'tree'], { env: { TOCK_CGROUP: dir } });
      await waitFor(() => (markers.every((m) => liveWith(m, 'sleep').length === 1) ? true : undefined), 10_000, 'the job to start');
      tock.child.kill('SIGKILL');
      await tock.done;
      for (const marker of markers) expect(liveWith(marker, 'sleep'), `sleep ${marker} outlives tock`).toHaveLength(1);

      const status = await r.run(['status'], { env: { TOCK_CGROUP: '' } });
      expect(status.code, status.stderr).toBe(0);
      const [run] = r.runs('tree');
      expect(run?.outcome).toBe('interrupted');
      expect(run?.message).toMatch(/[2-9] processes it left running were stopped/);
      for (const marker of markers) expect(liveWith(marker), `sleep ${marker}`).toEqual([]);
      const started = r.ledger('tree').find((e) => e.type === 'attempt-started') as { cgroup?: string } | undefined;
      if (dir !== '') expect(existsSync(started?.cgroup ?? dir)).toBe(false);
      else expect(started?.cgroup).toBeUndefined();
    } finally {
      for (const marker of markers) kill(liveWith(marker));
    }
  }, 30_000);
});
