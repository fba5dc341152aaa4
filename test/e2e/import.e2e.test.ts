import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { dedent, Rig } from '../helpers/rig.js';

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
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/wrote .*imported\.yaml: 4 jobs \(1 @reboot entries listed in a comment\)/);
    const yaml = readFileSync(out, 'utf8');
    expect(yaml).toMatch(/^ {2}backup-db:$/m);
    expect(yaml).toMatch(/^ {2}make-report:$/m);
    expect(yaml).toMatch(/^ {2}mail:$/m);
    expect(yaml).toMatch(/^ {2}backup-db-2:$/m);
    expect(yaml).toContain('description: Dump the database every night');
    expect(yaml).toContain('timezone: Europe/London');
    expect(yaml).toContain('timezone: America/New_York');
    expect(yaml).toContain('PATH: /usr/local/bin:/usr/bin:/bin');
    expect(yaml).toContain('sendmail -t');
    expect(yaml).toContain("<<'TOCK_STDIN'");
    expect(yaml).toContain('/usr/local/bin/warm-cache.sh');
    expect((await r.run(['validate', '-f', out, '--state-dir', path.join(r.dir, 's')], { common: false })).stdout).toBe('ok: 4 jobs\n');

    // The proof: identical, except the New York job on a spring-forward night.
    expect(result.stdout).toMatch(/backup-db \(.*:4\): identical/);
    expect(result.stdout).toMatch(/make-report \(.*:5\): identical/);
    // Each spring-forward night in the next 1,000 days: cron runs right after the jump, tock at 03:30.
    expect(result.stdout).toMatch(/backup-db-2 \(.*:9\): \d+ differences?\n {4}cron (20\d\d-03-\d\d)T07:00:00\.000Z {3}tock \1T07:30:00\.000Z/);
  }, 20_000);

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

  it('refuses a crontab cron would not read, naming the line', async () => {
    const r = rig();
    const crontab = path.join(r.dir, 'crontab');
    writeFileSync(crontab, '61 * * * * true\n');
    const result = await r.run(['import', crontab], { common: false });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/crontab:1:1: expected a minute/);
  }, 20_000);
});
