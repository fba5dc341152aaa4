import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { dedent, ROOT, Rig } from '../helpers/rig.js';

const rigs: Rig[] = [];
function rig(): Rig {
  const r = new Rig('version: 1\njobs:\n  x: { schedule: "@daily", command: "true" }\n');
  rigs.push(r);
  return r;
}
afterEach(() => {
  for (const r of rigs.splice(0)) r.cleanup();
});

interface Report { findings: { severity: string; code: string; file: string; line: number; message: string; fix?: string }[]; jobs: number; files: string[] }

const CRONTAB = dedent(`
  MAILTO=ops@example.com
  # nightly batch
  0 2 * * * /srv/bin/extract.sh > /var/data/extract.csv
  10 2 * * * /srv/bin/load.sh /var/data/extract.csv >> /var/log/load.log 2>&1
  0 2 * * * /srv/bin/report.sh >/dev/null
  0 2 * * * /srv/bin/cleanup.sh >/dev/null
  0 0 30 2 * /srv/bin/never.sh >/dev/null
  0 9 1-7 * mon /srv/bin/first-monday.sh >/dev/null
  5 4 * * * /usr/bin/date +%F >/dev/null
  */2 * * * * /srv/bin/poll.sh >/dev/null
  15 3 * * * sleep 600 && /srv/bin/after-backup.sh >/dev/null
  @reboot /srv/bin/warm-cache.sh
  15 3 * * * sleep 600 && /srv/bin/after-backup.sh >/dev/null
  61 * * * * /srv/bin/broken.sh
  MAILTO=""
  30 6 * * * /srv/bin/quiet.sh
  CRON_TZ=America/New_York
  30 2 * * * /srv/bin/dst.sh >/dev/null
`);

describe('tock audit', () => {
  it('finds each kind of problem at its line, with a fix', async () => {
    const r = rig();
    const file = path.join(r.dir, 'crontab');
    writeFileSync(file, CRONTAB);
    const result = await r.run(['audit', file, '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    const at = (code: string): number[] => report.findings.filter((f) => f.code === code).map((f) => f.line).sort((a, b) => a - b);
    expect(at('syntax')).toEqual([14]);
    expect(at('never-runs')).toEqual([7]);
    expect(at('dom-dow-or')).toEqual([8]);
    expect(at('percent')).toEqual([9]);
    expect(at('overlap')).toEqual([10]);
    expect(at('hidden-dependency')).toEqual(expect.arrayContaining([4, 11, 13]));
    expect(at('reboot')).toEqual([12]);
    expect(at('duplicate')).toEqual([13]);
    expect(at('lost-output')).toEqual(expect.arrayContaining([16]));
    expect(at('dst')).toEqual([18]);
    const herd = report.findings.find((f) => f.code === 'clash' && f.severity === 'warning');
    expect(herd?.message).toMatch(/3 jobs start together \(a herd\)/);
    expect(report.findings.find((f) => f.code === 'dst')?.message).toMatch(/America\/New_York, 2027-03-14 02:30 does not exist/);
    expect(report.findings.every((f) => f.file === file)).toBe(true);
    expect(report.jobs).toBe(13);
    expect((await r.run(['audit', file, '--fail-on', 'never'])).code).toBe(0);
  }, 20_000);

  it('prints findings grouped by severity, then a 24-hour histogram', async () => {
    const r = rig();
    const file = path.join(r.dir, 'crontab');
    writeFileSync(file, CRONTAB);
    const result = await r.run(['audit', file]);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^errors \(\d+\)$/);
    expect(result.stdout.indexOf('warnings (')).toBeGreaterThan(result.stdout.indexOf('errors ('));
    const start = lines.findIndex((l) => l.startsWith('starts per hour of the day'));
    expect(lines.slice(start + 1, start + 25).map((l) => l.slice(2, 4))).toEqual(Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0')));
    expect(lines.at(-1)).toMatch(/^13 jobs in 1 file: \d+ errors?, \d+ warnings?, \d+ info$/);
  }, 20_000);

  it('reads the system format with its user column, and every Debian crontab of the corpus without a syntax finding', async () => {
    const r = rig();
    const dir = path.join(ROOT, 'test', 'fixtures', 'crontabs', 'debian');
    const files = readdirSync(dir).map((f) => path.join(dir, f));
    const result = await r.run(['audit', ...files, '--format', 'system', '--json', '--fail-on', 'never']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.findings.filter((f) => f.code === 'syntax')).toEqual([]);
    expect(report.files).toHaveLength(files.length);
    expect(report.jobs).toBeGreaterThan(files.length - 1);
  }, 20_000);

  it('counts the jobfile\'s jobs when reading the host, and flags a job that starts again before it usually ends', async () => {
    const r = new Rig(`
      version: 1
      jobs:
        etl-a: { schedule: "0 3 * * *", command: "true" }
        etl-b: { schedule: "0 3 * * *", command: "true" }
    `);
    rigs.push(r);
    const host = await r.run(['audit', '--json', '--fail-on', 'never']);
    const report = JSON.parse(host.stdout) as Report;
    expect(report.files).toContain(r.jobfile);
    expect(report.findings.find((f) => f.code === 'clash' && f.file === r.jobfile)?.message).toMatch(/2 jobs start together/);

    // tock's ledger says syncer's runs take 15 minutes; cron starts it every 10.
    const crontab = path.join(r.dir, 'crontab');
    writeFileSync(crontab, '*/10 * * * * /usr/local/bin/syncer.sh >/dev/null\n');
    const at = '2026-11-20T10:00:00.000Z';
    const run = { run_id: 'r1', job: 'syncer', logical_time: at, trigger: 'manual', outcome: 'success', started_at: at, ended_at: at, duration_ms: 900_000, exit_code: 0, signal: null,
      attempts: [{ n: 1, started_at: at, ended_at: at, exit_code: 0, signal: null, outcome: 'success' }], log: '/x', host: 'h', pid: 1, job_hash: 'j', jobfile_hash: 'f' };
    mkdirSync(path.join(r.stateDir, 'ledger', 'syncer'), { recursive: true });
    writeFileSync(path.join(r.stateDir, 'ledger', 'syncer', '2026-11.jsonl'), `${JSON.stringify({ v: 1, type: 'run-finished', at, job: 'syncer', run })}\n`);
    const audited = JSON.parse((await r.run(['audit', crontab, '--json', '--fail-on', 'never'])).stdout) as Report;
    expect(audited.findings.find((f) => f.code === 'overlap')?.message).toMatch(/starts every 10 min, but its recent runs took up to 15 min/);
  }, 20_000);
});

describe('tock audit: 5/10', () => {
  it('reports a crontab line with a step after a single value as a syntax finding that says Vixie cron skips it', async () => {
    const r = rig();
    const file = path.join(r.dir, 'crontab');
    writeFileSync(file, 'MAILTO=ops@example.com\n5/10 * * * * /srv/bin/poll.sh\n');
    const result = await r.run(['audit', file, '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    const syntax = report.findings.filter((f) => f.code === 'syntax');
    expect(syntax.map((f) => [f.line, f.message])).toEqual([
      [2, 'column 1: expected a step only after * or a range, like */5 or 0-30/5 (Vixie cron skips this line; a tock jobfile reads 5/10 as 5-59/10), got 5/10'],
    ]);
  });
});
