import { describe, expect, it } from 'vitest';

import { adaptLead, LEAD_MS, MAX_LEAD_MS, MIN_LEAD_MS } from '../../src/daemon/lead.js';
import { Scheduler } from '../../src/daemon/scheduler.js';
import type { Lease } from '../../src/engine/ports.js';
import { recentRuns } from '../../src/ledger/query.js';
import { reconcileInterrupted } from '../../src/ledger/reconcile.js';
import type { RunRecord } from '../../src/ledger/records.js';
import { FakeSpawner } from '../helpers/fake-spawner.js';
import { jobfileFrom, testEngine } from '../helpers/engine.js';
import { MemoryMarks } from '../helpers/memory-marks.js';
import type { TestEngine } from '../helpers/engine.js';

// Every test starts 7 s before the instant 02:15:10 of a `*/10 * * * * *` job.
const START = '2026-11-21T02:15:03Z';
const INSTANT = Date.parse('2026-11-21T02:15:10Z');
const TO_INSTANT = INSTANT - Date.parse(START);

interface Daemon {
  engine: TestEngine;
  scheduler: Scheduler;
  marks: Record<string, number>;
  done: Promise<void>;
  spawned: () => string[];
  finished: () => RunRecord[];
  inFlight: (job: string) => number;
}

function startDaemon(yaml: string, options: { engine?: TestEngine; lock?: Pick<Lease, 'lost' | 'verify'> } = {}): Daemon {
  const engine = options.engine ?? testEngine({ start: START, spawner: new FakeSpawner(() => 0) });
  const store = new MemoryMarks();
  const scheduler = new Scheduler(engine.deps, jobfileFrom(yaml), store, () => undefined, options.lock);
  return {
    engine, scheduler, done: scheduler.run(),
    get marks() { return store.marks; },
    spawned: () => engine.spawner.spawned.map((p) => `${p.request.argv[2] ?? ''}@${p.request.env.TOCK_LOGICAL_TIME ?? ''}`),
    finished: () => engine.ledger.events.flatMap((e) => (e.type === 'run-finished' ? [e.run] : [])),
    inFlight: (job) => recentRuns(engine.ledger, job, 10).filter((r) => r.in_flight === true).length,
  };
}

const JOB = `
  version: 1
  jobs:
    j: { schedule: "*/10 * * * * *", locks: [db], command: job-j }
`;

describe('Scheduler: an instant armed ahead of its time', () => {
  it('records the run in flight (at its instant), holds its key and locks, and saves the watermark before the instant; spawns at it', async () => {
    const d = startDaemon(JOB);
    await d.engine.clock.advance(TO_INSTANT - LEAD_MS);
    // Armed: everything but the spawn is done.
    expect(d.spawned()).toEqual([]);
    expect(d.marks.j).toBe(INSTANT);
    const started = d.engine.ledger.events.filter((e) => e.type === 'run-started');
    expect(started).toHaveLength(1);
    expect(started[0]?.at).toBe('2026-11-21T02:15:10.000Z');
    expect([...d.engine.locks.held.keys()].sort()).toEqual(['job.j', `key.j.${String(INSTANT)}`, 'res.db']);
    await d.engine.clock.advance(LEAD_MS - 1);
    expect(d.spawned()).toEqual([]);
    await d.engine.clock.advance(1);
    expect(d.spawned()).toEqual(['job-j@2026-11-21T02:15:10Z']);
    const [run] = d.finished();
    expect(run).toMatchObject({ outcome: 'success', started_at: '2026-11-21T02:15:10.000Z', trigger: 'schedule' });
    expect(run?.attempts[0]?.started_at).toBe('2026-11-21T02:15:10.000Z');
    expect(d.engine.locks.held.size).toBe(0);
    d.engine.stop.abort('shutdown');
    await d.done;
  });

  it('jobs starting at the same instant are armed as one plan: each spawns at it, in jobfile order, and a job needing several runs once', async () => {
    const d = startDaemon(`
      version: 1
      jobs:
        b: { schedule: "*/10 * * * * *", command: job-b }
        a: { schedule: "*/10 * * * * *", command: job-a }
        join: { needs: [a, b], command: job-join }
        late: { schedule: "*/10 * * * * *", jitter: 3s, command: job-late }
    `);
    await d.engine.clock.advance(TO_INSTANT - 1);
    expect(d.engine.ledger.events.filter((e) => e.type === 'run-started').map((e) => e.job)).toEqual(['b', 'a']);
    await d.engine.clock.advance(1);
    expect(d.spawned()).toEqual(['job-b@2026-11-21T02:15:10Z', 'job-a@2026-11-21T02:15:10Z', 'job-join@2026-11-21T02:15:10Z']);
    await d.engine.clock.advance(9_000);
    expect(d.spawned().filter((s) => s.startsWith('job-join'))).toHaveLength(1);
    expect(d.spawned().filter((s) => s.startsWith('job-late'))).toHaveLength(1);
    d.engine.stop.abort('shutdown');
    await d.done;
  });

  it('a reload rebuilds the queue: a removed job stops firing, a changed schedule counts from the next instant', async () => {
    const d = startDaemon(`
      version: 1
      jobs:
        gone: { schedule: "*/10 * * * * *", command: job-gone }
        moved: { schedule: "*/10 * * * * *", command: job-moved }
    `);
    await d.engine.clock.advance(TO_INSTANT);
    expect(d.spawned()).toEqual(['job-gone@2026-11-21T02:15:10Z', 'job-moved@2026-11-21T02:15:10Z']);
    d.scheduler.reload(jobfileFrom(`
      version: 1
      jobs:
        moved: { schedule: "*/4 * * * * *", command: job-moved }
    `));
    await d.engine.clock.advance(10_000);
    expect(d.spawned().slice(2)).toEqual(['job-moved@2026-11-21T02:15:12Z', 'job-moved@2026-11-21T02:15:16Z', 'job-moved@2026-11-21T02:15:20Z']);
    d.engine.stop.abort('shutdown');
    await d.done;
  });

  it('a stop after arming and before the instant spawns nothing and closes the run killed (shutdown); no lock or run is left', async () => {
    const d = startDaemon(JOB);
    await d.engine.clock.advance(TO_INSTANT - 10);
    expect(d.inFlight('j')).toBe(1);
    d.engine.stop.abort('shutdown');
    await d.done;
    expect(d.spawned()).toEqual([]);
    const [run] = d.finished();
    expect(run).toMatchObject({ outcome: 'killed', reason: 'shutdown', attempts: [], logical_time: '2026-11-21T02:15:10.000Z' });
    expect(Date.parse(run?.started_at ?? '')).toBeLessThanOrEqual(Date.parse(run?.ended_at ?? ''));
    expect(d.inFlight('j')).toBe(0);
    expect(d.engine.locks.held.size).toBe(0);
  });

  it('a stop in the lead puts the watermark back: a restart runs the instant (catchup latest), once', async () => {
    const LATEST = JOB.replace('locks: [db],', 'catchup: latest,');
    const engine = testEngine({ start: START, spawner: new FakeSpawner(() => 0) });
    const d = startDaemon(LATEST, { engine });
    await engine.clock.advance(TO_INSTANT - 10);
    expect(d.marks.j).toBe(INSTANT);
    engine.stop.abort('shutdown');
    await d.done;
    // Back to what it was before the instant was armed: the daemon's start.
    expect(d.marks.j).toBe(Date.parse(START));
    expect(d.finished()[0]?.message).toMatch(/next start handles this instant by its catchup/);

    // The next daemon, 5 s later, on the same ledger and watermarks: the instant is caught up.
    const again = testEngine({ start: '2026-11-21T02:15:15Z', spawner: new FakeSpawner(() => 0), ledger: engine.ledger });
    const store = new MemoryMarks({ ...d.marks });
    const next = new Scheduler(again.deps, jobfileFrom(LATEST), store, () => undefined);
    const done = next.run();
    await again.clock.advance(1);
    again.stop.abort('shutdown');
    await done;
    expect(again.spawner.spawned.map((p) => p.request.env.TOCK_LOGICAL_TIME)).toEqual(['2026-11-21T02:15:10Z']);
    expect(store.marks.j).toBe(INSTANT);
  });

  it('a crash between the in-flight record and the spawn leaves a run the next tock records interrupted', async () => {
    const d = startDaemon(JOB);
    await d.engine.clock.advance(TO_INSTANT - 10);
    // The process dies here: what is on disk is the run in flight, and no attempt.
    const recorded = reconcileInterrupted(d.engine.ledger, ['j'], { hostname: 'testhost', isAlive: () => false }, '2026-11-21T02:15:15.000Z');
    expect(recorded).toEqual([expect.objectContaining({ outcome: 'interrupted', logical_time: '2026-11-21T02:15:10.000Z', attempts: [] })]);
    d.engine.stop.abort('shutdown');
    await d.done;
  });

  it('a job lock held by a shell `tock run` when armed is asked for again at the instant: free by then, the run goes', async () => {
    const d = startDaemon(JOB);
    const shell = await d.engine.locks.tryAcquire('job.j', { pid: 99, host: 'testhost', run_id: 'shell', job: 'j' });
    await d.engine.clock.advance(TO_INSTANT - 10);
    // Nothing recorded ahead: the run key is held, the job lock is not.
    expect(d.inFlight('j')).toBe(0);
    await shell?.release();
    await d.engine.clock.advance(10);
    expect(d.spawned()).toEqual(['job-j@2026-11-21T02:15:10Z']);
    expect(d.finished()[0]).toMatchObject({ outcome: 'success' });
    d.engine.stop.abort('shutdown');
    await d.done;
  });

  it('a job lock still held by a shell `tock run` at the instant: skipped (overlap), concurrency forbid, as without arming', async () => {
    const d = startDaemon(JOB);
    await d.engine.locks.tryAcquire('job.j', { pid: 99, host: 'testhost', run_id: 'shell', job: 'j' });
    await d.engine.clock.advance(TO_INSTANT - 1);
    expect(d.finished()).toEqual([]);
    await d.engine.clock.advance(1);
    expect(d.spawned()).toEqual([]);
    const [run] = d.finished();
    expect(run).toMatchObject({ outcome: 'skipped', reason: 'overlap', ended_at: '2026-11-21T02:15:10.000Z' });
    expect(d.engine.locks.held.has(`key.j.${String(INSTANT)}`)).toBe(false);
    d.engine.stop.abort('shutdown');
    await d.done;
  });

  it('a daemon lock lost between arming and the instant dispatches nothing: the armed run is closed killed (lock-lost), the loop ends', async () => {
    let ours = true;
    const lost = new AbortController();
    const lock = { lost: lost.signal, verify: () => { if (!ours) lost.abort('lock-lost'); return ours; } };
    const d = startDaemon(JOB, { lock });
    await d.engine.clock.advance(TO_INSTANT - 10);
    expect(d.inFlight('j')).toBe(1);
    ours = false;
    await d.engine.clock.advance(10);
    await d.done;
    expect(d.spawned()).toEqual([]);
    expect(d.finished()).toEqual([expect.objectContaining({ outcome: 'killed', reason: 'lock-lost', attempts: [] })]);
    expect(d.engine.locks.held.size).toBe(0);
  });
});

describe('adaptLead', () => {
  it('is twice what the last arming took, decays a tenth a firing, and stays within its bounds', () => {
    expect(adaptLead(50, { tookMs: 40 })).toBe(80);
    expect(adaptLead(80, { tookMs: 1 })).toBe(72);
    expect(adaptLead(MIN_LEAD_MS, { tookMs: 0 })).toBe(MIN_LEAD_MS);
    expect(adaptLead(50, { tookMs: 5_000 })).toBe(MAX_LEAD_MS);
  });
});
