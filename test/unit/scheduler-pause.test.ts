import { describe, expect, it } from 'vitest';

import { Scheduler } from '../../src/daemon/scheduler.js';
import type { RunRecord } from '../../src/ledger/records.js';
import { FakeSpawner } from '../helpers/fake-spawner.js';
import { jobfileFrom, testEngine } from '../helpers/engine.js';
import type { TestEngine } from '../helpers/engine.js';
import { settle } from '../helpers/manual-clock.js';
import { MemoryMarks } from '../helpers/memory-marks.js';

interface Daemon {
  engine: TestEngine;
  paused: Set<string>;
  marks: Record<string, number>;
  /** How often the scheduler asked which jobs are paused. */
  asked: () => number;
  done: Promise<void>;
  fired: (command: string) => string[];
  finished: (job: string) => Pick<RunRecord, 'outcome' | 'reason' | 'logical_time' | 'trigger'>[];
}

function startDaemon(yaml: string, start: string, options: { marks?: Record<string, number>; spawner?: FakeSpawner; paused?: string[] } = {}): Daemon {
  const engine = testEngine({ start, spawner: options.spawner ?? new FakeSpawner(() => 0) });
  const paused = new Set(options.paused ?? []);
  let asked = 0;
  const store = new MemoryMarks({ ...options.marks });
  const scheduler = new Scheduler(engine.deps, jobfileFrom(yaml), store, () => undefined, undefined, () => {
    asked++;
    return new Set(paused);
  });
  return {
    engine, paused, asked: () => asked, done: scheduler.run(),
    get marks() { return store.marks; },
    fired: (command) => engine.spawner.of(command).map((p) => p.request.env.TOCK_LOGICAL_TIME ?? ''),
    finished: (job) => engine.ledger.events.flatMap((e) => (e.type === 'run-finished' && e.job === job
      ? [{ outcome: e.run.outcome, logical_time: e.run.logical_time, trigger: e.run.trigger, ...(e.run.reason !== undefined ? { reason: e.run.reason } : {}) }]
      : [])),
  };
}

async function stop(d: Daemon): Promise<void> {
  d.engine.stop.abort('shutdown');
  await d.done;
}

const skipped = (logical_time: string, trigger = 'schedule') => ({ outcome: 'skipped', reason: 'paused', logical_time, trigger });

describe('Scheduler: paused jobs (tock pause)', () => {
  it('records a paused job\'s instants skipped (paused) as they pass, moves its watermark, and after a resume runs the next instant only', async () => {
    const d = startDaemon(`
      version: 1
      jobs:
        tick: { schedule: "*/10 * * * * *", command: tick }
    `, '2026-11-21T02:15:03Z');
    await d.engine.clock.advance(7_000);
    expect(d.fired('tick')).toEqual(['2026-11-21T02:15:10Z']);
    d.paused.add('tick');
    await d.engine.clock.advance(20_000);
    expect(d.fired('tick')).toEqual(['2026-11-21T02:15:10Z']);
    expect(d.finished('tick').slice(1)).toEqual([skipped('2026-11-21T02:15:20.000Z'), skipped('2026-11-21T02:15:30.000Z')]);
    expect(d.marks.tick).toBe(Date.parse('2026-11-21T02:15:30Z'));
    // Still one timer: a paused job is not polled for, its instants are what wake the loop.
    expect(d.engine.clock.pending).toBe(1);
    d.paused.delete('tick');
    await d.engine.clock.advance(10_000);
    // The skipped instants are not caught up: the next one runs, on schedule.
    expect(d.fired('tick')).toEqual(['2026-11-21T02:15:10Z', '2026-11-21T02:15:40Z']);
    expect(d.finished('tick').at(-1)).toMatchObject({ outcome: 'success', trigger: 'schedule', logical_time: '2026-11-21T02:15:40.000Z' });
    // Asked once per dispatched instant, never in between.
    expect(d.asked()).toBe(4);
    await stop(d);
  });

  it('pauses the pipeline a paused root starts, whatever each job\'s when (never upstream-failed), and a paused dependent with what follows it', async () => {
    const d = startDaemon(`
      version: 1
      jobs:
        root: { schedule: "* * * * *", command: job-root }
        next: { needs: [root], command: job-next }
        cleanup: { needs: [root], when: always, command: job-cleanup }
        alarm: { needs: [root], when: failure, command: job-alarm }
        last: { needs: [next], command: job-last }
    `, '2026-11-21T02:15:30Z', { paused: ['root'] });
    await d.engine.clock.advance(30_000);
    expect(d.engine.spawner.spawned).toEqual([]);
    for (const job of ['root', 'next', 'cleanup', 'alarm', 'last']) expect(d.finished(job)).toEqual([skipped('2026-11-21T02:16:00.000Z')]);

    d.paused.clear();
    d.paused.add('next');
    await d.engine.clock.advance(60_000);
    expect(d.fired('job-root')).toEqual(['2026-11-21T02:17:00Z']);
    expect(d.fired('job-cleanup')).toEqual(['2026-11-21T02:17:00Z']);
    expect(d.finished('next').at(-1)).toEqual(skipped('2026-11-21T02:17:00.000Z'));
    expect(d.finished('last').at(-1)).toEqual(skipped('2026-11-21T02:17:00.000Z'));
    expect(d.finished('alarm').at(-1)).toMatchObject({ outcome: 'skipped', reason: 'not-triggered' });
    await stop(d);
  });

  it('a catch-up chain paused midway skips the rest, and the run in flight when pausing is not stopped', async () => {
    const d = startDaemon(`
      version: 1
      jobs:
        every10: { schedule: "*/10 * * * *", catchup: all, command: job }
    `, '2026-11-21T02:35:00Z', { marks: { every10: Date.parse('2026-11-21T02:00:00Z') }, spawner: new FakeSpawner() });
    await settle();
    expect(d.fired('job')).toEqual(['2026-11-21T02:10:00Z']);
    d.paused.add('every10');
    const inFlight = d.engine.spawner.spawned[0];
    await settle();
    expect(inFlight?.signals).toEqual([]);
    inFlight?.exit(0);
    await settle();
    expect(d.fired('job')).toEqual(['2026-11-21T02:10:00Z']);
    expect(d.finished('every10')).toEqual([
      { outcome: 'success', trigger: 'catchup', logical_time: '2026-11-21T02:10:00.000Z' },
      skipped('2026-11-21T02:20:00.000Z', 'catchup'), skipped('2026-11-21T02:30:00.000Z', 'catchup'),
    ]);
    await stop(d);
  });
});
