// Issue 12, "Audit and export, read by the people who act on them": the built CLI's audit report
// (one finding per herd, the histogram in the crontab's zone, plural words, a jobfile's 6-field and
// @every jobs) and exported manifests that carry no path of this host.

import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

import { assertCronWorkflow } from '../helpers/argo-schema.js';
import { Rig } from '../helpers/rig.js';

const rigs: Rig[] = [];
function rig(yaml = 'version: 1\njobs:\n  off: { schedule: "@daily", command: "true", enabled: false }\n'): Rig {
  const r = new Rig(yaml);
  rigs.push(r);
  return r;
}
afterEach(() => {
  for (const r of rigs.splice(0)) r.cleanup();
});

interface Report {
  findings: { severity: string; code: string; file: string; line: number; message: string }[];
  jobs: number;
  histograms: { zone: string; jobs: number; hours: number[] }[];
}

/** The histogram block of a human report: its heading and its 24 rows as [hour, count]. */
function histogram(stdout: string, zone: string): { heading: string; rows: [string, number][] } {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith('starts per hour of the day') && l.includes(`in ${zone}`));
  expect(start, `a histogram in ${zone} in:\n${stdout}`).toBeGreaterThanOrEqual(0);
  const rows = lines.slice(start + 1, start + 25).map((l): [string, number] => [l.slice(2, 4), Number(l.trim().split(/\s+/).at(-1))]);
  return { heading: lines[start] ?? '', rows };
}

describe('tock audit, read by the people who act on it', () => {
  it('reports an hourly herd of four jobs once, with the daily and weekly jobs that join it', async () => {
    const r = rig();
    const file = path.join(r.dir, 'crontab');
    writeFileSync(file, [
      'MAILTO=ops@example.com',
      '@hourly /srv/a.sh >/dev/null',
      '@hourly /srv/b.sh >/dev/null',
      '0 * * * * /srv/c.sh >/dev/null',
      '0 * * * * /srv/d.sh >/dev/null',
      '0 2 * * * /srv/nightly.sh >/dev/null',
      '0 0 * * 0 /srv/weekly.sh >/dev/null',
      '',
    ].join('\n'));
    const report = JSON.parse((await r.run(['audit', file, '--json', '--fail-on', 'never'])).stdout) as Report;
    const clashes = report.findings.filter((f) => f.code === 'clash');
    expect(clashes).toHaveLength(1);
    const [herd] = clashes;
    expect(herd?.severity).toBe('warning');
    expect(herd?.line).toBe(2);
    expect(herd?.message).toMatch(/^6 jobs start together \(a herd\) at :00 every hour \(UTC\), 16[789] times in the coming week, up to 5 at once: /);
    expect(herd?.message).toContain(`${file}:2, ${file}:3 (@hourly), ${file}:4, ${file}:5 (0 * * * *)`);
    expect(herd?.message).toContain(`joined by ${file}:6 (0 2 * * *) at 02:00 every day; ${file}:7 (0 0 * * 0) at 00:00 on Sun`);
  }, 20_000);

  it('draws the histogram in the crontab\'s zone, labelled, and the host\'s when it sets none', async () => {
    const r = rig();
    const tokyo = path.join(r.dir, 'tokyo');
    writeFileSync(tokyo, 'MAILTO=ops@example.com\nCRON_TZ=Asia/Tokyo\n0 9 * * * /srv/morning.sh >/dev/null\n');
    const inTokyo = await r.run(['audit', tokyo, '--fail-on', 'never'], { env: { TZ: 'UTC' } });
    const { heading, rows } = histogram(inTokyo.stdout, 'Asia/Tokyo');
    expect(heading).toBe('starts per hour of the day over the coming week, in Asia/Tokyo:');
    // 09:00 in Tokyo is 00:00 UTC: the row that counts it is 09.
    expect(rows.filter(([, n]) => n > 0)).toEqual([['09', 7]]);

    const plain = path.join(r.dir, 'plain');
    writeFileSync(plain, 'MAILTO=ops@example.com\n30 6 * * * /srv/report.sh >/dev/null\n');
    const inNewYork = await r.run(['audit', plain, '--fail-on', 'never'], { env: { TZ: 'America/New_York' } });
    expect(histogram(inNewYork.stdout, 'America/New_York').rows.filter(([, n]) => n > 0)).toEqual([['06', 7]]);

    // Two zones, two histograms, each saying how many jobs it counts.
    const both = await r.run(['audit', tokyo, plain, '--fail-on', 'never', '--json'], { env: { TZ: 'America/New_York' } });
    const report = JSON.parse(both.stdout) as Report;
    expect(report.histograms.map((h) => [h.zone, h.jobs])).toEqual(expect.arrayContaining([['Asia/Tokyo', 1], ['America/New_York', 1]]));
    const text = await r.run(['audit', tokyo, plain, '--fail-on', 'never'], { env: { TZ: 'America/New_York' } });
    expect(histogram(text.stdout, 'Asia/Tokyo').heading).toBe('starts per hour of the day over the coming week, in Asia/Tokyo (1 job):');
  }, 20_000);

  it('says "1 job in 1 file", "1 job in 2 files" and "2 jobs in 1 file"', async () => {
    const r = rig();
    const one = path.join(r.dir, 'one');
    const empty = path.join(r.dir, 'empty');
    const two = path.join(r.dir, 'two');
    writeFileSync(one, 'MAILTO=ops@example.com\n0 4 * * * /srv/x.sh >/dev/null\n');
    writeFileSync(empty, '# nothing here\n');
    writeFileSync(two, 'MAILTO=ops@example.com\n0 4 * * * /srv/x.sh >/dev/null\n0 5 * * * /srv/y.sh >/dev/null\n');
    const last = async (...files: string[]): Promise<string> => (await r.run(['audit', ...files, '--fail-on', 'never'])).stdout.trimEnd().split('\n').at(-1) ?? '';
    expect(await last(one)).toBe('1 job in 1 file: 0 errors, 0 warnings, 0 info');
    expect(await last(one, empty)).toBe('1 job in 2 files: 0 errors, 0 warnings, 0 info');
    expect(await last(two)).toBe('2 jobs in 1 file: 0 errors, 0 warnings, 0 info');
  }, 20_000);

  it('counts and audits a jobfile\'s 6-field and @every jobs', async () => {
    // The host's crontabs join an audit with no FILE: a jobfile with no enabled job counts them alone.
    const baseline = rig();
    const hostJobs = (JSON.parse((await baseline.run(['audit', '--json', '--fail-on', 'never'])).stdout) as Report).jobs;
    const r = rig([
      'version: 1',
      'jobs:',
      '  six: { schedule: "15 0 3 * * *", command: "true" }',
      '  interval: { schedule: "@every 3h", command: "true" }',
      '  five: { schedule: "0 3 * * *", command: "true" }',
      '',
    ].join('\n'));
    const report = JSON.parse((await r.run(['audit', '--json', '--fail-on', 'never'])).stdout) as Report;
    expect(report.jobs - hostJobs).toBe(3);
    const herd = report.findings.find((f) => f.code === 'clash' && f.file === r.jobfile);
    expect(herd?.message).toMatch(/3 jobs start together \(a herd\) at 03:00 every day \(UTC\)/);
    expect(herd?.message).toContain('six (15 0 3 * * *)');
    expect(herd?.message).toContain('interval (@every 3h)');
    expect(herd?.message).toContain('five (0 3 * * *)');
  }, 20_000);
});

describe('tock export kubernetes|argo: manifests for a cluster, not this host', () => {
  it('carries no path of this host: no workingDir unless --workdir, no TOCK_JOBFILE, the jobfile by name', async () => {
    const r = rig('version: 1\njobs:\n  report:\n    schedule: "0 6 * * *"\n    workdir: data\n    command: ./report.sh\n');
    for (const target of ['kubernetes', 'argo']) {
      const plain = await r.run(['export', target, '--image', 'registry.example.com/etl:1.4']);
      expect(plain.code, plain.stderr).toBe(0);
      expect(plain.stdout).toContain('./report.sh');
      expect(plain.stdout).not.toContain(r.dir);
      expect(plain.stdout).not.toContain('workingDir');
      expect(plain.stdout).not.toContain('TOCK_JOBFILE');
      expect(plain.stdout).toContain('tock.dev/jobfile: tock.yaml');

      const inside = await r.run(['export', target, '--image', 'registry.example.com/etl:1.4', '--workdir', '/app']);
      expect(inside.stdout).not.toContain(r.dir);
      const [doc] = parseAllDocuments(inside.stdout).map((d) => d.toJS() as Record<string, unknown>);
      if (target === 'kubernetes') {
        new CronJob(doc).validate();
        expect(inside.stdout).toMatch(/^\s+workingDir: \/app$/m);
      } else {
        assertCronWorkflow(doc);
        expect(inside.stdout).toMatch(/^\s+workingDir: \/app$/m);
      }
    }
  }, 20_000);

  it('refuses {{ ds }} for kubernetes with a pointer to argo, which renders it from workflow.scheduledTime', async () => {
    const r = rig('version: 1\njobs:\n  extract:\n    schedule: "15 2 * * *"\n    command: mkdir -p out/{{ ds }} && ./extract.sh --date {{ ds }}\n');
    const refused = await r.run(['export', 'kubernetes', '--image', 'registry.example.com/etl:1.4']);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('export kubernetes: expected commands without {{ ds }}');
    expect(refused.stderr).toContain('"extract" ({{ ds }})');
    expect(refused.stderr).toMatch(/hint: .*tock export argo --image IMAGE.*workflow\.scheduledTime/);

    const argo = await r.run(['export', 'argo', '--image', 'registry.example.com/etl:1.4']);
    expect(argo.code, argo.stderr).toBe(0);
    expect(argo.stdout).not.toContain('{{ ds }}');
    expect(argo.stdout).toContain('mkdir -p out/{{=sprig.substr(0, 10, workflow.scheduledTime)}} && ./extract.sh --date {{=sprig.substr(0, 10, workflow.scheduledTime)}}');
    const [doc] = parseAllDocuments(argo.stdout).map((d) => d.toJS() as Record<string, unknown>);
    assertCronWorkflow(doc);
  }, 20_000);
});
