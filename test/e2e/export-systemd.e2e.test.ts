// `tock export systemd` end to end: the built CLI writes the units, systemd's own checker accepts
// them, and systemd's calendar arithmetic gives the same instants as `tock next`, where
// systemd-analyze is installed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Rig } from '../helpers/rig.js';

/** Schedules checked in both zones; every job name is `<zone tag>-<n>`. */
const SCHEDULES = [
  '15 2 * * *',
  '*/15 * * * *',
  '5-35/10 * * * *',
  '0 9 * * mon-fri',
  '0 9 * * */2',
  '0 0 1 */3 *',
  '30 4 1,15 * *',
  '0 */2 * * *',
  '0 8-18/4 * * *',
  '*/10 * * * * *',
  '@daily',
  '@weekly',
  '@monthly',
  '0 0 1-31 * 1',
  '@every 10m',
  '@every 6h',
];
const ZONES: Record<string, string> = { utc: 'UTC', ny: 'America/New_York' };

const JOBFILE = [
  'version: 1',
  'jobs:',
  ...Object.entries(ZONES).flatMap(([tag, zone]) => SCHEDULES.flatMap((schedule, i) => [
    `  ${tag}-${String(i)}:`,
    `    schedule: ${JSON.stringify(schedule)}`,
    `    timezone: ${zone}`,
    '    command: "true"',
  ])),
  '  follow:',
  '    needs: [utc-0]',
  '    command: "true"',
  '  on-failure:',
  '    needs: [utc-0]',
  '    when: failure',
  '    command: "true"',
  '  spread:',
  '    schedule: "@hourly"',
  '    jitter: 10m',
  '    timeout: 5m',
  '    catchup: none',
  '    command: "true"',
  '  odd:',
  '    schedule: "0 0 1 * mon"',
  '    command: "true"',
  '',
].join('\n');

/** The 20 instants of each schedule above that reach a DST change (2026-03-08) are at midnight, which it does not move. */
const BASE = '2026-01-10T00:00:00Z';

const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).error === undefined;

let rig: Rig;
let out: string;
let stderr: string;
/** `tock next` from BASE for every job, run once: each run of the CLI costs a few hundred ms. */
let next: Map<string, string[]>;
beforeAll(async () => {
  rig = new Rig(JOBFILE);
  out = path.join(rig.dir, 'units');
  const result = await rig.run(['export', 'systemd', '-o', out]);
  expect(result.code, result.stderr).toBe(0);
  stderr = result.stderr;
  next = await tockInstants(rig, [], BASE, 20);
});
afterAll(() => {
  rig.cleanup();
});

function unit(name: string): string {
  return readFileSync(path.join(out, name), 'utf8');
}

function value(text: string, key: string): string | undefined {
  return text.split('\n').find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1);
}

/** The next `count` instants after `base` by systemd-analyze, as UTC ISO strings. */
function systemdInstants(onCalendar: string, base: string, count: number): string[] {
  const at = `${base.slice(0, 10)} ${base.slice(11, 19)} UTC`;
  const result = spawnSync('systemd-analyze', ['calendar', `--iterations=${String(count)}`, `--base-time=${at}`, onCalendar], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC', SYSTEMD_PAGER: '', SYSTEMD_COLORS: '0' },
  });
  expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
  // "Next elapse: Sun 2026-11-22 02:15:00 UTC" and "Iter. #2: ..."; in a zone other than UTC,
  // "(in UTC): ..." lines follow each: only lines ending in UTC are kept either way.
  return result.stdout.split('\n')
    .map((l) => /(?:Next elapse|Iter\. #\d+|\(in UTC\)): +\w{3} (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC$/.exec(l))
    .filter((m) => m !== null)
    .map((m) => `${m[1] ?? ''}T${m[2] ?? ''}.000Z`);
}

/** The next `count` instants after `base` of each job (all when none is named) by `tock next`, as UTC ISO strings. */
async function tockInstants(r: Rig, jobs: readonly string[], base: string, count: number): Promise<Map<string, string[]>> {
  const result = await r.run(['next', ...jobs, '--count', String(count), '--from', base, '--json']);
  expect(result.code, result.stderr).toBe(0);
  const doc = JSON.parse(result.stdout) as { jobs: { name: string; instants: string[] }[] };
  return new Map(doc.jobs.map((j) => [j.name, j.instants.map((i) => new Date(i).toISOString())]));
}

describe('tock export systemd', () => {
  it('writes a service and timer per scheduled job, a service per follower, and README.md', () => {
    const files = readdirSync(out).sort();
    for (const job of [...Object.keys(ZONES).flatMap((tag) => SCHEDULES.map((_, i) => `${tag}-${String(i)}`)), 'spread']) {
      expect(files).toContain(`tock-${job}.service`);
      expect(files).toContain(`tock-${job}.timer`);
    }
    expect(files).toContain('tock-follow.service');
    expect(files).not.toContain('tock-follow.timer');
    expect(files).not.toContain('tock-odd.service');
    expect(files).toContain('README.md');
    expect(stderr).toMatch(/tock: warning: job "odd" is not exported: "0 0 1 \* mon" runs when the day of month OR the day of week matches/);
    expect(stderr).toMatch(/wrote \d+ files to /);
    expect(value(unit('tock-utc-0.service'), 'OnSuccess')).toBe('tock-follow.service');
    expect(value(unit('tock-utc-0.service'), 'OnFailure')).toBe('tock-on-failure.service');
    expect(value(unit('tock-spread.timer'), 'RandomizedDelaySec')).toBe('600s');
    expect(value(unit('tock-spread.timer'), 'Persistent')).toBe('false');
    expect(value(unit('tock-ny-0.timer'), 'OnCalendar')).toBe('*-*-* 02:15:00 America/New_York');
  });

  it('prints every file under a header without -o', async () => {
    const result = await rig.run(['export', 'systemd']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('# ==> tock-utc-0.service <==\n');
    expect(result.stdout).toContain('# ==> README.md <==\n');
  });

  describe.skipIf(!hasSystemdAnalyze)('systemd-analyze', () => {
    it('verify accepts each service and timer, with the services they start', (ctx) => {
      const runtime = path.join(rig.dir, 'runtime');
      mkdirSync(runtime, { mode: 0o700, recursive: true });
      const timers = readdirSync(out).filter((f) => f.endsWith('.timer'));
      for (const timer of timers) {
        const service = timer.replace(/\.timer$/, '.service');
        const started = [value(unit(service), 'OnSuccess'), value(unit(service), 'OnFailure')]
          .flatMap((v) => v?.split(' ') ?? []);
        const files = [service, timer, ...new Set(started)].map((f) => path.join(out, f));
        const verify = spawnSync('systemd-analyze', ['verify', '--man=no', '--generators=no', ...files], {
          encoding: 'utf8',
          env: { ...process.env, SYSTEMD_LOG_LEVEL: 'notice', SYSTEMD_LOG_COLOR: '0', SYSTEMD_PAGER: '', XDG_RUNTIME_DIR: runtime },
        });
        const output = `${verify.stdout}${verify.stderr}`;
        // systemd's own units may draw warnings on this machine; those are not ours.
        const ours = output.split('\n').filter((l) => l.includes(out) || l.startsWith('tock-'));
        if (verify.status !== 0 && ours.length === 0 && /Failed to initialize manager/.test(output)) {
          ctx.skip(`systemd-analyze cannot start a manager here:\n${output}`);
        }
        expect(ours, `${timer}:\n${output}`).toEqual([]);
        expect(verify.status, `${timer}:\n${output}`).toBe(0);
      }
    });

    for (const [tag, zone] of Object.entries(ZONES)) {
      for (const [i, schedule] of SCHEDULES.entries()) {
        const job = `${tag}-${String(i)}`;
        it(`calendar gives tock next's 20 instants for ${JSON.stringify(schedule)} in ${zone}`, () => {
          const onCalendar = value(unit(`tock-${job}.timer`), 'OnCalendar') ?? '';
          const fromSystemd = systemdInstants(onCalendar, BASE, 20);
          expect(fromSystemd).toHaveLength(20);
          expect(fromSystemd, onCalendar).toEqual(next.get(job));
        });
      }
    }

    // The documented differences (README.md, "What does not"): DST nights in New York.
    describe('DST', () => {
      const DST = `
        version: 1
        timezone: America/New_York
        jobs:
          nightly:
            schedule: "30 2 * * *"
            command: "true"
          early:
            schedule: "30 1 * * *"
            command: "true"
          hourly:
            schedule: "30 * * * *"
            command: "true"
      `;
      let dst: Rig;
      let dir: string;
      beforeAll(async () => {
        dst = new Rig(DST);
        dir = path.join(dst.dir, 'units');
        expect((await dst.run(['export', 'systemd', '-o', dir])).code).toBe(0);
      });
      afterAll(() => {
        dst.cleanup();
      });
      const tockOf = async (r: Rig, job: string, base: string, count: number): Promise<string[] | undefined> =>
        (await tockInstants(r, [job], base, count)).get(job);
      const onCalendar = (job: string): string => value(readFileSync(path.join(dir, `tock-${job}.timer`), 'utf8'), 'OnCalendar') ?? '';

      it('spring forward: systemd skips 02:30 on 2026-03-08; tock runs it at 03:30 EDT', async () => {
        const base = '2026-03-06T00:00:00Z';
        const tock = await tockOf(dst, 'nightly', base, 5);
        const systemd = systemdInstants(onCalendar('nightly'), base, 5);
        expect(tock).toEqual(['2026-03-06T07:30:00.000Z', '2026-03-07T07:30:00.000Z', '2026-03-08T07:30:00.000Z', '2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z']);
        expect(systemd).toEqual(['2026-03-06T07:30:00.000Z', '2026-03-07T07:30:00.000Z', '2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z', '2026-03-11T06:30:00.000Z']);
      });

      it('fall back: a daily 01:30 runs once in both (the EDT copy)', async () => {
        const base = '2026-10-31T12:00:00Z';
        const tock = await tockOf(dst, 'early', base, 3);
        expect(tock).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z', '2026-11-03T06:30:00.000Z']);
        expect(systemdInstants(onCalendar('early'), base, 3)).toEqual(tock);
      });

      it('fall back: an hourly :30 runs in both copies of 01:xx with tock, once with systemd', async () => {
        const base = '2026-11-01T04:00:00Z';
        const tock = await tockOf(dst, 'hourly', base, 5);
        const systemd = systemdInstants(onCalendar('hourly'), base, 5);
        expect(tock).toEqual(['2026-11-01T04:30:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z', '2026-11-01T07:30:00.000Z', '2026-11-01T08:30:00.000Z']);
        expect(systemd).toEqual(['2026-11-01T04:30:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-01T07:30:00.000Z', '2026-11-01T08:30:00.000Z', '2026-11-01T09:30:00.000Z']);
      });
    });
  });
});
