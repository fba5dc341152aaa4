import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { nameOf, planImport } from '../../src/crontab/import.js';
import { writeImport } from '../../src/crontab/import-yaml.js';
import { parseCrontab } from '../../src/crontab/parse.js';
import { compareFirings } from '../../src/crontab/proof.js';
import type { CrontabFormat } from '../../src/crontab/types.js';
import { validateText } from '../../src/jobfile/load.js';

const CORPUS = join(import.meta.dirname, '../fixtures/crontabs');
const NOW = Date.parse('2026-06-01T00:00:00Z');
const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function plan(text: string, format: CrontabFormat = 'user') {
  return planImport(parseCrontab(text, 'crontab', format), text, 'Europe/Paris', NOW, true);
}

describe('job names come from the program that runs', () => {
  it.each([
    ['/usr/local/bin/backup-db.sh --full', 'backup-db'],
    ['cd /srv/app && make report >/dev/null', 'make-report'],
    ['test -e /run/systemd/system || SERVICE_MODE=1 /usr/lib/x86_64-linux-gnu/e2fsprogs/e2scrub_all_cron', 'e2scrub_all_cron'],
    ['test -x /usr/sbin/cron-apt && /usr/sbin/cron-apt', 'cron-apt'],
    ['[ -x /usr/sbin/dma ] && /usr/sbin/dma -q', 'dma'],
    ['if [ -x /usr/sbin/logcheck ]; then nice -n10 /usr/sbin/logcheck; fi', 'logcheck'],
    ['command -v debian-sa1 > /dev/null && debian-sa1 1 1', 'debian-sa1'],
    ['test -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.daily; }', 'cron.daily'],
    ['test -x /usr/sbin/tigercron && { [ -r "$DEFAULT" ] && . "$DEFAULT" ; nice -n$NICETIGER /usr/sbin/tigercron -q ; }', 'tigercron'],
    ['echo "done" | mail -s "report" ops@example.com', 'mail'],
    ["printf 'x\\n' | sort | /usr/local/bin/upload-stats", 'upload-stats'],
    ['cat /var/log/app.log | gzip > /tmp/app.gz', 'gzip'],
    ['echo hi > /tmp/hi', 'echo'],
    ['sudo -u www-data php /srv/site/cron.php', 'php-cron'],
    ['ionice -c 3 nice -n 19 /usr/bin/updatedb', 'updatedb'],
    ['timeout 1h flock -n /run/lock/x.lock /usr/local/bin/sync-mirror', 'sync-mirror'],
    ["su - backup -c '/usr/local/bin/dump-db --gzip'", 'dump-db'],
    ["bash -c 'cd /tmp && ./nightly.sh'", 'nightly'],
    ["perl -e 'sleep int(rand(43200))' && certbot -q renew", 'certbot'],
    ['sleep 600 && /opt/etl/bin/transform --table orders', 'transform'],
    ['A=1 B=2 /opt/bin/job', 'job'],
    ['htmldir=$({ cat /etc/munin/munin.conf || true; } | sed -n p | tail -1); if [ -d "$htmldir" ]; then find "$htmldir/" -delete; fi', 'find'],
    ['/srv/shop/bin/console session:gc >> /var/log/gc.log 2>&1', 'console-session-gc'],
    ['sleep 60', 'sleep'],
    ['[ -x /x ]', 'job'],
    ['/opt/bin/Ünïcode-Tool', 'unicode-tool'],
  ])('%s -> %s', (command, name) => {
    expect(nameOf(command)).toBe(name);
    expect(nameOf(command)).toMatch(JOB_NAME);
  });

  it('is always a valid job name, however odd the command', () => {
    for (const command of ['"$(which foo)" --bar', '~/bin/Ünïcode thing', '---', `/${'x'.repeat(200)}`, '$((1+1))', "'unterminated", '( subshell )']) {
      expect(nameOf(command)).toMatch(JOB_NAME);
      expect(nameOf(command).length).toBeLessThanOrEqual(56);
    }
  });

  it('keeps names unique with -2, -3', () => {
    const { jobs } = plan('0 1 * * * /usr/bin/mailman notify\n0 2 * * * /usr/bin/mailman digests\n0 3 * * * mailman x\n');
    expect(jobs.map((j) => j.name)).toEqual(['mailman', 'mailman-2', 'mailman-3']);
  });
});

describe('planImport', () => {
  it('gives no description for an empty comment, and joins the others', () => {
    const { jobs } = plan('#\n# \n0 * * * * /bin/a\n# Nightly\n#\n# dump\n0 2 * * * /bin/b\n');
    expect(jobs[0]?.fields.description).toBeUndefined();
    expect(jobs[1]?.fields.description).toBe('Nightly dump');
  });

  it('carries a line cron skips and one that never runs, with the line as written and why', () => {
    const p = plan('5/10 * * * * /bin/poll\n0 0 30 2 * /bin/never\n15 3 * * * /bin/ok\n');
    expect(p.jobs.map((j) => j.name)).toEqual(['ok']);
    expect(p.carried).toEqual([
      expect.objectContaining({ line: 1, text: '5/10 * * * * /bin/poll', reason: expect.stringMatching(/^cron skips this line \(column 1: .*5\/10\)$/) as unknown }),
      expect.objectContaining({ line: 2, text: '0 0 30 2 * /bin/never', reason: 'it never runs: no date matches "0 0 30 2 *"' }),
    ]);
  });

  it('puts PATH, SHELL and MAILTO shared by every job in defaults, and keeps what differs on the job', () => {
    const p = plan('PATH=/bin\nSHELL=/bin/bash\nMAILTO=a@example.com\nX=1\n0 1 * * * /bin/a\nX=2\n0 2 * * * /bin/b\n');
    expect(p.defaults).toMatchObject({ concurrency: 'allow', env: { PATH: '/bin' }, shell: '/bin/bash', on_failure: { command: expect.stringContaining("'a@example.com'") as unknown } });
    expect(p.jobs.map((j) => j.fields)).toEqual([
      { schedule: '0 1 * * *', command: '/bin/a', env: { X: '1' } },
      { schedule: '0 2 * * *', command: '/bin/b', env: { X: '2' } },
    ]);
  });

  it('keeps a MAILTO that changes part-way on each job it covers', () => {
    const p = plan('MAILTO=a@example.com\n0 1 * * * /bin/a\nMAILTO=""\n0 2 * * * /bin/b\n');
    expect(p.defaults.on_failure).toBeUndefined();
    expect(p.jobs[0]?.fields.on_failure).toBeDefined();
    expect(p.jobs[1]?.fields.on_failure).toBeUndefined();
  });

  it('names the zone only where it differs from the file\'s', () => {
    const p = plan('0 1 * * * /bin/a\nCRON_TZ=America/New_York\n0 2 * * * /bin/b\nCRON_TZ=Mars/Olympus\n0 3 * * * /bin/c\n');
    expect(p.jobs.map((j) => [j.fields.timezone, j.zone])).toEqual([[undefined, 'Europe/Paris'], ['America/New_York', 'America/New_York']]);
    expect(p.carried[0]?.reason).toBe('its zone "Mars/Olympus" (CRON_TZ/TZ) is not one this host knows');
  });

  it('says what an unescaped % became', () => {
    const p = plan('0 9 * * 1 mail -s hi a@example.com%Hello,%bye\n0 9 * * 2 /bin/x%\n');
    expect(p.jobs[0]?.notes.join('\n')).toMatch(/cron ends the command at the first unescaped % .*each further % a newline.*here-document below \(2 lines\)/);
    expect(p.jobs[0]?.fields.command).toBe("mail -s hi a@example.com <<'TOCK_STDIN'\nHello,\nbye\nTOCK_STDIN");
    expect(p.jobs[1]?.notes.join('\n')).toMatch(/nothing follows it, so stdin is empty/);
    expect(p.jobs[1]?.fields.command).toBe('/bin/x </dev/null');
  });
});

describe('writeImport', () => {
  it('writes a jobfile that validates for every crontab of the corpus', () => {
    for (const [dir, format] of [['debian', 'system'], ['user', 'user']] as const) {
      for (const file of ['e2fsprogs--e2scrub_all', 'tiger--tiger', 'cron-daemon-common--crontab', 'webapp', 'wrappers', 'percent'].filter((f) => f.includes('--') === (dir === 'debian'))) {
        const text = readFileSync(join(CORPUS, dir, file), 'utf8');
        const { yaml } = writeImport(plan(text, format), 'tock.yaml');
        expect(validateText(yaml, 'tock.yaml').ok, file).toBe(true);
      }
    }
  });

  it('carries a line whose {{ }} tock would read as a template, known or not, since cron runs it as written', () => {
    const p = plan('0 3 * * * docker ps --format "{{.Names}}"\n0 4 * * * echo {{ ds }}\n0 5 * * * /bin/ok\n');
    expect(p.jobs.map((j) => j.name)).toEqual(['ok']);
    expect(p.carried.map((c) => c.reason)).toEqual([
      'tock would read the {{ }} in "docker ps --format "{{.Names}}"" as a template; cron runs it as written',
      'tock would read the {{ }} in "echo {{ ds }}" as a template; cron runs it as written',
    ]);
    const { yaml } = writeImport(p, 'tock.yaml');
    expect(yaml).toContain('#   0 3 * * * docker ps --format "{{.Names}}"');
    expect(validateText(yaml, 'tock.yaml').ok).toBe(true);
  });

  it('carries a job tock\'s validation refuses as a comment with the message, and the rest still validates', () => {
    const p = plan('0 3 * * * /bin/refused\n0 4 * * * /bin/ok\n');
    const refused = p.jobs[0];
    if (refused !== undefined) refused.fields.schedule = '0 0 * * * * *';
    const { yaml, plan: after } = writeImport(p, 'tock.yaml');
    expect(after.jobs.map((j) => j.name)).toEqual(['ok']);
    expect(after.carried).toEqual([expect.objectContaining({ line: 1, text: '0 3 * * * /bin/refused', reason: expect.stringMatching(/^tock refuses it: schedule: expected /) as unknown })]);
    expect(yaml).toMatch(/# crontab:1: not imported: tock refuses it: schedule: .*\n {2}# {3}0 3 \* \* \* \/bin\/refused\n/);
    expect(validateText(yaml, 'tock.yaml').ok).toBe(true);
  });

  it('leaves out what tock cannot carry in env or shell, and says so', () => {
    const p = plan('MY-VAR=1\nSHELL=\nOK=2\n0 3 * * * /bin/a\n');
    expect(p.defaults.env).toEqual({ OK: '2' });
    expect(p.defaults.shell).toBeUndefined();
    expect(p.jobs[0]?.notes.join('\n')).toMatch(/MY-VAR=\.\.\. is not in env.*\n.*SHELL= is empty/);
    expect(validateText(writeImport(p, 'tock.yaml').yaml, 'tock.yaml').ok).toBe(true);
  });

  it('keeps a carried line as one comment line, whatever it holds', () => {
    const { yaml } = writeImport(plan('61 * * * * /bin/x\r\n0 1 * * * /bin/ok\n'), 'tock.yaml');
    expect(yaml).toContain('#   61 * * * * /bin/x\\x0d');
    expect(validateText(yaml, 'tock.yaml').ok).toBe(true);
  });
});

describe('the proof compares the whole lists', () => {
  const day = 86_400_000;
  const days = (from: number, n: number) => Array.from({ length: n }, (_, i) => (from + i) * day);

  it('counts what one side has past the end of the other when that side ends early', () => {
    // Lord Howe's `0 2 * * *` once gave 123 instants of 1,000 and was called identical.
    const differences = compareFirings(days(0, 1000), days(0, 123), 1000);
    expect(differences).toHaveLength(877);
    expect(differences[0]).toEqual({ cron: new Date(123 * day).toISOString(), tock: null });
  });

  it('does not count what lies past the cut of two full lists', () => {
    // tock one instant ahead: its last instant is past cron's last only because cron's list was cut.
    const cron = days(0, 1000);
    const tock = [...days(0, 500), 500.5 * day, ...days(500, 499)];
    expect(compareFirings(cron, tock, 1000)).toEqual([{ cron: null, tock: new Date(500.5 * day).toISOString() }]);
  });

  it('is empty only when the lists are equal', () => {
    expect(compareFirings(days(0, 1000), days(0, 1000), 1000)).toEqual([]);
    expect(compareFirings(days(0, 5), days(0, 5), 1000)).toEqual([]);
    expect(compareFirings(days(0, 5), days(0, 4), 1000)).toHaveLength(1);
    expect(compareFirings([], days(0, 3), 1000)).toHaveLength(3);
  });
});
