import { spawn } from 'node:child_process';

import { describe, expect, it } from 'vitest';

import { cgroup2Mounts, isRunCgroup } from '../../src/io/cgroup.js';
import { markedProcesses } from '../../src/io/escape-scan.js';
import { groupAlive } from '../../src/io/proc.js';
import { ProcessTree } from '../../src/io/process-tree.js';
import { reconcileInterrupted } from '../../src/ledger/reconcile.js';
import type { LeftoverTree } from '../../src/ledger/reconcile.js';
import type { RunStart } from '../../src/ledger/records.js';
import { MemoryLedger } from '../helpers/memory-ledger.js';

const START: RunStart = {
  run_id: 'r1', job: 'etl', logical_time: '2026-11-01T00:00:00.000Z', trigger: 'schedule', started_at: '2026-11-01T00:00:00.000Z',
  log: '/logs/r1.log', host: 'h1', pid: 10, job_hash: 'j', jobfile_hash: 'f',
};

describe('reconcileInterrupted: what a dead tock left running', () => {
  it('hands the last attempt\'s group, start time and cgroup to the probe, and says how many it stopped', () => {
    const s = new MemoryLedger();
    s.append({ v: 1, type: 'run-started', at: START.started_at, job: 'etl', run: START });
    s.append({ v: 1, type: 'attempt-started', at: START.started_at, job: 'etl', run_id: 'r1', n: 1, pid: 500, pid_start: '77' });
    s.append({ v: 1, type: 'attempt-finished', at: START.started_at, job: 'etl', run_id: 'r1', attempt: { n: 1, started_at: START.started_at, ended_at: START.started_at, exit_code: 1, signal: null, outcome: 'failed' } });
    s.append({ v: 1, type: 'attempt-started', at: START.started_at, job: 'etl', run_id: 'r1', n: 2, pid: 600, pid_start: '88', cgroup: '/sys/fs/cgroup/x/tock-r1-2' });
    const asked: LeftoverTree[] = [];
    const probe = { hostname: 'h1', isAlive: () => false, stopLeftovers: (tree: LeftoverTree) => { asked.push(tree); return 3; } };
    const [run] = reconcileInterrupted(s, ['etl'], probe, '2026-11-01T00:05:00.000Z');
    expect(asked).toEqual([{ run_id: 'r1', pgid: 600, pgid_start: '88', cgroup: '/sys/fs/cgroup/x/tock-r1-2' }]);
    expect(run?.outcome).toBe('interrupted');
    expect(run?.message).toMatch(/; 3 processes it left running were stopped$/);
  });

  it('asks by run id alone when no attempt had started, and says nothing when nothing was left', () => {
    const s = new MemoryLedger();
    s.append({ v: 1, type: 'run-started', at: START.started_at, job: 'etl', run: START });
    const asked: LeftoverTree[] = [];
    const [run] = reconcileInterrupted(s, ['etl'], { hostname: 'h1', isAlive: () => false, stopLeftovers: (t) => { asked.push(t); return 0; } }, '2026-11-01T00:05:00.000Z');
    expect(asked).toEqual([{ run_id: 'r1' }]);
    expect(run?.message).not.toMatch(/stopped$/);
  });
});

describe('the escape scan', () => {
  it('finds a process by the TOCK_RUN_ID it was started with, in another session, and not others', async () => {
    const mark = `unit-${String(process.pid)}-${String(Date.now())}`;
    const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore', env: { ...process.env, TOCK_RUN_ID: mark } });
    const other = spawn('sleep', ['30'], { detached: true, stdio: 'ignore', env: { ...process.env, TOCK_RUN_ID: `${mark}-other` } });
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(markedProcesses(mark).map((p) => p.pid)).toEqual([child.pid]);
    } finally {
      child.kill('SIGKILL');
      other.kill('SIGKILL');
    }
  });
});

describe('groupAlive', () => {
  it('is true while a member of the group lives, false once none does (no /proc scan needed then)', async () => {
    const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    const pgid = child.pid ?? 0;
    const exited = new Promise((resolve) => child.on('exit', resolve));
    expect(groupAlive(pgid)).toBe(true);
    child.kill('SIGKILL');
    await exited;
    expect(groupAlive(pgid)).toBe(false);
  });
});

describe('ProcessTree.terminateLeft', () => {
  it('TERMs an escaped process found by its mark and says something was left; nothing, once it is gone', async () => {
    const mark = `unit-left-${String(process.pid)}-${String(Date.now())}`;
    const escaped = spawn('sleep', ['30'], { detached: true, stdio: 'ignore', env: { ...process.env, TOCK_RUN_ID: mark } });
    const died = new Promise<NodeJS.Signals | null>((resolve) => escaped.on('exit', (_code, signal) => { resolve(signal); }));
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      // The attempt's own group (a pid no process has) is empty; the mark finds the escapee.
      const tree = new ProcessTree(2 ** 22 + 7, undefined, mark);
      expect(tree.terminateLeft()).toBe(true);
      expect(await died).toBe('SIGTERM');
      expect(tree.escaped).toBe(1);
      expect(tree.terminateLeft()).toBe(false);
    } finally {
      escaped.kill('SIGKILL');
    }
  });
});

describe('cgroups tock may remove', () => {
  it('are tock- directories below a cgroup2 mount, never tock-main and never elsewhere', () => {
    const [mount] = cgroup2Mounts();
    expect(isRunCgroup('/tmp/tock-r1-1')).toBe(false);
    if (mount === undefined) return;
    expect(isRunCgroup(`${mount}/svc/tock-r1-1`)).toBe(true);
    expect(isRunCgroup(`${mount}/svc/tock-main`)).toBe(false);
    expect(isRunCgroup(`${mount}/svc/other`)).toBe(false);
  });
});
