import { describe, expect, it } from 'vitest';

import { executePlan } from '../../src/engine/executor.js';
import { planRuns } from '../../src/engine/plan.js';
import { Slots } from '../../src/engine/slots.js';
import { FakeSpawner } from '../helpers/fake-spawner.js';
import { jobfileFrom, testEngine } from '../helpers/engine.js';
import { settle } from '../helpers/manual-clock.js';

const T0 = Date.parse('2026-11-21T02:15:00Z');

const jobfile = jobfileFrom(`
  version: 1
  max_parallel: 2
  jobs:
    extract: { schedule: "@daily", command: "extract" }
    a: { needs: [extract], command: "branch-a" }
    b: { needs: [extract], command: "branch-b" }
    c: { needs: [extract], command: "branch-c" }
    join: { needs: [a, b], command: "join" }
    cleanup: { needs: [b], when: failure, command: "cleanup" }
    always: { needs: [join], when: always, command: "always" }
    notify: { needs: [a], when: failure, command: "notify" }
`);

function execute(engine: ReturnType<typeof testEngine>, names: string[]) {
  const plan = planRuns(jobfile, names, { upstream: false, downstream: true, hasSuccess: () => false });
  return executePlan(engine.deps, plan, { jobfile, logicalMs: T0, trigger: 'manual', slots: new Slots(jobfile.maxParallel) });
}

describe('executePlan', () => {
  it('follows when: skips what a failure blocked, runs failure and always branches', async () => {
    const engine = testEngine({ spawner: new FakeSpawner((r) => (r.argv.includes('branch-b') ? 1 : 0)) });
    const runs = await execute(engine, ['extract']);
    const by = Object.fromEntries(runs.map((r) => [r.job, `${r.outcome}${r.reason !== undefined ? `:${r.reason}` : ''}`]));
    expect(by).toEqual({
      extract: 'success', a: 'success', b: 'failed', c: 'success',
      join: 'skipped:upstream-failed', cleanup: 'success', always: 'success', notify: 'skipped:not-triggered',
    });
    expect(engine.spawner.of('join')).toHaveLength(0);
  });

  it('runs every job of the plan for the same logical time', async () => {
    const engine = testEngine({ spawner: new FakeSpawner(() => 0) });
    const runs = await execute(engine, ['extract']);
    expect(new Set(runs.map((r) => r.logical_time))).toEqual(new Set(['2026-11-21T02:15:00.000Z']));
  });

  it('never runs more than max_parallel at once, and starts the next as one ends', async () => {
    const engine = testEngine();
    const done = execute(engine, ['extract']);
    await settle();
    engine.spawner.of('extract')[0]?.exit(0);
    await settle();
    expect(engine.spawner.spawned.filter((p) => !p.done).map((p) => p.request.argv[2])).toEqual(['branch-a', 'branch-b']);
    engine.spawner.of('branch-a')[0]?.exit(0);
    await settle();
    expect(engine.spawner.spawned.filter((p) => !p.done).map((p) => p.request.argv[2])).toEqual(['branch-b', 'branch-c']);
    for (;;) {
      const live = engine.spawner.spawned.filter((p) => !p.done);
      if (live.length === 0) break;
      expect(live.length).toBeLessThanOrEqual(2);
      for (const p of live) p.exit(0);
      await settle();
    }
    expect((await done).every((r) => r.outcome === 'success' || r.reason === 'not-triggered')).toBe(true);
  });

  it('after a stop starts nothing new and leaves unstarted jobs out', async () => {
    const engine = testEngine();
    const done = execute(engine, ['extract']);
    await settle();
    engine.stop.abort('shutdown');
    const runs = await done;
    expect(runs.map((r) => [r.job, r.outcome])).toEqual([['extract', 'killed']]);
  });
});

describe('executePlan: when and enabled', () => {
  const pipeline = jobfileFrom(`
    version: 1
    jobs:
      a: { schedule: "@daily", command: "step-a" }
      b: { needs: [a], command: "step-b" }
      notify: { needs: [b], when: failure, command: "notify" }
      tidy: { needs: [b], when: always, command: "tidy" }
      off: { needs: [a], enabled: false, command: "off-job" }
      after-off: { needs: [off], when: failure, command: "after-off" }
  `);
  const run = (engine: ReturnType<typeof testEngine>, names: string[], trigger: 'manual' | 'schedule' = 'manual', downstream = true) =>
    executePlan(engine.deps, planRuns(pipeline, names, { upstream: false, downstream, hasSuccess: () => false }),
      { jobfile: pipeline, logicalMs: T0, trigger, slots: new Slots(4) });
  const byJob = (runs: Awaited<ReturnType<typeof run>>) => Object.fromEntries(runs.map((r) => [r.job, r]));

  it('when: failure fires at the end of a pipeline when an early job fails (b skipped upstream-failed)', async () => {
    const engine = testEngine({ spawner: new FakeSpawner((r) => (r.argv.includes('step-a') ? 1 : 0)) });
    const runs = byJob(await run(engine, ['a']));
    expect(runs.b).toMatchObject({ outcome: 'skipped', reason: 'upstream-failed', message: 'a need did not succeed: a failed' });
    expect(runs.notify?.outcome).toBe('success');
    expect(engine.spawner.of('notify')).toHaveLength(1);
    expect(runs.tidy?.outcome).toBe('success');
  });

  it('when: failure is not triggered when every need succeeded, or a need was skipped for another reason; the message says which', async () => {
    const engine = testEngine({ spawner: new FakeSpawner(() => 0) });
    const runs = byJob(await run(engine, ['a']));
    expect(runs.notify).toMatchObject({ outcome: 'skipped', reason: 'not-triggered', message: 'no need failed (b success) and when is failure' });
    expect(runs['after-off']).toMatchObject({ outcome: 'skipped', reason: 'not-triggered', message: 'no need failed (off skipped (disabled)) and when is failure' });
    expect(runs['after-off']?.message).not.toMatch(/every need succeeded/);
  });

  it('a disabled job pulled in by --downstream is recorded skipped (disabled) and not run; named by hand it runs', async () => {
    const engine = testEngine({ spawner: new FakeSpawner(() => 0) });
    const runs = byJob(await run(engine, ['a']));
    expect(runs.off).toMatchObject({ outcome: 'skipped', reason: 'disabled', attempts: [] });
    expect(engine.spawner.of('off-job')).toHaveLength(0);
    const byHand = testEngine({ spawner: new FakeSpawner(() => 0) });
    expect(byJob(await run(byHand, ['off'], 'manual', false)).off?.outcome).toBe('success');
    expect(byHand.spawner.of('off-job')).toHaveLength(1);
  });
});
