import { describe, expect, it } from 'vitest';

import { topologicalOrder } from '../../src/engine/graph.js';
import { planRuns } from '../../src/engine/plan.js';
import { UserError } from '../../src/util/user-error.js';
import { jobfileFrom } from '../helpers/engine.js';

const jobfile = jobfileFrom(`
  version: 1
  jobs:
    extract: { schedule: "@daily", command: "true" }
    validate: { needs: [extract], command: "true" }
    features: { needs: [validate], command: "true" }
    report: { needs: [validate], command: "true" }
    train: { needs: [features], command: "true" }
    other: { schedule: "@hourly", command: "true" }
`);

const names = (plan: ReturnType<typeof planRuns>) => plan.map((p) => p.job.name);

describe('planRuns', () => {
  it('runs only what was asked without --upstream or --downstream', () => {
    const plan = planRuns(jobfile, ['features'], { upstream: false, downstream: false, hasSuccess: () => false });
    expect(names(plan)).toEqual(['features']);
    expect(plan[0]?.waitsFor).toEqual([]);
  });

  it('adds every dependent with --downstream, in dependency order', () => {
    const plan = planRuns(jobfile, ['extract'], { upstream: false, downstream: true, hasSuccess: () => false });
    expect(names(plan)).toEqual(['extract', 'validate', 'features', 'report', 'train']);
    expect(plan.find((p) => p.job.name === 'train')?.waitsFor).toEqual(['features']);
  });

  it('adds needs with no success for the logical time with --upstream, stopping at ones that succeeded', () => {
    const plan = planRuns(jobfile, ['train'], { upstream: true, downstream: false, hasSuccess: (job) => job === 'validate' });
    expect(names(plan)).toEqual(['features', 'train']);
  });

  it('refuses unknown jobs, naming them and the known ones', () => {
    expect(() => planRuns(jobfile, ['trian', 'nope'], { upstream: false, downstream: false, hasSuccess: () => false }))
      .toThrow(UserError);
    try {
      planRuns(jobfile, ['trian'], { upstream: false, downstream: false, hasSuccess: () => false });
    } catch (error) {
      expect((error as UserError).message).toContain('"trian"');
      expect((error as UserError).hint).toContain('train');
    }
  });
});

describe('topologicalOrder', () => {
  it('puts needs first and keeps jobfile order between independent jobs', () => {
    expect(topologicalOrder(jobfile.jobs, new Set(['train', 'report', 'other', 'features']))).toEqual(['features', 'report', 'train', 'other']);
  });
});
