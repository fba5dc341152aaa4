// `tock export systemd`: cron to OnCalendar= conversions, and the units written for each job.
import { describe, expect, it } from 'vitest';

import { toOnCalendar } from '../../src/export/on-calendar.js';
import { exportSystemd } from '../../src/export/systemd.js';
import type { ExportResult } from '../../src/export/types.js';
import { validateText } from '../../src/jobfile/load.js';
import type { Jobfile } from '../../src/jobfile/types.js';
import { parseSchedule } from '../../src/schedule/parse.js';

function convert(text: string, zone = 'UTC'): ReturnType<typeof toOnCalendar> {
  const parsed = parseSchedule(text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.expected}`);
  return toOnCalendar(parsed.schedule, zone);
}

describe('toOnCalendar', () => {
  const table: [string, string, string][] = [
    ['15 2 * * *', 'Europe/London', '*-*-* 02:15:00 Europe/London'],
    ['*/15 * * * *', 'UTC', '*-*-* *:00/15:00 UTC'],
    ['5-55/10 * * * *', 'UTC', '*-*-* *:05/10:00 UTC'],
    ['5-35/10 * * * *', 'UTC', '*-*-* *:05..35/10:00 UTC'],
    ['0 9 * * mon-fri', 'America/New_York', 'Mon..Fri *-*-* 09:00:00 America/New_York'],
    ['0 9 * * 1,3', 'UTC', 'Mon,Wed *-*-* 09:00:00 UTC'],
    ['0 9 * * sat,sun', 'UTC', 'Sat,Sun *-*-* 09:00:00 UTC'],
    ['0 9 * * 0,7', 'UTC', 'Sun *-*-* 09:00:00 UTC'],
    ['0 9 * * */2', 'UTC', 'Tue,Thu,Sat,Sun *-*-* 09:00:00 UTC'],
    ['0 0 1 */3 *', 'UTC', '*-01/3-01 00:00:00 UTC'],
    ['0 0 1 1,7 *', 'UTC', '*-01,07-01 00:00:00 UTC'],
    ['30 4 1,15 * *', 'UTC', '*-*-01,15 04:30:00 UTC'],
    ['0 0 1-10 * *', 'UTC', '*-*-01..10 00:00:00 UTC'],
    ['0 */2 * * *', 'UTC', '*-*-* 00/2:00:00 UTC'],
    ['0 1-23/2 * * *', 'UTC', '*-*-* 01/2:00:00 UTC'],
    ['0 8-18/4 * * *', 'UTC', '*-*-* 08..16/4:00:00 UTC'],
    ['0 0,12 * * *', 'UTC', '*-*-* 00,12:00:00 UTC'],
    ['*/10 * * * * *', 'UTC', '*-*-* *:*:00/10 UTC'],
    ['30 */5 * * * *', 'UTC', '*-*-* *:00/5:30 UTC'],
    ['@daily', 'Asia/Tokyo', '*-*-* 00:00:00 Asia/Tokyo'],
    ['@hourly', 'UTC', '*-*-* *:00:00 UTC'],
    ['@weekly', 'UTC', 'Sun *-*-* 00:00:00 UTC'],
    ['@monthly', 'UTC', '*-*-01 00:00:00 UTC'],
    ['@yearly', 'UTC', '*-01-01 00:00:00 UTC'],
    ['* * * * *', 'UTC', '*-*-* *:*:00 UTC'],
    // Both restricted, but one matches every day: the OR does too.
    ['0 0 1-31 * 1', 'UTC', '*-*-* 00:00:00 UTC'],
    ['0 0 1 * 0-6', 'UTC', '*-*-* 00:00:00 UTC'],
    // A day field starting with * does not restrict, so cron ANDs them, as systemd does.
    ['0 0 */2 * 1-5', 'UTC', 'Mon..Fri *-*-01/2 00:00:00 UTC'],
    // @every counts from 1970 in any zone: written in UTC.
    ['@every 10m', 'America/New_York', '*-*-* *:00/10:00 UTC'],
    ['@every 30s', 'UTC', '*-*-* *:*:00/30 UTC'],
    ['@every 1m', 'UTC', '*-*-* *:*:00 UTC'],
    ['@every 1h', 'UTC', '*-*-* *:00:00 UTC'],
    ['@every 6h', 'Europe/Paris', '*-*-* 00/6:00:00 UTC'],
    ['@every 24h', 'UTC', '*-*-* 00:00:00 UTC'],
    ['@every 7d', 'UTC', 'Thu *-*-* 00:00:00 UTC'],
  ];
  for (const [schedule, zone, expected] of table) {
    it(`${schedule} in ${zone} is ${expected}`, () => {
      expect(convert(schedule, zone)).toEqual({ ok: true, value: expected });
    });
  }

  const refused: [string, RegExp][] = [
    ['0 0 1 * mon', /day of month OR the day of week.*both must match/],
    ['0 0 1,15 * 1-5', /day of month OR the day of week/],
    ['@every 7m', /does not divide a day evenly/],
    ['@every 90m', /divides a day but not a minute, an hour or a day/],
    ['@every 45s', /divides a day but not/],
    ['@every 2d', /does not divide a day evenly/],
  ];
  for (const [schedule, reason] of refused) {
    it(`refuses ${schedule}`, () => {
      const result = convert(schedule);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.reason).toMatch(reason);
        expect(result.reason).toContain(`"${schedule}"`);
      }
    });
  }

  it('refuses an interval of a fraction of a second', () => {
    const result = toOnCalendar({ kind: 'every', text: '@every 1500ms', everyMs: 1500 }, 'UTC');
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/not a whole number of seconds/) as unknown });
  });

  it('refuses a zone systemd cannot read', () => {
    expect(convert('0 0 * * *', 'Not A Zone').ok).toBe(false);
  });
});

const OPTIONS = { jobfile: '/srv/etl/tock.yaml', tock: '/opt/tock/bin/tock.js', node: '/usr/bin/node' };

function load(yaml: string): Jobfile {
  const result = validateText(yaml, OPTIONS.jobfile);
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'));
  return result.jobfile;
}

function exported(yaml: string): ExportResult {
  return exportSystemd(load(yaml), OPTIONS);
}

function file(result: ExportResult, name: string): string {
  const found = result.files.find((f) => f.name === name);
  if (found === undefined) throw new Error(`no ${name} in ${result.files.map((f) => f.name).join(', ')}`);
  return found.text;
}

/** Every value of `key=` in a unit, in order. */
function values(unit: string, key: string): string[] {
  return unit.split('\n').filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));
}

const JOBFILE = `
version: 1
timezone: Europe/London
jobs:
  extract:
    schedule: "15 2 * * *"
    command: ./extract.sh
    timeout: 20m
    retries: 2
    retry_delay: 30s
    jitter: 5m
  load:
    needs: [extract]
    command: ./load.sh
  page:
    needs: [extract]
    when: failure
    command: ./page.sh
  cleanup:
    needs: [load]
    when: always
    command: ./cleanup.sh
    deadline: 1h
  join:
    needs: [load, page]
    command: "true"
  odd:
    schedule: "0 0 1 * mon"
    command: "true"
  nightly:
    schedule: "@daily"
    catchup: none
    command: "true"
    user: backup
  backlog:
    schedule: "0 * * * *"
    timezone: UTC
    catchup: all
    enabled: false
    command: "true"
`;

describe('exportSystemd', () => {
  const result = exported(JOBFILE);

  it('writes a service per exported job, a timer per scheduled one, and a README', () => {
    expect(result.files.map((f) => f.name)).toEqual([
      'tock-extract.service', 'tock-extract.timer',
      'tock-load.service', 'tock-page.service', 'tock-cleanup.service',
      'tock-nightly.service', 'tock-nightly.timer',
      'tock-backlog.service', 'tock-backlog.timer',
      'README.md',
    ]);
    for (const f of result.files) expect(f.text.endsWith('\n')).toBe(true);
  });

  it('runs the job through tock run, so its retries, locks, ledger and hooks apply', () => {
    const service = file(result, 'tock-extract.service');
    expect(values(service, 'Type')).toEqual(['oneshot']);
    expect(values(service, 'ExecStart')).toEqual(['/usr/bin/node /opt/tock/bin/tock.js run extract -f /srv/etl/tock.yaml']);
    expect(service).toMatch(/# `tock run` applies the job's retries, timeout, locks, env, wait_for and hooks/);
    expect(values(service, 'WorkingDirectory')).toEqual(['-/srv/etl']);
  });

  it('wires followers with OnSuccess= and OnFailure= by their `when`', () => {
    expect(values(file(result, 'tock-extract.service'), 'OnSuccess')).toEqual(['tock-load.service']);
    expect(values(file(result, 'tock-extract.service'), 'OnFailure')).toEqual(['tock-page.service']);
    // when: always starts it either way.
    expect(values(file(result, 'tock-load.service'), 'OnSuccess')).toEqual(['tock-cleanup.service']);
    expect(values(file(result, 'tock-load.service'), 'OnFailure')).toEqual(['tock-cleanup.service']);
    expect(values(file(result, 'tock-page.service'), 'OnSuccess')).toEqual([]);
  });

  it('converts the schedule with its zone, and sets AccuracySec=1s', () => {
    const timer = file(result, 'tock-extract.timer');
    expect(values(timer, 'OnCalendar')).toEqual(['*-*-* 02:15:00 Europe/London']);
    expect(values(timer, 'AccuracySec')).toEqual(['1s']);
    expect(values(timer, 'Unit')).toEqual(['tock-extract.service']);
    expect(values(timer, 'WantedBy')).toEqual(['timers.target']);
  });

  it('Persistent= from catchup', () => {
    expect(values(file(result, 'tock-extract.timer'), 'Persistent')).toEqual(['true']);
    expect(values(file(result, 'tock-nightly.timer'), 'Persistent')).toEqual(['false']);
    const backlog = file(result, 'tock-backlog.timer');
    expect(values(backlog, 'Persistent')).toEqual(['true']);
    expect(backlog).toMatch(/# catchup: all: systemd runs one coalesced catch-up run/);
    expect(result.warnings).toContain('job "backlog": catchup: all becomes one catch-up run (systemd\'s Persistent=true runs the missed slots once, coalesced)');
  });

  it('RandomizedDelaySec= with FixedRandomDelay=yes from jitter, and nothing without jitter', () => {
    const timer = file(result, 'tock-extract.timer');
    expect(values(timer, 'RandomizedDelaySec')).toEqual(['300s']);
    expect(values(timer, 'FixedRandomDelay')).toEqual(['yes']);
    expect(values(file(result, 'tock-nightly.timer'), 'RandomizedDelaySec')).toEqual([]);
  });

  it('TimeoutStartSec= covers every attempt, the retry delays and a margin; or the deadline; or is infinity', () => {
    // 3 x (20m + 10s kill_grace) + 30s + 60s delays + 30s margin.
    expect(values(file(result, 'tock-extract.service'), 'TimeoutStartSec')).toEqual([`${String(3 * 1210 + 90 + 30)}s`]);
    // deadline 1h + 10s kill_grace + 30s.
    expect(values(file(result, 'tock-cleanup.service'), 'TimeoutStartSec')).toEqual(['3640s']);
    expect(values(file(result, 'tock-load.service'), 'TimeoutStartSec')).toEqual(['infinity']);
    expect(values(file(result, 'tock-extract.service'), 'KillMode')).toEqual(['mixed']);
    expect(values(file(result, 'tock-extract.service'), 'TimeoutStopSec')).toEqual(['40s']);
  });

  it('leaves User= out: tock switches to the job\'s user itself, as root', () => {
    const service = file(result, 'tock-nightly.service');
    expect(values(service, 'User')).toEqual([]);
    expect(service).toMatch(/# The job runs as user "backup": tock switches to it/);
  });

  it('skips what systemd cannot express, with a warning naming the job and why', () => {
    expect(result.warnings).toContain('job "odd" is not exported: "0 0 1 * mon" runs when the day of month OR the day of week matches '
      + '(cron\'s rule when both are restricted), but in systemd\'s OnCalendar= the weekday only filters the dates (both must match); '
      + 'split it into two jobs, one restricting each field');
    expect(result.warnings.find((w) => w.startsWith('job "join" is not exported'))).toMatch(/needs "load" and "page".*cannot wait for several/);
  });

  it('writes a disabled job\'s timer with a comment, and leaves it out of the README\'s enable command', () => {
    expect(file(result, 'tock-backlog.timer')).toMatch(/# enabled: false in the jobfile: do not enable this timer/);
    const readme = file(result, 'README.md');
    expect(readme).toContain('systemctl enable --now tock-extract.timer tock-nightly.timer\n');
    expect(readme).toContain('cp tock-*.service tock-*.timer /etc/systemd/system/');
    expect(readme).toContain('systemctl daemon-reload');
    expect(readme).toMatch(/## What carries over/);
    expect(readme).toMatch(/## What does not/);
    expect(readme).toMatch(/- odd: "0 0 1 \* mon" runs when/);
  });

  it('skips a follower of a job that was not exported', () => {
    const r = exported(`
version: 1
jobs:
  odd:
    schedule: "0 0 1 * mon"
    command: "true"
  after:
    needs: [odd]
    command: "true"
`);
    expect(r.files.map((f) => f.name)).toEqual(['README.md']);
    expect(r.warnings).toContain('job "after" is not exported: it follows "odd", which is not exported');
  });

  it('does not start a disabled follower', () => {
    const r = exported(`
version: 1
jobs:
  a:
    schedule: "@hourly"
    command: "true"
  b:
    needs: [a]
    enabled: false
    command: "true"
`);
    const service = file(r, 'tock-a.service');
    expect(values(service, 'OnSuccess')).toEqual([]);
    expect(service).toContain('# Not started from here: tock-b.service (enabled: false in the jobfile).');
  });

  it('quotes paths with spaces and escapes % in ExecStart=', () => {
    const r = exportSystemd(load('version: 1\njobs:\n  a:\n    schedule: "@hourly"\n    command: "true"\n'),
      { ...OPTIONS, jobfile: '/srv/my jobs/100%.yaml' });
    expect(values(file(r, 'tock-a.service'), 'ExecStart')).toEqual(['/usr/bin/node /opt/tock/bin/tock.js run a -f "/srv/my jobs/100%%.yaml"']);
  });
});
