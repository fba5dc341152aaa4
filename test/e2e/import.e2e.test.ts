import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { dedent, Rig, ROOT } from '../helpers/rig.js';

const CORPUS = path.join(ROOT, 'test', 'fixtures', 'crontabs');

const rigs: Rig[] = [];
function rig(): Rig {
  const r = new Rig();
  rigs.push(r);
  return r;
}
afterEach(() => {
  for (const r of rigs.splice(0)) r.cleanup();
});

describe('tock import', () => {
  it('writes a jobfile that validates, with readable names, env, zone, stdin and MAILTO, and proves the schedules', async () => {
    const r = rig();
    const crontab = path.join(r.dir, 'crontab');
    writeFileSync(crontab, dedent(`
      MAILTO=ops@example.com
      PATH=/usr/local/bin:/usr/bin:/bin
      # Dump the database every night
      15 2 * * * /usr/local/bin/backup-db.sh --full
      */10 * * * * cd /srv/app && make report >/dev/null
      0 4 * * 1 mail -s "weekly" ops@example.com%Hello,%the weekly report ran.
      @reboot /usr/local/bin/warm-cache.sh
      CRON_TZ=America/New_York
      30 2 * * * /usr/local/bin/backup-db.sh --incremental
    `));
    const out = path.join(r.dir, 'imported.yaml');
    const result = await r.run(['import', crontab, '-o', out], { common: false, env: { TZ: 'Europe/London' } });
    expect(result.stdout).toMatch(/wrote .*imported\.yaml: 4 jobs \(1 @reboot entries listed in a comment\)/);
    const yaml = readFileSync(out, 'utf8');
    expect(yaml).toMatch(/^ {2}backup-db:$/m);
    expect(yaml).toMatch(/^ {2}make-report:$/m);
    expect(yaml).toMatch(/^ {2}mail:$/m);
    expect(yaml).toMatch(/^ {2}backup-db-2:$/m);
    expect(yaml).toContain('description: Dump the database every night');
    expect(yaml).toMatch(/^timezone: Europe\/London$/m);
    expect(yaml).toContain('timezone: America/New_York');
    expect(yaml).toContain("<<'TOCK_STDIN'");
    expect(yaml).toContain('/usr/local/bin/warm-cache.sh');
    // PATH and MAILTO are the same for every job: said once, in defaults.
    expect(yaml).toMatch(/^defaults:\n {2}concurrency: allow\n {2}env:\n {4}PATH: \/usr\/local\/bin:\/usr\/bin:\/bin\n {2}on_failure:\n {4}command: .*sendmail -t/m);
    expect(yaml.match(/PATH:/g)).toHaveLength(1);
    expect(yaml.match(/sendmail -t/g)).toHaveLength(1);
    expect(await validates(r, out)).toBe('ok: 4 jobs\n');

    // The proof: identical, except the New York job on a spring-forward night.
    expect(result.stdout).toMatch(/backup-db \(.*:4\): identical/);
    expect(result.stdout).toMatch(/make-report \(.*:5\): identical/);
    // Each spring-forward night in the next 1,000 days: cron runs right after the jump, tock at 03:30.
    // Every difference is printed, and a proof that fails is exit 1 (the jobfile is still written).
    const counted = /backup-db-2 \(.*:9\): (\d+) differences?\n((?: {4}cron .*\n)+)/.exec(result.stdout);
    expect(counted?.[2]).toMatch(/^ {4}cron (20\d\d-03-\d\d)T07:00:00\.000Z {3}tock \1T07:30:00\.000Z$/m);
    expect(counted?.[2]?.trimEnd().split('\n')).toHaveLength(Number(counted?.[1]));
    expect(result.stderr).toContain('tock: the proof failed for 1 of 4 jobs: backup-db-2');
    expect(result.code).toBe(1);

    const forced = await r.run(['import', crontab, '-o', out, '--force'], { common: false, env: { TZ: 'Europe/London' } });
    expect(forced.stdout).toMatch(/backup-db-2 \(.*:9\): \d+ differences?/);
    expect(forced.code).toBe(0);
  }, 30_000);

  it('runs the imported stdin through the job as cron would', async () => {
    const r = rig();
    const crontab = path.join(r.dir, 'crontab');
    writeFileSync(crontab, '0 4 * * * cat > got.txt%line one%line two 100\\% sure\n');
    const out = path.join(r.dir, 'tock.yaml');
    expect((await r.run(['import', crontab, '-o', out], { common: false })).code).toBe(0);
    const run = await r.run(['run', 'cat']);
    expect(run.code).toBe(0);
    expect(readFileSync(path.join(r.dir, 'got.txt'), 'utf8')).toBe('line one\nline two 100% sure\n');
  }, 20_000);

  it('carries a line cron skips and one that never runs into the jobfile as comments, and imports the rest', async () => {
    const r = rig();
    const crontab = path.join(r.dir, 'crontab');
    writeFileSync(crontab, dedent(`
      5/10 * * * * /usr/local/bin/poll
      61 * * * * true
      0 0 30 2 * /usr/local/bin/never
      15 3 * * * /usr/local/bin/nightly
    `));
    const out = path.join(r.dir, 'tock.yaml');
    const result = await r.run(['import', crontab, '-o', out], { common: false });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/crontab:1: not imported: cron skips this line \(column 1: expected .*, got 5\/10\)/);
    expect(result.stderr).toMatch(/crontab:2: not imported: cron skips this line \(column 1: expected a minute.*, got 61\)/);
    expect(result.stderr).toContain('crontab:3: not imported: it never runs: no date matches "0 0 30 2 *"');
    expect(result.stdout).toMatch(/wrote .*tock\.yaml: 1 job; 3 lines not imported, kept as comments/);
    expect(result.stdout).toMatch(/nightly \(.*:4\): identical/);
    const yaml = readFileSync(out, 'utf8');
    expect(yaml).toMatch(/^ {2}# .*crontab:1: not imported: cron skips this line .*\n {2}# {3}5\/10 \* \* \* \* \/usr\/local\/bin\/poll$/m);
    expect(yaml).toMatch(/^ {2}# .*crontab:3: not imported: it never runs: .*\n {2}# {3}0 0 30 2 \* \/usr\/local\/bin\/never$/m);
    expect(yaml).toMatch(/^ {2}nightly:$/m);
    expect(await validates(r, out)).toBe('ok: 1 job\n');

    // --strict: each such line is an error, and nothing is written.
    const strictOut = path.join(r.dir, 'strict.yaml');
    const strict = await r.run(['import', crontab, '-o', strictOut, '--strict'], { common: false });
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain('crontab:3: not imported: it never runs');
    expect(strict.stderr).toContain('3 lines of');
    expect(existsSync(strictOut)).toBe(false);
  }, 20_000);

  it('ends the jobfile with a newline when the last line of the crontab is one it carries', async () => {
    const r = rig();
    const crontab = path.join(r.dir, 'crontab');
    writeFileSync(crontab, '15 3 * * * /usr/local/bin/nightly\n5/10 * * * * /usr/local/bin/poll\n');
    const out = path.join(r.dir, 'tock.yaml');
    const result = await r.run(['import', crontab, '-o', out], { common: false });
    expect(result.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/\n# {3}5\/10 \* \* \* \* \/usr\/local\/bin\/poll\n$/);
    expect(await validates(r, out)).toBe('ok: 1 job\n');
  }, 20_000);

  it('imports Debian\'s tiger and e2scrub_all crontabs: no description from an empty #, names from the program run', async () => {
    const r = rig();
    const tiger = path.join(r.dir, 'tiger.yaml');
    const t = await r.run(['import', '--format', 'system', path.join(CORPUS, 'debian', 'tiger--tiger'), '-o', tiger], { common: false });
    expect(t.code).toBe(0);
    const tigerYaml = readFileSync(tiger, 'utf8');
    expect(tigerYaml).toMatch(/^ {2}tigercron:\n {4}schedule: 0 \* \* \* \*$/m);
    expect(tigerYaml).not.toContain('description');
    expect(tigerYaml).toMatch(/^ {2}env:\n {4}DEFAULT: \/etc\/default\/tiger\n {4}NICETIGER: "10"$/m);
    expect(await validates(r, tiger)).toBe('ok: 1 job\n');

    const e2scrub = path.join(r.dir, 'e2scrub.yaml');
    const e = await r.run(['import', '--format', 'system', path.join(CORPUS, 'debian', 'e2fsprogs--e2scrub_all'), '-o', e2scrub], { common: false });
    expect(e.code).toBe(0);
    expect(e.stdout).toMatch(/e2scrub_all_cron \(.*:\d+\): identical/);
    expect(e.stdout).toMatch(/e2scrub_all \(.*:\d+\): identical/);
    expect(await validates(r, e2scrub)).toBe('ok: 2 jobs\n');
  }, 20_000);

  it('names jobs behind guards, wrappers and pipes, says what a % became, and shares PATH, SHELL and MAILTO in defaults', async () => {
    const r = rig();
    const crontab = path.join(r.dir, 'crontab');
    writeFileSync(crontab, `${readFileSync(path.join(CORPUS, 'user', 'wrappers'), 'utf8')}0 9 * * 1 /usr/bin/bc > /tmp/answer%6 * 7\n`);
    const out = path.join(r.dir, 'tock.yaml');
    const result = await r.run(['import', crontab, '-o', out], { common: false });
    expect(result.code).toBe(0);
    const yaml = readFileSync(out, 'utf8');
    const names = [...yaml.slice(yaml.indexOf('\njobs:')).matchAll(/^ {2}([A-Za-z0-9][\w.-]*):$/gm)].map((m) => m[1]);
    expect(names).toEqual(['rotate-archives', 'reindex', 'prune', 'mail', 'upload-stats', 'cron.nightly', 'sync-mirror', 'dump-db', 'certbot', 'clean-tmp', 'clean-tmp-2', 'bc']);
    expect(yaml).toMatch(/^defaults:\n {2}concurrency: allow\n {2}env:\n {4}PATH: \/usr\/local\/bin:\/usr\/bin:\/bin\n {2}shell: \/bin\/sh\n {2}on_failure:\n/m);
    expect(yaml.match(/PATH:|shell:|sendmail -t/g)).toHaveLength(3);
    expect(yaml).toMatch(/# %: cron ends the command at the first unescaped % and sends the rest to its stdin, each further % a newline: that stdin is the here-document below \(1 line\)\.\n {2}bc:/);
    expect(await validates(r, out)).toBe('ok: 12 jobs\n');
  }, 20_000);

  it('never crashes on a crontab of the corpus: each imports to a jobfile that validates, or says there is nothing to import', async () => {
    const r = rig();
    for (const dir of ['debian', 'user']) {
      for (const file of readdirSync(path.join(CORPUS, dir))) {
        const out = path.join(r.dir, `${file}.yaml`);
        const result = await r.run(['import', '--format', dir === 'debian' ? 'system' : 'user', path.join(CORPUS, dir, file), '-o', out], { common: false });
        if (file === 'rsnapshot--rsnapshot') {
          // All its jobs are commented-out examples.
          expect(result.code).toBe(2);
          expect(result.stderr).toMatch(/expected at least one job line in .*rsnapshot, got none/);
          continue;
        }
        expect([0, 1], `${file}: ${result.stderr}`).toContain(result.code);
        expect(await validates(r, out), file).toMatch(/^ok: \d+ jobs?\n$/);
      }
    }
  }, 120_000);
});

async function validates(r: Rig, file: string): Promise<string> {
  return (await r.run(['validate', '-f', file, '--state-dir', path.join(r.dir, 's')], { common: false })).stdout;
}
