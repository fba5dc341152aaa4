import { describe, expect, it } from 'vitest';

import type { DaemonEvent } from '../../src/daemon/events.js';
import { Scheduler } from '../../src/daemon/scheduler.js';
import type { RunRecord } from '../../src/ledger/records.js';
import { FakeSpawner } from '../helpers/fake-spawner.js';
import { jobfileFrom, testEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';
import { settle } from '../helpers/manual-clock.js';
import { MemoryMarks } from '../helpers/memory-marks.js';

interface Daemon {
  engine: TestEngine;
  scheduler: Scheduler;
  marks: MemoryMarks;
  log: DaemonEvent[];
  done: Promise<void>;
  /** Logical times (ISO) of every spawn of a job's command, in order. */
  fired: (command: string) => string[];
  finished: () => RunRecord[];
}

function startDaemon(yaml: string, options: { start: string; marks?: Record<string, number>; spawner?: FakeSpawner; engine?: TestEngine } = { start: '2026-11-21T02:15:03Z' }): Daemon {
  const engine = options.engine ?? testEngine({ start: options.start, spawner: options.spawner ?? new FakeSpawner(() => 0) });
  const marks = new MemoryMarks(options.marks);
  const log: DaemonEvent[] = [];
  const scheduler = new Scheduler(engine.deps, jobfileFrom(yaml), marks, (e) => log.push(e));
  const done = scheduler.run();
  return {
    engine, scheduler, marks, log, done,
    fired: (command) => engine.spawner.of(command).map((p) => p.request.env.TOCK_LOGICAL_TIME ?? ''),
    finished: () => engine.ledger.events.flatMap((e) => (e.type === 'run-finished' ? [e.run] : [])),
  };
}

async function stop(d: Daemon): Promise<void> {
  d.engine.stop.abort('shutdown');
  await d.done;
}

describe('Scheduler: firing on time', () => {
  it('fires each instant once, with that instant as the logical time, and arms one timer', async () => {
    const d = startDaemon(`
      version: 1
      jobs:
        tick: { schedule: "*/10 * * * * *", command: tick }
        far: { schedule: "0 0 1 1 *", command: far }
    `, { start: '2026-11-21T02:15:03Z' });
    await settle();
    expect(d.engine.clock.pending).toBe(1);
    await d.engine.clock.advance(6_999);
    expect(d.fired('tick')).toEqual([]);
    await d.engine.clock.advance(1);
    expect(d.fired('tick')).toEqual(['2026-11-21T02:15:10Z']);
    await d.engine.clock.advance(20_000);
    expect(d.fired('tick')).toEqual(['2026-11-21T02:15:10Z', '2026-11-21T02:15:20Z', '2026-11-21T02:15:30Z']);
    expect(d.finished().every((r) => r.trigger === 'schedule' && r.outcome === 'success')).toBe(true);
    expect(d.marks.marks.tick).toBe(Date.parse('2026-11-21T02:15:30Z'));
    await stop(d);
  });

  it('runs the downstream pipeline for each instant, and a job needing two roots once', async () => {
    const d = startDaemon(`
      version: 1
      jobs:
        a: { schedule: "* * * * *", command: job-a }
        b: { schedule: "* * * * *", command: job-b }
        join: { needs: [a, b], command: job-join }
        after: { needs: [join], command: job-after }
        own: { schedule: "0 3 * * *", needs: [a], command: job-own }
    `, { start: '2026-11-21T02:15:30Z' });
    await d.engine.clock.advance(30_000);
    expect(d.fired('job-join')).toEqual(['2026-11-21T02:16:00Z']);
    expect(d.fired('job-after')).toEqual(['2026-11-21T02:16:00Z']);
    expect(d.fired('job-own')).toEqual([]);
    await stop(d);
  });

  it('applies the DST rule: 02:30 New York on the spring-forward night runs once, at 03:30 EDT', async () => {
    const d = startDaemon(`
      version: 1
      jobs:
        nightly: { schedule: "30 2 * * *", timezone: America/New_York, command: nightly }
    `, { start: '2026-03-08T06:00:00Z' });
    await d.engine.clock.advance(3 * 3_600_000);
    expect(d.fired('nightly')).toEqual(['2026-03-08T03:30:00-04:00']);
    await stop(d);
  });

  it('waits in line for max_parallel slots and starts the rest in order', async () => {
    const d = startDaemon(`
      version: 1
      max_parallel: 2
      jobs:
        one: { schedule: "* * * * *", command: job-1 }
        two: { schedule: "* * * * *", command: job-2 }
        three: { schedule: "* * * * *", command: job-3 }
    `, { start: '2026-11-21T02:15:59Z', spawner: new FakeSpawner() });
    await d.engine.clock.advance(1_000);
    expect(d.engine.spawner.spawned.map((p) => p.request.argv[2])).toEqual(['job-1', 'job-2']);
    d.engine.spawner.spawned[0]?.exit(0);
    await settle();
    expect(d.engine.spawner.spawned.map((p) => p.request.argv[2])).toEqual(['job-1', 'job-2', 'job-3']);
    for (const p of d.engine.spawner.spawned) p.exit(0);
    await stop(d);
  });

  it('records a run missed when it waited in line past its start_deadline', async () => {
    const d = startDaemon(`
      version: 1
      max_parallel: 1
      jobs:
        hog: { schedule: "* * * * *", command: job-hog }
        quick: { schedule: "* * * * *", start_deadline: 30s, command: job-quick }
    `, { start: '2026-11-21T02:15:59Z', spawner: new FakeSpawner((r) => (r.argv[2] === 'job-hog' ? 'hang' : 0)) });
    await d.engine.clock.advance(45_000);
    d.engine.spawner.of('job-hog')[0]?.exit(0);
    await d.engine.clock.advance(1_000);
    expect(d.fired('job-quick')).toEqual([]);
    expect(d.finished().find((r) => r.job === 'quick')).toMatchObject({ outcome: 'missed', logical_time: '2026-11-21T02:16:00.000Z' });
    for (const p of d.engine.spawner.spawned) p.exit(0);
    await stop(d);
  });

  it('never starts a run key that already succeeded (a backfill or another process ran it)', async () => {
    const d = startDaemon(`
      version: 1
      jobs:
        j: { schedule: "* * * * *", command: job-j }
    `, { start: '2026-11-21T02:15:30Z' });
    const run = { run_id: 'elsewhere', job: 'j', logical_time: '2026-11-21T02:16:00.000Z', trigger: 'backfill' as const, outcome: 'success' as const, started_at: '2026-11-21T02:15:40.000Z', ended_at: '2026-11-21T02:15:41.000Z', duration_ms: 1, exit_code: 0, signal: null, attempts: [], log: '', host: 'h', pid: 1, job_hash: '', jobfile_hash: '' };
    d.engine.ledger.append({ v: 1, type: 'run-finished', at: run.ended_at, job: 'j', run });
    await d.engine.clock.advance(30_000);
    expect(d.fired('job-j')).toEqual([]);
    expect(d.finished().at(-1)).toMatchObject({ outcome: 'skipped', reason: 'succeeded-before', trigger: 'schedule' });
    await stop(d);
  });
});

describe('Scheduler: missed instants', () => {
  const jobs = (catchup: string) => `
    version: 1
    jobs:
      every10: { schedule: "*/10 * * * *", catchup: ${catchup}, command: job }
  `;
  const down = { every10: Date.parse('2026-11-21T02:00:00Z') };

  it('catchup none records each missed instant and runs none', async () => {
    const d = startDaemon(jobs('none'), { start: '2026-11-21T02:35:00Z', marks: down });
    await settle();
    expect(d.fired('job')).toEqual([]);
    expect(d.finished().map((r) => [r.outcome, r.logical_time])).toEqual([
      ['missed', '2026-11-21T02:10:00.000Z'], ['missed', '2026-11-21T02:20:00.000Z'], ['missed', '2026-11-21T02:30:00.000Z'],
    ]);
    await stop(d);
  });

  it('catchup latest runs only the most recent, as trigger catchup', async () => {
    const d = startDaemon(jobs('latest'), { start: '2026-11-21T02:35:00Z', marks: down });
    await settle();
    expect(d.fired('job')).toEqual(['2026-11-21T02:30:00Z']);
    expect(d.finished().map((r) => [r.outcome, r.trigger])).toEqual([['missed', 'catchup'], ['missed', 'catchup'], ['success', 'catchup']]);
    await stop(d);
  });

  it('catchup all runs each, one after another, oldest first; at most 100', async () => {
    const d = startDaemon(jobs('all'), { start: '2026-11-21T02:35:00Z', marks: down });
    await settle();
    expect(d.fired('job')).toEqual(['2026-11-21T02:10:00Z', '2026-11-21T02:20:00Z', '2026-11-21T02:30:00Z']);
    await stop(d);
    const long = startDaemon(jobs('all'), { start: '2026-11-21T02:35:00Z', marks: { every10: Date.parse('2026-11-01T00:00:00Z') } });
    await settle();
    await settle();
    expect(long.log.some((e) => e.type === 'catchup-capped')).toBe(true);
    expect(long.fired('job')).toHaveLength(100);
    expect(long.fired('job').at(-1)).toBe('2026-11-21T02:30:00Z');
    await stop(long);
  });

  it('a catch-up run that fails on a bug is logged and blocks neither the rest of its chain nor later chains', async () => {
    const engine = testEngine({ start: '2026-11-21T02:35:00Z', spawner: new FakeSpawner(() => 0) });
    const append = engine.ledger.append.bind(engine.ledger);
    let failures = 0;
    // The disk refuses the first catch-up run's final record: runJob rejects, so its plan does.
    engine.ledger.append = (event) => {
      if (event.type === 'run-finished' && event.run.logical_time === '2026-11-21T02:10:00.000Z' && failures++ === 0) throw new Error('ENOSPC: no space left on device');
      append(event);
    };
    const d = startDaemon(jobs('all'), { start: '2026-11-21T02:35:00Z', marks: down, engine });
    await settle();
    expect(d.fired('job')).toEqual(['2026-11-21T02:10:00Z', '2026-11-21T02:20:00Z', '2026-11-21T02:30:00Z']);
    expect(d.log.filter((e) => e.type === 'catchup-failed')).toEqual([
      { type: 'catchup-failed', job: 'every10', logical_time: '2026-11-21T02:10:00.000Z', message: expect.stringContaining('ENOSPC') as string },
    ]);
    expect(engine.locks.held.size).toBe(0);
    // Later, the wall clock jumps 30 minutes: the job's next catch-up chain runs all three.
    await engine.clock.jump(30 * 60_000);
    await engine.clock.advance(60_000);
    expect(d.fired('job').slice(3)).toEqual(['2026-11-21T02:40:00Z', '2026-11-21T02:50:00Z', '2026-11-21T03:00:00Z']);
    expect(d.finished().filter((r) => r.outcome === 'success').map((r) => r.logical_time).slice(-3))
      .toEqual(['2026-11-21T02:40:00.000Z', '2026-11-21T02:50:00.000Z', '2026-11-21T03:00:00.000Z']);
    await stop(d);
  });

  it('a clock jump forward is handled as missed instants; a jump backward never re-runs one', async () => {
    const d = startDaemon(jobs('latest'), { start: '2026-11-21T02:05:00Z' });
    await d.engine.clock.advance(5 * 60_000);
    expect(d.fired('job')).toEqual(['2026-11-21T02:10:00Z']);
    // The wall clock jumps 25 minutes ahead while tock sleeps (suspend, NTP step).
    await d.engine.clock.jump(25 * 60_000);
    await d.engine.clock.advance(60_000);
    expect(d.fired('job')).toEqual(['2026-11-21T02:10:00Z', '2026-11-21T02:30:00Z']);
    expect(d.finished().filter((r) => r.outcome === 'missed').map((r) => r.logical_time)).toEqual(['2026-11-21T02:20:00.000Z']);
    // Then back by 30 minutes: 02:10 and 02:20 come round again on the clock, and do not run.
    await d.engine.clock.jump(-30 * 60_000);
    await d.engine.clock.advance(25 * 60_000);
    expect(d.fired('job')).toEqual(['2026-11-21T02:10:00Z', '2026-11-21T02:30:00Z']);
    await stop(d);
  });
});

describe('Scheduler: reload and joins', () => {
  it('a reload adds a job at its next instant and leaves running runs alone', async () => {
    const d = startDaemon(`
      version: 1
      jobs:
        old: { schedule: "* * * * *", command: job-old }
    `, { start: '2026-11-21T02:15:30Z', spawner: new FakeSpawner((r) => (r.argv[2] === 'job-old' ? 'hang' : 0)) });
    await d.engine.clock.advance(30_000);
    expect(d.fired('job-old')).toHaveLength(1);
    d.scheduler.reload(jobfileFrom(`
      version: 1
      jobs:
        old: { schedule: "* * * * *", command: job-old }
        new: { schedule: "*/30 * * * * *", command: job-new }
    `));
    await d.engine.clock.advance(30_000);
    expect(d.fired('job-new')).toEqual(['2026-11-21T02:16:30Z']);
    expect(d.engine.spawner.of('job-old')[0]?.done).toBe(false);
    expect(d.log.some((e) => e.type === 'reloaded')).toBe(true);
    for (const p of d.engine.spawner.spawned) p.exit(0);
    await stop(d);
  });

  it('a job with a schedule and needs waits for its needs\' latest run, then runs', async () => {
    const d = startDaemon(`
      version: 1
      jobs:
        hourly: { schedule: "0 * * * *", command: job-hourly }
        report: { schedule: "30 * * * *", needs: [hourly], deadline: 10m, command: job-report }
    `, { start: '2026-11-21T02:20:00Z' });
    await d.engine.clock.advance(25 * 60_000);
    // 02:30: hourly's latest instant at or before is 02:00, which never ran (tock started at
    // 02:20): report waits until its deadline (02:40), then fails.
    expect(d.fired('job-report')).toEqual([]);
    expect(d.finished().find((r) => r.job === 'report')).toMatchObject({ outcome: 'failed', reason: 'upstream-missing' });
    await d.engine.clock.advance(55 * 60_000);
    // 03:00 hourly succeeds, so report at 03:30 runs.
    expect(d.fired('job-report')).toEqual(['2026-11-21T03:30:00Z']);
    await stop(d);
  });
});
