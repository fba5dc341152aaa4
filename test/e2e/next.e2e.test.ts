// `tock next` end to end: the built CLI, a real jobfile, instants worked out by hand.
import { afterEach, describe, expect, it } from 'vitest';

import { Rig } from '../helpers/rig.js';

// The jobfile's zone is New York (EST = UTC-5 until Sun 2026-03-08 02:00, then EDT = UTC-4).
const JOBFILE = `
  version: 1
  timezone: America/New_York
  jobs:
    nightly:
      schedule: "30 2 * * *"
      command: "true"
    halfhourly:
      schedule: "*/30 * * * *"
      command: "true"
    after:
      needs: [nightly]
      command: "true"
    spread:
      schedule: "0 * * * *"
      timezone: UTC
      jitter: 10m
      command: "true"
    off:
      schedule: "@daily"
      enabled: false
      command: "true"
`;

const rigs: Rig[] = [];
function rig(yaml: string): Rig {
  const r = new Rig(yaml);
  rigs.push(r);
  return r;
}
afterEach(() => {
  for (const r of rigs.splice(0)) r.cleanup();
});

interface NextJson {
  jobs: { name: string; timezone: string; instants: string[] }[];
}

describe('tock next', () => {
  it('--json across the New York spring-forward night', async () => {
    const r = rig(JOBFILE);
    // --from has no offset, so it is in the jobfile's zone: 01:15 EST = 06:15Z on 03-08.
    const result = await r.run(['next', '--from', '2026-03-08T01:15', '--count', '3', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as NextJson;
    expect(Object.keys(doc)).toEqual(['jobs']);
    expect(doc.jobs.map((j) => j.name)).toEqual(['nightly', 'halfhourly', 'after', 'spread', 'off']);
    for (const job of doc.jobs) expect(Object.keys(job)).toEqual(['name', 'timezone', 'instants']);

    const byName = new Map(doc.jobs.map((j) => [j.name, j]));
    // 02:30 does not exist on 03-08: it runs once, shifted by the gap to 03:30 EDT.
    expect(byName.get('nightly')).toEqual({
      name: 'nightly', timezone: 'America/New_York',
      instants: ['2026-03-08T03:30:00-04:00', '2026-03-09T02:30:00-04:00', '2026-03-10T02:30:00-04:00'],
    });
    // Every 30 real minutes: 01:30 EST, then the clock jumps, so 30 minutes later is 03:00 EDT.
    expect(byName.get('halfhourly')?.instants).toEqual(['2026-03-08T01:30:00-05:00', '2026-03-08T03:00:00-04:00', '2026-03-08T03:30:00-04:00']);
    // No schedule (runs after its needs) or disabled: no instants of its own.
    expect(byName.get('after')?.instants).toEqual([]);
    expect(byName.get('off')).toEqual({ name: 'off', timezone: 'America/New_York', instants: [] });
  });

  it('applies the jitter: the same offset in [0, 10m) after every hourly instant', async () => {
    const r = rig(JOBFILE);
    const result = await r.run(['next', 'spread', '--from', '2026-03-08T06:15:00Z', '--count', '4', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const [spread] = (JSON.parse(result.stdout) as NextJson).jobs;
    expect(spread?.timezone).toBe('UTC');
    const starts = (spread?.instants ?? []).map((iso) => Date.parse(iso));
    // Hourly instants 07:00Z, 08:00Z, 09:00Z, 10:00Z (06:00Z + jitter is before 06:15Z, as jitter < 10m).
    const hours = ['2026-03-08T07:00:00Z', '2026-03-08T08:00:00Z', '2026-03-08T09:00:00Z', '2026-03-08T10:00:00Z'].map((iso) => Date.parse(iso));
    const offsets = starts.map((t, i) => t - (hours[i] ?? NaN));
    expect(offsets).toHaveLength(4);
    expect(new Set(offsets).size).toBe(1);
    expect(offsets[0]).toBeGreaterThanOrEqual(0);
    expect(offsets[0]).toBeLessThan(600_000);
  });

  it('prints each instant in the job\'s zone and in UTC, and says why a job has none', async () => {
    const r = rig(JOBFILE);
    const result = await r.run(['next', 'off', 'nightly', 'after', '--from', '2026-03-08T01:15', '--count', '2']);
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    // Jobfile order, whatever order they were asked in.
    expect(out.indexOf('nightly')).toBeLessThan(out.indexOf('after'));
    expect(out.indexOf('after')).toBeLessThan(out.indexOf('off'));
    expect(out).toContain('nightly  30 2 * * *  America/New_York');
    expect(out).toContain('  Sun 2026-03-08 03:30:00 -04:00  (2026-03-08T07:30:00Z)');
    expect(out).toContain('  Mon 2026-03-09 02:30:00 -04:00  (2026-03-09T06:30:00Z)');
    expect(out).toContain('  runs after nightly');
    expect(out).toContain('  disabled (enabled: false)');
  });

  it('refuses an unknown job with exit 2 and lists the known ones', async () => {
    const r = rig(JOBFILE);
    const result = await r.run(['next', 'nightly', 'nighty']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('"nighty"');
    expect(result.stderr).toContain('nightly, halfhourly, after, spread, off');
  });

  it('refuses a --from that is not a time with exit 2', async () => {
    const r = rig(JOBFILE);
    const result = await r.run(['next', '--from', 'tomorrowish']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--from');
  });
});

describe('tock next: cron as the jobfile reads it', () => {
  it('lists :05, :15, :25 for 5/10 * * * * (a step after a single value runs to the field\'s end)', async () => {
    const r = rig('version: 1\njobs:\n  poll: { schedule: "5/10 * * * *", command: "true" }\n');
    const result = await r.run(['next', '--from', '2026-05-01T08:00:00Z', '--count', '3', '--json']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as { jobs: { name: string; instants: string[] }[] };
    expect(doc.jobs[0]?.instants.map((t) => new Date(t).toISOString())).toEqual([
      '2026-05-01T08:05:00.000Z', '2026-05-01T08:15:00.000Z', '2026-05-01T08:25:00.000Z',
    ]);
  });

  it('0 0 */2 * 1 runs on odd-dated Mondays: cron ANDs the day fields when one starts with *', async () => {
    const r = rig('version: 1\njobs:\n  j: { schedule: "0 0 */2 * 1", command: "true" }\n');
    const result = await r.run(['next', '--from', '2026-01-01T00:00:00Z', '--count', '3', '--json']);
    const doc = JSON.parse(result.stdout) as { jobs: { instants: string[] }[] };
    expect(doc.jobs[0]?.instants.map((t) => new Date(t).toISOString().slice(0, 10))).toEqual(['2026-01-05', '2026-01-19', '2026-02-09']);
  });
});
