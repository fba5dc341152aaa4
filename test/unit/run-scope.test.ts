import { describe, expect, it } from 'vitest';

import type { EngineEvent } from '../../src/engine/events.js';
import type { Lease, LockOwner, SpawnRequest, SpawnedProcess } from '../../src/engine/ports.js';
import { runJob } from '../../src/engine/run-job.js';
import type { Job } from '../../src/jobfile/types.js';
import type { LedgerEvent, RunRecord } from '../../src/ledger/records.js';
import { FakeSpawner } from '../helpers/fake-spawner.js';
import { jobfileFrom, MemoryLocks, testEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';

const T0 = Date.parse('2026-11-21T02:15:00Z');

function job(fields = ''): Job {
  const jf = jobfileFrom(`
    version: 1
    jobs:
      work:
        schedule: "15 2 * * *"
        command: do-work
        locks: [db]
        ${fields.trim().split('\n').join('\n        ')}
  `);
  return jf.jobs.get('work') as Job;
}

function start(engine: TestEngine, j: Job, extra: { dedupe?: boolean } = {}): Promise<RunRecord> {
  return runJob(engine.deps, { job: j, logicalMs: T0, trigger: 'schedule', jobfilePath: '/jobs/tock.yaml', jobfileHash: 'h', ...extra });
}

function finished(engine: TestEngine): RunRecord[] {
  return engine.ledger.events.flatMap((e) => (e.type === 'run-finished' ? [e.run] : []));
}

/** Locks that note, at each release, which ledger lines were already written. */
class WatchedLocks extends MemoryLocks {
  readonly releases: { name: string; ledgerTypes: string[] }[] = [];
  constructor(private readonly ledgerTypes: () => string[], private readonly failAttemptGroup = false) {
    super();
  }
  override async tryAcquire(name: string, owner: LockOwner): Promise<Lease | null> {
    const lease = await super.tryAcquire(name, owner);
    if (lease === null) return null;
    return {
      lost: lease.lost,
      verify: () => lease.verify(),
      setAttemptGroup: (pgid) => {
        if (this.failAttemptGroup && pgid !== undefined) throw new Error('lock file vanished');
      },
      release: async () => {
        this.releases.push({ name, ledgerTypes: this.ledgerTypes() });
        await lease.release();
      },
    };
  }
}

function watchedEngine(options: { spawner?: FakeSpawner; failAttemptGroup?: boolean } = {}): TestEngine & { watched: WatchedLocks } {
  const holder: { engine?: TestEngine } = {};
  const watched = new WatchedLocks(() => holder.engine?.ledger.events.map((e) => e.type) ?? [], options.failAttemptGroup);
  const engine = testEngine({ locks: watched, start: '2026-11-21T02:15:00Z', ...(options.spawner !== undefined ? { spawner: options.spawner } : {}) });
  holder.engine = engine;
  return { ...engine, watched };
}

describe('run scope: a bug ends the run failed, never in flight', () => {
  it('a spawner that throws: the run is failed (internal-error) and every lease is released', async () => {
    const spawner = new FakeSpawner();
    spawner.spawn = (): SpawnedProcess => { throw new Error('spawn exploded'); };
    const engine = testEngine({ spawner });
    const run = await start(engine, job(), { dedupe: true });
    expect(run).toMatchObject({ outcome: 'failed', reason: 'internal-error', attempts: [] });
    expect(run.message).toBe('internal error in tock: spawn exploded');
    expect(finished(engine)).toEqual([run]);
    expect(engine.ledger.types('work')).toEqual(['run-started', 'run-finished']);
    expect([...engine.locks.held.keys()]).toEqual([]);
  });

  it('a host that throws while the run waits on the manual clock: failed, recorded, released', async () => {
    let calls = 0;
    const engine = testEngine({
      host: {
        pathExists: (p) => {
          if (p === '/jobs') return true;
          if (++calls > 2) throw new Error('EIO: i/o error, stat');
          return false;
        },
      },
    });
    const done = start(engine, job('wait_for: { path: in.csv, timeout: 1h, poll: 5s }'));
    await engine.clock.advance(4_000);
    expect(engine.locks.held.size).toBe(2);
    await engine.clock.advance(10_000);
    const run = await done;
    expect(run).toMatchObject({ outcome: 'failed', reason: 'internal-error', message: 'internal error in tock: EIO: i/o error, stat' });
    expect(finished(engine).map((r) => r.reason)).toEqual(['internal-error']);
    expect(engine.locks.held.size).toBe(0);
  });

  it('a bug while an attempt runs kills its process group, then records, then releases', async () => {
    const engine = watchedEngine({ failAttemptGroup: true });
    const run = await start(engine, job());
    expect(run).toMatchObject({ outcome: 'failed', reason: 'internal-error', message: 'internal error in tock: lock file vanished' });
    expect(engine.spawner.spawned[0]?.signals).toEqual(['SIGKILL']);
    expect(engine.watched.releases.map((r) => r.name)).toEqual(['res.db', 'job.work']);
    for (const release of engine.watched.releases) expect(release.ledgerTypes.at(-1)).toBe('run-finished');
    expect(engine.locks.held.size).toBe(0);
  });
});

describe('run scope: record, release, then hooks', () => {
  it('writes the final record while the run key and locks are held, and runs hooks once they are released', async () => {
    const hookSawLocks: number[] = [];
    const holder: { engine?: TestEngine & { watched: WatchedLocks } } = {};
    const spawner = new FakeSpawner((request: SpawnRequest) => {
      if (request.argv.includes('notify')) hookSawLocks.push(holder.engine?.locks.held.size ?? -1);
      return 0;
    });
    const engine = watchedEngine({ spawner });
    holder.engine = engine;
    const run = await start(engine, job('on_success: { command: notify }'), { dedupe: true });
    expect(run.outcome).toBe('success');
    expect(engine.watched.releases.map((r) => r.name)).toEqual(['res.db', 'job.work', `key.work.${String(T0)}`]);
    for (const release of engine.watched.releases) expect(release.ledgerTypes.at(-1)).toBe('run-finished');
    expect(hookSawLocks).toEqual([0]);
    expect(engine.ledger.types('work')).toEqual(['run-started', 'attempt-started', 'attempt-finished', 'run-finished', 'hook-finished']);
  });

  it('tells the listeners each fact exactly as the ledger holds it, plus the transient notices', async () => {
    const engine = testEngine({ spawner: new FakeSpawner((_r, i) => (i === 0 ? 1 : 0)) });
    const done = start(engine, job('retries: 1\nretry_delay: 5s'));
    await engine.clock.advance(6_000);
    await done;
    const isFact = (e: EngineEvent): e is LedgerEvent => 'v' in e;
    expect(engine.events.filter(isFact)).toEqual(engine.ledger.events);
    expect(engine.events.filter((e) => !isFact(e)).map((e) => e.type)).toEqual(['retry-scheduled']);
    const started = engine.ledger.events.filter((e) => e.type === 'attempt-started');
    expect(started.map((e) => [e.n, e.of])).toEqual([[1, 2], [2, 2]]);
  });
});
