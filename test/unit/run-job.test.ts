import { describe, expect, it } from 'vitest';

import { runJob } from '../../src/engine/run-job.js';
import type { Job } from '../../src/jobfile/types.js';
import type { RunRecord } from '../../src/ledger/records.js';
import { FakeSpawner } from '../helpers/fake-spawner.js';
import { jobfileFrom, MemoryLocks, testEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';
import { settle } from '../helpers/manual-clock.js';

const T0 = Date.parse('2026-11-21T02:15:00Z');

function job(fields: string): Job {
  const jf = jobfileFrom(`
    version: 1
    jobs:
      work:
        schedule: "15 2 * * *"
        command: "do-work {{ ds }}"
        ${fields.trim().split('\n').join('\n        ')}
  `);
  return jf.jobs.get('work') as Job;
}

function start(engine: TestEngine, j: Job, trigger: 'manual' | 'schedule' = 'manual'): Promise<RunRecord> {
  return runJob(engine.deps, { job: j, logicalMs: T0, trigger, jobfilePath: '/jobs/tock.yaml', jobfileHash: 'h' });
}

describe('runJob attempts and retries', () => {
  it('retries a failing job with backoff until it succeeds', async () => {
    const engine = testEngine({ spawner: new FakeSpawner((_r, i) => (i < 2 ? 1 : 0)) });
    const done = start(engine, job('retries: 3\nretry_delay: 10s\nretry_backoff: 2'));
    await engine.clock.advance(9_999);
    expect(engine.spawner.spawned).toHaveLength(1);
    await engine.clock.advance(1);
    expect(engine.spawner.spawned).toHaveLength(2);
    await engine.clock.advance(20_000);
    const run = await done;
    expect(run.outcome).toBe('success');
    expect(run.attempts.map((a) => [a.n, a.outcome, a.exit_code, a.started_at])).toEqual([
      [1, 'failed', 1, '2026-11-21T02:15:00.000Z'],
      [2, 'failed', 1, '2026-11-21T02:15:10.000Z'],
      [3, 'success', 0, '2026-11-21T02:15:30.000Z'],
    ]);
  });

  it('stops retrying after retries are used up and keeps the last exit code', async () => {
    const engine = testEngine({ spawner: new FakeSpawner(() => 3) });
    const done = start(engine, job('retries: 1\nretry_delay: 1s'));
    await engine.clock.advance(5_000);
    const run = await done;
    expect(run.outcome).toBe('failed');
    expect(run.exit_code).toBe(3);
    expect(run.attempts).toHaveLength(2);
  });

  it('renders templates and sets the TOCK_* variables for each attempt', async () => {
    const engine = testEngine({ spawner: new FakeSpawner(() => 0) });
    await start(engine, job('timezone: Asia/Tokyo\nenv: { OUT: "/data/{{ ds_nodash }}" }'));
    const request = engine.spawner.spawned[0]?.request;
    expect(request?.argv).toEqual(['/bin/sh', '-c', 'do-work 2026-11-21']);
    expect(request?.env).toMatchObject({
      OUT: '/data/20261121', TOCK_JOB: 'work', TOCK_RUN_ID: 'work-1', TOCK_ATTEMPT: '1',
      TOCK_LOGICAL_TIME: '2026-11-21T11:15:00+09:00', TOCK_DS: '2026-11-21', TOCK_TRIGGER: 'manual', TOCK_JOBFILE: '/jobs/tock.yaml',
    });
  });

  it('records the run in flight before the first attempt spawns', async () => {
    const engine = testEngine({ spawner: new FakeSpawner(() => 0) });
    await start(engine, job(''));
    expect(engine.ledger.types('work')).toEqual(['run-started', 'attempt-started', 'attempt-finished', 'run-finished']);
  });
});

describe('runJob timeouts, deadlines and stops', () => {
  it('sends TERM to the group at the timeout and records a timeout', async () => {
    const engine = testEngine();
    const done = start(engine, job('timeout: 30s'));
    await engine.clock.advance(29_999);
    expect(engine.spawner.spawned[0]?.signals).toEqual([]);
    await engine.clock.advance(1);
    const run = await done;
    expect(engine.spawner.spawned[0]?.signals).toEqual(['SIGTERM']);
    expect(run.outcome).toBe('timeout');
    expect(run.attempts[0]?.error).toMatch(/timed out after 30s; stopped with SIGTERM$/);
  });

  it('sends KILL after kill_grace when TERM is ignored', async () => {
    const engine = testEngine({ spawner: new FakeSpawner(() => 'ignore-term') });
    const done = start(engine, job('timeout: 5s\nkill_grace: 3s'));
    await engine.clock.advance(7_999);
    expect(engine.spawner.spawned[0]?.signals).toEqual(['SIGTERM']);
    await engine.clock.advance(1);
    const run = await done;
    expect(engine.spawner.spawned[0]?.signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(run).toMatchObject({ outcome: 'timeout', signal: 'SIGKILL' });
    expect(run.duration_ms).toBe(8_000);
  });

  it('ends the whole run at its deadline, retries included', async () => {
    const engine = testEngine({ spawner: new FakeSpawner((_r, i) => (i === 0 ? 1 : 'hang')) });
    const done = start(engine, job('retries: 5\nretry_delay: 10s\ndeadline: 25s'));
    await engine.clock.advance(30_000);
    const run = await done;
    expect(run.outcome).toBe('deadline');
    expect(run.attempts.map((a) => a.outcome)).toEqual(['failed', 'deadline']);
    expect(run.ended_at).toBe('2026-11-21T02:15:25.000Z');
  });

  it('counts a scheduled run\'s deadline from its logical time', async () => {
    const engine = testEngine({ start: '2026-11-21T02:15:20Z' });
    const done = start(engine, job('deadline: 25s'), 'schedule');
    await engine.clock.advance(5_000);
    expect((await done).outcome).toBe('deadline');
  });

  it('on shutdown TERMs the running attempt and records killed without retrying', async () => {
    const engine = testEngine();
    const done = start(engine, job('retries: 3'));
    await engine.clock.advance(1_000);
    engine.stop.abort('shutdown');
    const run = await done;
    expect(run).toMatchObject({ outcome: 'killed', reason: 'shutdown' });
    expect(engine.spawner.spawned).toHaveLength(1);
  });

  it('a second stop skips the grace and KILLs at once', async () => {
    const engine = testEngine({ spawner: new FakeSpawner(() => 'ignore-term') });
    const done = start(engine, job('kill_grace: 60s'));
    await engine.clock.advance(1_000);
    engine.stop.abort('shutdown');
    await settle();
    engine.hardStop.abort('shutdown');
    const run = await done;
    expect(engine.spawner.spawned[0]?.signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(run.duration_ms).toBe(1_000);
  });
});

describe('runJob concurrency', () => {
  it('forbid: a second run while one holds the lock is skipped for overlap and spawns nothing', async () => {
    const locks = new MemoryLocks();
    const first = testEngine({ locks });
    const second = testEngine({ locks });
    const running = start(first, job(''));
    await settle();
    const refused = await start(second, job(''));
    expect(refused).toMatchObject({ outcome: 'skipped', reason: 'overlap', attempts: [] });
    expect(second.spawner.spawned).toHaveLength(0);
    first.spawner.spawned[0]?.exit(0);
    expect((await running).outcome).toBe('success');
  });

  it('queue: the second run waits for the lock and then runs', async () => {
    const locks = new MemoryLocks();
    const first = testEngine({ locks });
    const second = testEngine({ locks });
    const a = start(first, job('concurrency: queue'));
    await settle();
    const b = start(second, job('concurrency: queue'));
    await second.clock.advance(5_000);
    expect(second.spawner.spawned).toHaveLength(0);
    expect(second.events.map((e) => e.type)).toContain('lock-waiting');
    first.spawner.spawned[0]?.exit(0);
    await a;
    await second.clock.advance(500);
    expect(second.spawner.spawned).toHaveLength(1);
    second.spawner.spawned[0]?.exit(0);
    expect((await b).outcome).toBe('success');
  });

  it('replace: the holder is stopped and recorded killed, the new run takes the lock', async () => {
    const locks = new MemoryLocks();
    const first = testEngine({ locks });
    const second = testEngine({ locks });
    const a = start(first, job('concurrency: replace'));
    await settle();
    const b = start(second, job('concurrency: replace'));
    await settle();
    expect(await a).toMatchObject({ outcome: 'killed', reason: 'replaced' });
    await second.clock.advance(500);
    second.spawner.spawned[0]?.exit(0);
    expect((await b).outcome).toBe('success');
  });

  it('records the run of a holder that died interrupted when its lock is taken over', async () => {
    const engine = testEngine({ spawner: new FakeSpawner(() => 0) });
    const dead = { run_id: 'old-1', job: 'work', logical_time: 't', trigger: 'schedule' as const, started_at: '2026-11-21T02:00:00.000Z', log: 'l', host: 'h', pid: 99, job_hash: 'j', jobfile_hash: 'f' };
    engine.ledger.append({ v: 1, type: 'run-started', at: dead.started_at, job: 'work', run: dead });
    const take = engine.locks.tryAcquire.bind(engine.locks);
    engine.locks.tryAcquire = async (name, owner) => {
      const lease = await take(name, owner);
      return lease && { ...lease, tookOverFrom: { pid: 99, host: 'h', run_id: 'old-1', job: 'work' } };
    };
    const run = await start(engine, job(''));
    expect(run.outcome).toBe('success');
    const finished = engine.ledger.events.flatMap((e) => (e.type === 'run-finished' ? [[e.run.run_id, e.run.outcome]] : []));
    expect(finished).toEqual([['old-1', 'interrupted'], [run.run_id, 'success']]);
    expect(engine.events.find((e) => e.type === 'lock-taken-over')).toMatchObject({ lock: 'job.work', interrupted: true });
  });

  it('takes resource locks in sorted order and releases them all', async () => {
    const engine = testEngine({ spawner: new FakeSpawner(() => 0) });
    const order: string[] = [];
    const take = engine.locks.tryAcquire.bind(engine.locks);
    engine.locks.tryAcquire = (name, owner) => {
      order.push(name);
      return take(name, owner);
    };
    await start(engine, job('locks: [zeta, alpha, mid]'));
    expect(order).toEqual(['job.work', 'res.alpha', 'res.mid', 'res.zeta']);
    expect(engine.locks.held.size).toBe(0);
  });
});

describe('runJob setup, wait_for and hooks', () => {
  it('fails with a clear reason and no attempt when user needs root', async () => {
    const engine = testEngine();
    const run = await start(engine, job('user: nobody'));
    expect(run).toMatchObject({ outcome: 'failed', reason: 'setup-failed', attempts: [] });
    expect(run.message).toMatch(/needs tock to run as root/);
    expect(engine.spawner.spawned).toHaveLength(0);
  });

  it('fails with "workdir ... does not exist" and no attempt when the workdir is missing', async () => {
    const engine = testEngine({ host: { pathExists: (p) => p !== '/jobs/gone' } });
    const run = await start(engine, job('workdir: gone'));
    expect(run).toMatchObject({ outcome: 'failed', reason: 'setup-failed', message: 'workdir /jobs/gone does not exist', attempts: [] });
    expect(engine.spawner.spawned).toHaveLength(0);
    expect(engine.locks.held.size).toBe(0);
  });

  it('wait_for polls until the path exists, then runs', async () => {
    let ready = false;
    const engine = testEngine({ spawner: new FakeSpawner(() => 0), host: { pathExists: (p) => p === '/jobs' || ready } });
    const done = start(engine, job('wait_for: { path: "in/{{ ds }}.csv", timeout: 1m, poll: 5s }'));
    await engine.clock.advance(20_000);
    expect(engine.spawner.spawned).toHaveLength(0);
    ready = true;
    await engine.clock.advance(5_000);
    expect((await done).outcome).toBe('success');
  });

  it('wait_for gives up after its timeout', async () => {
    const engine = testEngine({ host: { pathExists: (p) => p === '/jobs' } });
    const done = start(engine, job('wait_for: { path: in.csv, timeout: 30s, poll: 5s }'));
    await engine.clock.advance(31_000);
    expect(await done).toMatchObject({ outcome: 'failed', reason: 'wait-for-timeout' });
    expect(engine.spawner.spawned).toHaveLength(0);
  });

  it('runs on_failure with the outcome and record, and a failing hook does not change the outcome', async () => {
    const engine = testEngine({ spawner: new FakeSpawner((r) => (r.argv.includes('alert') ? 9 : 4)) });
    const run = await start(engine, job('on_failure: { command: alert, webhook: "http://127.0.0.1:9/x" }'));
    expect(run.outcome).toBe('failed');
    const hook = engine.spawner.of('alert')[0]?.request;
    expect(hook?.env).toMatchObject({ TOCK_OUTCOME: 'failed', TOCK_EXIT_CODE: '4', TOCK_LOG: run.log });
    expect(JSON.parse(hook?.stdin ?? '{}')).toMatchObject({ run_id: run.run_id, outcome: 'failed' });
    const results = engine.ledger.events.flatMap((e) => (e.type === 'hook-finished' ? [e.result] : []));
    expect(results).toEqual([
      { hook: 'on_failure', kind: 'command', ok: false, detail: 'exit 9' },
      { hook: 'on_failure', kind: 'webhook', ok: true, detail: 'HTTP 200' },
    ]);
  });

  it('fires on_sla once when a scheduled run has not succeeded by logical time + sla', async () => {
    const engine = testEngine({ spawner: new FakeSpawner((r) => (r.argv.includes('page-me') ? 0 : 'hang')) });
    const done = start(engine, job('sla: 10m\non_sla: { command: page-me }'), 'schedule');
    await engine.clock.advance(11 * 60_000);
    expect(engine.spawner.of('page-me')).toHaveLength(1);
    expect(engine.ledger.types('work')).toContain('sla-missed');
    engine.spawner.spawned[0]?.exit(0);
    await done;
    expect(engine.spawner.of('page-me')).toHaveLength(1);
  });
});
