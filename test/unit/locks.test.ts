// The real file locks on a temp dir (takeover of a holder provably gone, verify, the release
// guard), process liveness (zombies), and the run key's ledger check made once the key is held.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { Scheduler } from '../../src/daemon/scheduler.js';
import { runJob } from '../../src/engine/run-job.js';
import type { Lease, LockOwner } from '../../src/engine/ports.js';
import { fileLocks } from '../../src/io/file-locks.js';
import { processAlive, processStartTime } from '../../src/io/proc.js';
import type { Job } from '../../src/jobfile/types.js';
import { jobfileFrom, testEngine } from '../helpers/engine.js';
import { FakeSpawner } from '../helpers/fake-spawner.js';
import { settle } from '../helpers/manual-clock.js';
import { tempDirs } from '../helpers/temp-dir.js';

const tempDir = tempDirs('tock-locks');
const leases: Lease[] = [];
afterEach(async () => {
  for (const lease of leases.splice(0)) await lease.release();
});

function owner(run: string, pid = process.pid): LockOwner {
  return { pid, host: hostname(), run_id: run, job: 'work' };
}

async function take(dir: string, run: string, pid?: number): Promise<Lease | null> {
  const lease = await fileLocks(dir).tryAcquire('job.work', owner(run, pid));
  if (lease !== null) leases.push(lease);
  return lease;
}

function ownerFile(dir: string): string {
  return path.join(dir, 'job.work.owner.json');
}

function rewriteOwner(dir: string, change: (o: LockOwner) => LockOwner): void {
  writeFileSync(ownerFile(dir), JSON.stringify(change(JSON.parse(readFileSync(ownerFile(dir), 'utf8')) as LockOwner)));
}

/** A pid that existed and is gone (reaped). */
function deadPid(): number {
  const pid = spawnSync('true').pid;
  if (processAlive(pid, undefined)) throw new Error('no dead pid to test with');
  return pid;
}

describe('file locks: who may take a held lock', () => {
  it('refuses while the holder is alive on this host', async () => {
    const dir = tempDir();
    expect(await take(dir, 'a')).not.toBeNull();
    expect(await take(dir, 'b')).toBeNull();
  });

  it('takes a lock over at once from a holder whose pid is dead, and says from whom', async () => {
    const dir = tempDir();
    const pid = deadPid();
    const first = await take(dir, 'a', pid);
    const second = await take(dir, 'b');
    expect(second?.tookOverFrom).toMatchObject({ run_id: 'a', pid });
    expect(first?.verify()).toBe(false);
    expect(first?.lost.aborted).toBe(true);
    expect(second?.verify()).toBe(true);
  });

  it('takes it over from a holder whose pid now belongs to another process (reused)', async () => {
    const dir = tempDir();
    await take(dir, 'a');
    // The pid of a live process (the test's parent), with a start time that is not its own.
    rewriteOwner(dir, (o) => ({ ...o, pid: process.ppid, pid_start: `${String(processStartTime(process.ppid))}0` }));
    expect((await take(dir, 'b'))?.tookOverFrom?.run_id).toBe('a');
  });

  it('waits for staleness when the holder is on another host, or its record is not for this lock directory', async () => {
    const dir = tempDir();
    await take(dir, 'a', deadPid());
    rewriteOwner(dir, (o) => ({ ...o, host: 'elsewhere' }));
    expect(await take(dir, 'b')).toBeNull();
    // A holder that died between mkdir and writing its record left its predecessor's.
    rewriteOwner(dir, (o) => ({ ...o, host: hostname(), lock_id: '1:1' }));
    expect(await take(dir, 'c')).toBeNull();
  });

  it('a lease that lost its lock never removes the new holder\'s lock when released', async () => {
    const dir = tempDir();
    const first = await take(dir, 'a', deadPid());
    const second = await take(dir, 'b');
    await first?.release();
    expect(existsSync(path.join(dir, 'job.work.lock'))).toBe(true);
    expect(JSON.parse(readFileSync(ownerFile(dir), 'utf8'))).toMatchObject({ run_id: 'b' });
    expect(await take(dir, 'c')).toBeNull();
    await second?.release();
    expect(await take(dir, 'd')).not.toBeNull();
  });
});

describe('process liveness', () => {
  it('a zombie is dead', async () => {
    // `sleep 5` replaces the shell and never reaps the backgrounded `sleep`, which ends a zombie.
    const parent = spawn('/bin/sh', ['-c', '/bin/sleep 0.2 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (d: Buffer) => { resolve(Number(d.toString().trim())); }));
      const state = (): string | undefined => {
        try {
          const text = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
          return text.slice(text.lastIndexOf(')') + 2).split(' ')[0];
        } catch {
          return undefined;
        }
      };
      for (let i = 0; i < 100 && state() !== 'Z'; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(state()).toBe('Z');
      expect(processAlive(pid, undefined)).toBe(false);
      expect(processAlive(parent.pid ?? 0, undefined)).toBe(true);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

describe('the run key: a ledger check made once the key is held', () => {
  const T0 = Date.parse('2026-11-21T02:15:00Z');
  const job = jobfileFrom(`
    version: 1
    jobs:
      work: { schedule: "15 2 * * *", command: "true", concurrency: allow }
  `).jobs.get('work') as Job;
  const inFlight = { run_id: 'old-1', job: 'work', logical_time: '2026-11-21T02:15:00.000Z', trigger: 'schedule' as const, started_at: '2026-11-21T02:15:00.000Z', log: 'l', host: 'testhost', pid: 99, job_hash: 'j', jobfile_hash: 'f' };

  it.each([
    ['alive: the run is skipped', true, 'skipped'],
    ['provably gone: the run goes', false, 'success'],
  ])('a run of the key in flight by a tock %s', async (_what, alive, outcome) => {
    const engine = testEngine({ spawner: new FakeSpawner(() => 0), host: { isAlive: () => alive } });
    // A holder that stalled past the key lock's staleness: its lock is gone, its run in flight.
    engine.ledger.append({ v: 1, type: 'run-started', at: inFlight.started_at, job: 'work', run: inFlight });
    const run = await runJob(engine.deps, { job, logicalMs: T0, trigger: 'schedule', jobfilePath: '/jobs/tock.yaml', jobfileHash: 'h', dedupe: true });
    expect(run.outcome).toBe(outcome);
    expect(engine.spawner.spawned).toHaveLength(outcome === 'success' ? 1 : 0);
    if (outcome === 'skipped') expect(run).toMatchObject({ reason: 'overlap', message: expect.stringContaining('run old-1, pid 99') as unknown });
  });
});

describe('the daemon lock, looked at on every wake', () => {
  it('once it is lost, the scheduler dispatches nothing more, records nothing (not even missed) and returns', async () => {
    const engine = testEngine({ start: '2026-11-21T02:15:00.500Z', spawner: new FakeSpawner(() => 0) });
    const jobfile = jobfileFrom(`
      version: 1
      jobs:
        tick: { schedule: "* * * * * *", command: tick }
    `);
    let marks: Record<string, number> = {};
    const lost = new AbortController();
    let ours = true;
    const lock = { lost: lost.signal, verify: () => ours };
    const scheduler = new Scheduler(engine.deps, jobfile, { load: () => ({ ...marks }), save: (m) => { marks = { ...m }; } }, () => undefined, lock);
    const done = scheduler.run();
    await engine.clock.advance(2_000);
    const before = engine.spawner.spawned.length;
    expect(before).toBeGreaterThan(0);
    // A stall: the clock jumps 20 s while another daemon takes the lock; then the wake.
    ours = false;
    const events = engine.ledger.events.length;
    await engine.clock.advance(20_000);
    await settle();
    await done;
    expect(engine.spawner.spawned).toHaveLength(before);
    expect(engine.ledger.events).toHaveLength(events);
  });
});
