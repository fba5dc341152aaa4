import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronFormatFor, fieldValues, parseCrontab, splitPercent } from '../../src/crontab/parse.js';
import type { CrontabFormat } from '../../src/crontab/types.js';

const CORPUS = join(import.meta.dirname, '../fixtures/crontabs');

function parse(text: string, format: CrontabFormat = 'user') {
  return parseCrontab(text, 'crontab', format);
}

function only(text: string, format: CrontabFormat = 'user') {
  const result = parse(text, format);
  expect(result.problems).toEqual([]);
  expect(result.entries).toHaveLength(1);
  const [entry] = result.entries;
  if (entry === undefined) throw new Error('no entry');
  return entry;
}

function problem(text: string, format: CrontabFormat = 'user') {
  const result = parse(text, format);
  expect(result.entries).toEqual([]);
  expect(result.problems).toHaveLength(1);
  const [first] = result.problems;
  if (first === undefined) throw new Error('no problem');
  return { column: first.column, expected: first.expected, got: first.got, line: first.line };
}

describe('the fixture corpus', () => {
  const files = [
    ...readdirSync(join(CORPUS, 'debian')).map((f) => ({ path: join(CORPUS, 'debian', f), format: 'system' as const })),
    ...readdirSync(join(CORPUS, 'user')).map((f) => ({ path: join(CORPUS, 'user', f), format: 'user' as const })),
  ];

  it('holds at least 8 Debian files and the user crontabs', () => {
    expect(files.filter((f) => f.format === 'system').length).toBeGreaterThanOrEqual(8);
    expect(files.filter((f) => f.format === 'user').length).toBeGreaterThanOrEqual(5);
  });

  it.each(files)('$path parses with no problem', ({ path, format }) => {
    const result = parseCrontab(readFileSync(path, 'utf8'), path, format);
    expect(result.problems).toEqual([]);
    for (const entry of result.entries) {
      expect(entry.file).toBe(path);
      expect(entry.command).not.toBe('');
      if (format === 'system') expect(entry.user).toMatch(/^[a-z][-a-z0-9_]*$/);
      if (entry.macro !== '@reboot') expect(fieldValues(entry)).toBeDefined();
    }
  });

  it('reads /etc/crontab from cron-daemon-common whole', () => {
    const path = join(CORPUS, 'debian/cron-daemon-common--crontab');
    const { entries } = parseCrontab(readFileSync(path, 'utf8'), path, 'system');
    expect(entries.map((e) => [e.schedule, e.user])).toEqual([
      ['17 * * * *', 'root'],
      ['25 6 * * *', 'root'],
      ['47 6 * * 7', 'root'],
      ['52 6 1 * *', 'root'],
    ]);
    expect(entries[0]?.command).toBe('cd / && run-parts --report /etc/cron.hourly');
    expect(entries[0]?.env).toEqual({ SHELL: '/bin/sh', PATH: '/usr/local/sbin:/usr/local/bin:/sbin:/bin:/usr/sbin:/usr/bin' });
    // Debian's example block sits directly above the first job, so it is that job's comment.
    expect(entries[0]?.comments[0]).toBe('Example of job definition:');
    expect(entries[0]?.comments.at(-1)).toBe('*  *  *  *  * user-name command to be executed');
    expect(entries[1]?.comments).toEqual([]);
  });

  it('keeps the \\% of mdadm and the @reboot of logcheck', () => {
    const mdadm = parseCrontab(readFileSync(join(CORPUS, 'debian/mdadm--mdadm'), 'utf8'), 'mdadm', 'system').entries[0];
    expect(mdadm?.command).toContain('$(date +%d)');
    expect(mdadm?.raw).toContain('$(date +\\%d)');
    expect(mdadm?.stdin).toBeUndefined();
    const logcheck = parseCrontab(readFileSync(join(CORPUS, 'debian/logcheck--logcheck'), 'utf8'), 'logcheck', 'system');
    expect(logcheck.entries.map((e) => e.macro ?? e.schedule)).toEqual(['@reboot', '2 * * * *']);
    expect(logcheck.entries[0]?.env.MAILTO).toBe('root');
  });
});

describe('lines', () => {
  it('skips blank lines and comments, including indented ones, and numbers lines from 1', () => {
    const result = parse('\n   \n# a comment\n\t# indented\n5 * * * * run\n');
    expect(result.problems).toEqual([]);
    expect(result.entries.map((e) => e.line)).toEqual([5]);
  });

  it('attaches the comment lines directly above an entry, without # and one space', () => {
    const result = parse('# far away\n\n#first\n#  second, indented text\n#\n0 1 * * * a\n0 2 * * * b\n');
    expect(result.entries[0]?.comments).toEqual(['first', ' second, indented text', '']);
    expect(result.entries[1]?.comments).toEqual([]);
  });

  it('does not attach comments across a variable line', () => {
    expect(parse('# about MAILTO\nMAILTO=x\n0 1 * * * a\n').entries[0]?.comments).toEqual([]);
  });

  it('does not treat # after a command as a comment', () => {
    const entry = only('0 1 * * * echo hi # not a comment\n');
    expect(entry.command).toBe('echo hi # not a comment');
  });

  it('reads leading whitespace, tabs and runs of spaces between fields', () => {
    const entry = only('  \t0\t\t1   *  * \t* \t  echo  two  spaces\n');
    expect(entry.fields).toEqual(['0', '1', '*', '*', '*']);
    expect(entry.schedule).toBe('0 1 * * *');
    expect(entry.raw).toBe('echo  two  spaces');
  });

  it('reports an unterminated last line and does not make it an entry', () => {
    const result = parse('0 1 * * * first\n0 2 * * * second');
    expect(result.entries.map((e) => e.raw)).toEqual(['first']);
    expect(result.problems).toEqual([
      { file: 'crontab', line: 2, column: 17, expected: 'a newline at the end of the file', got: 'end of file' },
    ]);
  });

  it('does not mind an unterminated last comment or blank line', () => {
    expect(parse('0 1 * * * a\n# end').problems).toEqual([]);
    expect(parse('0 1 * * * a\n   ').problems).toEqual([]);
    expect(parse('').entries).toEqual([]);
  });

  it('keeps going after a bad line', () => {
    const result = parse('61 * * * * a\n0 1 * * * b\n');
    expect(result.entries.map((e) => e.line)).toEqual([2]);
    expect(result.problems.map((p) => p.line)).toEqual([1]);
  });
});

describe('variables', () => {
  it('reads VAR=value with spaces around = and strips quotes', () => {
    const result = parse(
      [
        'SHELL=/bin/bash',
        'PATH = /usr/bin:/bin',
        'MAILTO=""',
        "CRON_TZ='Europe/London'",
        'TZ="America/New_York"',
        'GREETING = "hello world"  ',
        'ODD="unbalanced',
        '0 1 * * * a',
        '',
      ].join('\n'),
    );
    expect(result.problems).toEqual([]);
    expect(result.entries[0]?.env).toEqual({
      SHELL: '/bin/bash',
      PATH: '/usr/bin:/bin',
      MAILTO: '',
      CRON_TZ: 'Europe/London',
      TZ: 'America/New_York',
      GREETING: 'hello world',
      ODD: '"unbalanced',
    });
  });

  it('gives each entry the variables set above it, as a copy', () => {
    const result = parse('MAILTO=a\n0 1 * * * one\nMAILTO=b\nX=1\n0 2 * * * two\n');
    expect(result.entries.map((e) => e.env)).toEqual([{ MAILTO: 'a' }, { MAILTO: 'b', X: '1' }]);
  });

  it('does not mistake a command with = for a variable', () => {
    expect(only('0 1 * * * FOO=bar run\n').command).toBe('FOO=bar run');
  });
});

describe('fields', () => {
  it('expands numbers, leading zeros, ranges, steps and lists', () => {
    const v = fieldValues(only('05 0-23/6 1-10/3,20 */4 1-5 cmd\n'));
    expect(v?.minute).toEqual([5]);
    expect(v?.hour).toEqual([0, 6, 12, 18]);
    expect(v?.dom).toEqual([1, 4, 7, 10, 20]);
    expect(v?.month).toEqual([1, 5, 9]);
    expect(v?.dow).toEqual([1, 2, 3, 4, 5]);
    expect(v?.domRestricted).toBe(true);
    expect(v?.dowRestricted).toBe(true);
    expect(v?.wildcard).toBe(false);
  });

  it('reads month and day names in any case, alone and in ranges', () => {
    const v = fieldValues(only('0 0 * jan,MAR,Jun-aug mon-FRI,Sun cmd\n'));
    expect(v?.month).toEqual([1, 3, 6, 7, 8]);
    expect(v?.dow).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('takes 0 and 7 as Sunday and folds 7 to 0', () => {
    expect(fieldValues(only('0 0 * * 7 cmd\n'))?.dow).toEqual([0]);
    expect(fieldValues(only('0 0 * * 5-7 cmd\n'))?.dow).toEqual([0, 5, 6]);
    // Vixie's * for the day of week is 0-7, so */2 lands on 0,2,4,6 and */7 on 0 (and 7).
    expect(fieldValues(only('0 0 * * */2 cmd\n'))?.dow).toEqual([0, 2, 4, 6]);
    expect(fieldValues(only('0 0 * * */7 cmd\n'))?.dow).toEqual([0]);
  });

  it('says a day field is restricted unless it starts with *', () => {
    const star = fieldValues(only('0 0 */2 * * cmd\n'));
    expect([star?.domRestricted, star?.dowRestricted]).toEqual([false, false]);
    const both = fieldValues(only('0 0 1,15 * fri cmd\n'));
    expect([both?.domRestricted, both?.dowRestricted]).toEqual([true, true]);
  });

  it('marks Vixie wildcard jobs: * first in minute or hour, or @hourly', () => {
    expect(fieldValues(only('30 * * * * c\n'))?.wildcard).toBe(true);
    expect(fieldValues(only('*/10 3 * * * c\n'))?.wildcard).toBe(true);
    expect(fieldValues(only('0 */12 * * * c\n'))?.wildcard).toBe(true);
    expect(fieldValues(only('30 7-23 * * * c\n'))?.wildcard).toBe(false);
    expect(fieldValues(only('@hourly c\n'))?.wildcard).toBe(true);
    expect(fieldValues(only('@daily c\n'))?.wildcard).toBe(false);
  });

  it('allows a step bigger than the range, as cron does', () => {
    expect(fieldValues(only('*/90 * * * * c\n'))?.minute).toEqual([0]);
  });
});

describe('macros', () => {
  it.each([
    ['@yearly', [0], [0], [1], [1], [0, 1, 2, 3, 4, 5, 6]],
    ['@annually', [0], [0], [1], [1], [0, 1, 2, 3, 4, 5, 6]],
    ['@monthly', [0], [0], [1], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [0, 1, 2, 3, 4, 5, 6]],
    ['@weekly', [0], [0], Array.from({ length: 31 }, (_, i) => i + 1), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [0]],
    ['@daily', [0], [0], Array.from({ length: 31 }, (_, i) => i + 1), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [0, 1, 2, 3, 4, 5, 6]],
    ['@midnight', [0], [0], Array.from({ length: 31 }, (_, i) => i + 1), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [0, 1, 2, 3, 4, 5, 6]],
  ])('%s', (macro, minute, hour, dom, month, dow) => {
    const entry = only(`${macro} cmd\n`);
    expect(entry).toMatchObject({ macro, schedule: macro, raw: 'cmd' });
    expect(entry.fields).toBeUndefined();
    expect(fieldValues(entry)).toMatchObject({ minute, hour, dom, month, dow });
  });

  it('@hourly is minute 0 of every hour', () => {
    expect(fieldValues(only('@hourly cmd\n'))?.hour).toHaveLength(24);
  });

  it('@reboot has no values', () => {
    const entry = only('@reboot /usr/bin/start\n');
    expect(entry.macro).toBe('@reboot');
    expect(fieldValues(entry)).toBeUndefined();
  });

  it('reads a macro with a user column in system format', () => {
    expect(only('@daily\troot\t/usr/bin/x\n', 'system')).toMatchObject({ macro: '@daily', user: 'root', command: '/usr/bin/x' });
  });
});

describe('%', () => {
  it('keeps a command without % as it is', () => {
    expect(splitPercent('echo hi')).toEqual({ raw: 'echo hi', command: 'echo hi' });
  });

  it('turns \\% into % and leaves other backslashes alone', () => {
    expect(only('0 0 * * * date +\\%Y-\\%m \\n\n')).toMatchObject({ raw: 'date +\\%Y-\\%m \\n', command: 'date +%Y-%m \\n' });
    expect(only('0 0 * * * date +\\%Y-\\%m \\n\n').stdin).toBeUndefined();
  });

  it('sends the text after the first % to stdin, each further % a newline, ending in a newline', () => {
    const entry = only('0 9 * * 1 mail -s hi bob%Dear Bob,%%See you.\n');
    expect(entry.command).toBe('mail -s hi bob');
    expect(entry.stdin).toBe('Dear Bob,\n\nSee you.\n');
    expect(entry.raw).toBe('mail -s hi bob%Dear Bob,%%See you.');
  });

  it('reads \\% as % in stdin too', () => {
    expect(splitPercent('cat%100\\% done%')).toEqual({ raw: 'cat%100\\% done%', command: 'cat', stdin: '100% done\n' });
  });

  it('splits at a % after a doubled backslash, as cron does', () => {
    expect(splitPercent('echo \\\\%x')).toEqual({ raw: 'echo \\\\%x', command: 'echo \\\\', stdin: 'x\n' });
  });

  it('gives empty stdin for a trailing %', () => {
    expect(splitPercent('run%')).toEqual({ raw: 'run%', command: 'run', stdin: '' });
  });
});

describe('system format', () => {
  it('reads the user column', () => {
    expect(only('17 *\t* * *\troot\tcd / && run-parts /etc/cron.hourly\n', 'system')).toMatchObject({
      user: 'root',
      command: 'cd / && run-parts /etc/cron.hourly',
    });
  });

  it('has no user in user format', () => {
    expect(only('0 0 * * * root cmd\n').user).toBeUndefined();
  });

  it('reports a missing user column when a path sits where the user should be', () => {
    expect(problem('0 * * * * /usr/bin/backup.sh\n', 'system')).toEqual({
      line: 1,
      column: 11,
      expected: 'a user name (system crontabs have a user column after the schedule)',
      got: '/usr/bin/backup.sh',
    });
  });

  it('reports a line that ends after the schedule', () => {
    expect(problem('0 * * * *\n', 'system')).toMatchObject({ column: 10, got: 'end of line' });
  });

  it('reports a missing command after the user', () => {
    expect(problem('0 * * * * root   \n', 'system')).toEqual({ line: 1, column: 18, expected: 'a command', got: 'end of line' });
  });

  it('picks the format from the path', () => {
    expect(cronFormatFor('/etc/crontab')).toBe('system');
    expect(cronFormatFor('/etc/cron.d/php')).toBe('system');
    expect(cronFormatFor('/var/spool/cron/crontabs/alice')).toBe('user');
    expect(cronFormatFor('crontab.txt')).toBe('user');
    expect(cronFormatFor('/etc/cron.daily/logrotate')).toBe('user');
  });
});

describe('problems, with the column of the bad text', () => {
  const MINUTE = 'a minute field: a number 0-59, *, a range, a step or a list';
  const HOUR = 'an hour field: a number 0-23, *, a range, a step or a list';
  const DOM = 'a day-of-month field: a number 1-31, *, a range, a step or a list';
  const MONTH = 'a month field: a number 1-12, a name (jan-dec), *, a range, a step or a list';
  const DOW = 'a day-of-week field: a number 0-7 (0 and 7 are Sunday), a name (sun-sat), *, a range, a step or a list';

  it.each([
    ['60 * * * * c', 1, MINUTE, '60'],
    ['1,60 * * * * c', 3, MINUTE, '60'],
    ['  x * * * * c', 3, MINUTE, 'x'],
    ['0 24 * * * c', 3, HOUR, '24'],
    ['0 0 0 * * c', 5, DOM, '0'],
    ['0 0 32 * * c', 5, DOM, '32'],
    ['0 0 * 13 * c', 7, MONTH, '13'],
    ['0 0 * 0 * c', 7, MONTH, '0'],
    ['0 0 * january * c', 7, MONTH, 'january'],
    ['0 0 * * 8 c', 9, DOW, '8'],
    ['0 0 * * monday c', 9, DOW, 'monday'],
    ['0 0 * * mon-fry c', 9, DOW, 'mon-fry'],
    ['jan 0 * * * c', 1, MINUTE, 'jan'],
    ['0 0 mon * * c', 5, DOM, 'mon'],
    ['0\t0\t*\t*\tjan\tc', 9, DOW, 'jan'],
    ['1,,2 * * * * c', 3, MINUTE, '1,,2'],
    ['1, * * * * c', 3, MINUTE, '1,'],
    ['1- * * * * c', 1, MINUTE, '1-'],
    ['*-5 * * * * c', 1, MINUTE, '*-5'],
    ['0 0 * * * ', 11, 'a command', 'end of line'],
    ['0 0 * *', 8, DOW, 'end of line'],
    ['0 0', 4, DOM, 'end of line'],
    ['0 0 * * echo hello', 9, DOW, 'echo'],
  ])('%j', (line, column, expected, got) => {
    expect(problem(`${line}\n`)).toEqual({ line: 1, column, expected, got });
  });

  it.each([
    ['*/0 * * * * c', 1, '*/0'],
    ['0 1-10/0 * * * c', 3, '1-10/0'],
    ['*/x * * * * c', 1, '*/x'],
    ['*/ * * * * c', 1, '*/'],
  ])('a step below 1: %j', (line, column, got) => {
    expect(problem(`${line}\n`)).toEqual({ line: 1, column, expected: 'a step of 1 or more, like */5', got });
  });

  it.each([
    ['30-10 * * * * c', 1, 'a range from low to high, like 0-59', '30-10'],
    ['0 0 * * fri-mon c', 9, 'a range from low to high, like 0-7', 'fri-mon'],
    ['0 0 * dec-jan * c', 7, 'a range from low to high, like 1-12', 'dec-jan'],
  ])('a backwards range: %j', (line, column, expected, got) => {
    expect(problem(`${line}\n`)).toEqual({ line: 1, column, expected, got });
  });

  it('a step on a single number', () => {
    expect(problem('0 5/10 * * * c\n')).toEqual({ line: 1, column: 3, expected: 'a step only after * or a range, like */5 or 0-30/5 (Vixie cron skips this line; a tock jobfile reads 5/10 as 5-23/10)', got: '5/10' });
    expect(problem('1,5/10 * * * * c\n')).toEqual({ line: 1, column: 3, expected: 'a step only after * or a range, like */5 or 0-30/5 (Vixie cron skips this line; a tock jobfile reads 5/10 as 5-59/10)', got: '5/10' });
  });

  it('an unknown or wrongly cased macro', () => {
    const expected = 'a schedule macro: @reboot, @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly';
    expect(problem('  @fortnightly c\n')).toEqual({ line: 1, column: 3, expected, got: '@fortnightly' });
    expect(problem('@Daily c\n')).toEqual({ line: 1, column: 1, expected, got: '@Daily' });
  });

  it('a macro with no command', () => {
    expect(problem('@daily\n')).toEqual({ line: 1, column: 7, expected: 'a command', got: 'end of line' });
  });

  it('carries file and line', () => {
    expect(parseCrontab('\n\n0 0 * * 9 c\n', '/etc/cron.d/x', 'system').problems).toEqual([
      { file: '/etc/cron.d/x', line: 3, column: 9, expected: expect.stringContaining('day-of-week') as unknown, got: '9' },
    ]);
  });
});
