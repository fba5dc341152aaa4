// `tock timeline` end to end: a ledger built by `tock run` (a success, a failure, a job that
// never ran), drawn by the built CLI as text and JSON, within a window and a width.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BIN, Rig, waitFor } from '../helpers/rig.js';

interface TimelineDoc {
  since: string;
  until: string;
  jobs: { name: string; runs: { run_id: string; logical_time: string; started_at: string; ended_at: string | null; outcome: string }[] }[];
}

const JOBFILE = `
  version: 1
  timezone: Asia/Kolkata
  jobs:
    extract: { schedule: "@hourly", command: "true" }
    broken: { schedule: "@hourly", command: "exit 3" }
    idle: { schedule: "@daily", command: "true" }
`;

let rig: Rig;
// Between the first extract run and the later runs: a --since here leaves the first one out.
let between: string;

beforeAll(async () => {
  rig = new Rig(JOBFILE);
  expect((await rig.run(['run', 'extract'])).code).toBe(0);
  await new Promise((r) => setTimeout(r, 20));
  between = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 20));
  expect((await rig.run(['run', 'extract'])).code).toBe(0);
  expect((await rig.run(['run', 'broken'])).code).toBe(1);
});
afterAll(() => {
  rig.cleanup();
});

// A pseudo-terminal from util-linux's script(1), where the machine has it.
const hasScript = spawnSync('script', ['--version']).status === 0;

const rowOf = (stdout: string, job: string): string | undefined => stdout.split('\n').find((l) => l.startsWith(`${job} `));

describe('tock timeline', () => {
  it('draws a row a job with its outcomes\' letters, the axis labelled in the jobfile\'s zone, and a legend', async () => {
    const result = await rig.run(['timeline']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/ to .*, times in Asia\/Kolkata \(\+05:30\)$/);
    expect(rowOf(result.stdout, 'extract')).toMatch(/^extract +\.+S\.*$/);
    expect(rowOf(result.stdout, 'broken')).toMatch(/^broken +\.+F\.*$/);
    expect(rowOf(result.stdout, 'idle')).toMatch(/^idle +\.+$/);
    expect(result.stdout).toContain('S success  F failed');
    // Off a terminal, and with NO_COLOR (the rig sets it): no escape codes.
    expect(result.stdout).not.toContain('\u001b[');
  });

  it('--utc labels the axis UTC; JOB arguments choose the rows', async () => {
    const result = await rig.run(['timeline', 'broken', '--utc']);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toMatch(/, times in UTC$/);
    expect(rowOf(result.stdout, 'broken')).toContain('F');
    expect(rowOf(result.stdout, 'extract')).toBeUndefined();
  });

  it('--json lists each job\'s runs, oldest first, as the ledger has them', async () => {
    const result = await rig.run(['timeline', '--json']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as TimelineDoc;
    expect(Date.parse(doc.until) - Date.parse(doc.since)).toBe(24 * 3_600_000);
    expect(doc.jobs.map((j) => j.name)).toEqual(['extract', 'broken', 'idle']);
    for (const job of ['extract', 'broken', 'idle']) {
      const expected = rig.runs(job).map((r) => ({ run_id: r.run_id, logical_time: r.logical_time, outcome: r.outcome }));
      const runs = doc.jobs.find((j) => j.name === job)?.runs ?? [];
      expect(runs.map((r) => ({ run_id: r.run_id, logical_time: r.logical_time, outcome: r.outcome }))).toEqual(expected);
      for (const r of runs) expect(Date.parse(r.ended_at ?? '')).toBeGreaterThanOrEqual(Date.parse(r.started_at));
    }
    expect(doc.jobs.find((j) => j.name === 'extract')?.runs).toHaveLength(2);
  });

  it('--since leaves out runs that started before it (a time, or a duration back from now)', async () => {
    const result = await rig.run(['timeline', '--since', between, '--json']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as TimelineDoc;
    expect(doc.since).toBe(between);
    const extract = doc.jobs.find((j) => j.name === 'extract')?.runs ?? [];
    expect(extract.map((r) => r.run_id)).toEqual([rig.runs('extract')[1]?.run_id]);

    const week = JSON.parse((await rig.run(['timeline', '--since', '2d', '--json'])).stdout) as TimelineDoc;
    expect(Date.parse(week.until) - Date.parse(week.since)).toBe(2 * 86_400_000);
    expect(week.jobs.find((j) => j.name === 'extract')?.runs).toHaveLength(2);
  });

  it.each([60, 120])('fits COLUMNS=%i', async (columns) => {
    const result = await rig.run(['timeline'], { env: { COLUMNS: String(columns) } });
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(columns);
    // The rows use all of it: the name column, a space, then the bars to the edge.
    expect(rowOf(result.stdout, 'idle')).toHaveLength(columns);
  });

  it('is read-only: on a state dir that does not exist it draws empty rows and creates nothing', async () => {
    const missing = path.join(rig.dir, 'nowhere');
    const result = await rig.run(['timeline', '-f', rig.jobfile, '--state-dir', missing], { common: false });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(rowOf(result.stdout, 'extract')).toMatch(/^extract +\.+$/);
    expect(existsSync(missing)).toBe(false);
  });

  it('refuses an unknown job and a --since it cannot read, with exit 2', async () => {
    const unknown = await rig.run(['timeline', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('got "nope"');
    const bad = await rig.run(['timeline', '--since', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since');
  });

  it('marks runs of a job that ran at once with #, and a run in flight with R up to now', async () => {
    const r = new Rig(`
      version: 1
      jobs:
        slow: { schedule: "@hourly", concurrency: allow, command: "sleep 1" }
        hang: { schedule: "@hourly", command: "sleep 30" }
    `);
    try {
      const both = await Promise.all([r.run(['run', 'slow']), r.run(['run', 'slow'])]);
      expect(both.map((b) => b.code)).toEqual([0, 0]);
      const hang = r.start(['run', 'hang']);
      await waitFor(() => (r.ledger('hang').some((e) => e.type === 'run-started') ? true : undefined), 10_000, 'hang to start');
      const result = await r.run(['timeline', '--since', '1m']);
      expect(result.code).toBe(0);
      expect(rowOf(result.stdout, 'slow')).toMatch(/^slow +\.+S*#+S*\.*$/);
      expect(rowOf(result.stdout, 'hang')).toMatch(/^hang +\.+R+$/);
      hang.child.kill('SIGTERM');
      await hang.done;
    } finally {
      r.cleanup();
    }
  });

  it.skipIf(!hasScript)('colours the marks on a terminal, and not with --no-color or NO_COLOR (needs script(1))', () => {
    const onTty = (args: string, noColor?: string): string => {
      const { NO_COLOR: _unset, ...inherited } = rig.env();
      const env = noColor === undefined ? inherited : { ...inherited, NO_COLOR: noColor };
      const command = `${process.execPath} ${BIN} timeline ${args} -f ${rig.jobfile} --state-dir ${rig.stateDir}`;
      return spawnSync('script', ['-qec', command, '/dev/null'], { env, encoding: 'utf8' }).stdout;
    };
    const coloured = onTty('broken');
    expect(coloured).toContain('\u001b[31mF');
    expect(coloured).toMatch(/broken +\S*\.+/);
    expect(onTty('broken --no-color')).not.toContain('\u001b[');
    expect(onTty('broken', '1')).not.toContain('\u001b[');
  });
});
