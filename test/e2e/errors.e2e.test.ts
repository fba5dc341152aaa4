// Bad input, end to end: one clear line (plus a hint), the documented exit code, no stack trace.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { Result } from '../helpers/rig.js';
import { ROOT, Rig } from '../helpers/rig.js';

const JOBFILE = `
  version: 1
  jobs:
    hello:
      schedule: "@daily"
      command: echo hello
`;

const cleanups: (() => void)[] = [];
function rig(yaml?: string): Rig {
  const r = new Rig(yaml);
  cleanups.push(() => { r.cleanup(); });
  return r;
}
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tock-e2e-empty-'));
  cleanups.push(() => { rmSync(dir, { recursive: true, force: true }); });
  return dir;
}
afterEach(() => {
  for (const clean of cleanups.splice(0)) clean();
});

/** Runs tock, but SIGKILLs it after `ms` so a hang fails the test instead of wedging the run. */
async function runWithin(r: Rig, args: readonly string[], options: { env?: Record<string, string>; common?: boolean } = {}, ms = 8000): Promise<Result & { hung: boolean }> {
  const { child, done } = r.start(args, options);
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, ms);
  const result = await done;
  clearTimeout(timer);
  return { ...result, hung };
}

/** Exit code, no stack trace, nothing on stdout, and exactly one `tock: error:` line besides hints. */
function expectCleanError(result: Result & { hung?: boolean }, code: number, message: RegExp): string[] {
  expect(result.hung ?? false, 'tock hung and was killed').toBe(false);
  expect(result.code, result.stderr).toBe(code);
  expectNoStack(result.stderr);
  expect(result.stdout).toBe('');
  const lines = result.stderr.split('\n').filter((l) => l.trim() !== '');
  const hints = lines.filter((l) => /^\s+hint: /.test(l) || /^\(Did you mean .*\)$/.test(l));
  const errors = lines.filter((l) => !hints.includes(l));
  expect(errors, result.stderr).toHaveLength(1);
  expect(errors[0]).toMatch(/^tock: error: /);
  expect(errors[0]).toMatch(message);
  return hints;
}

function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/\b[A-Z]\w*Error:/); // "TypeError:", "Error:" ...; tock's own "tock: error:" is lower case
  expect(stderr).not.toMatch(/internal error|unexpected error/);
}

describe('usage errors', () => {
  it('an unknown flag is exit 2', async () => {
    const r = rig(JOBFILE);
    expectCleanError(await runWithin(r, ['run', 'hello', '--bogus']), 2, /--bogus/);
    expect(r.runs('hello')).toHaveLength(0);
  });

  it('an unknown command is exit 2', async () => {
    const r = rig(JOBFILE);
    expectCleanError(await runWithin(r, ['frobnicate'], { common: false }), 2, /frobnicate/);
  });

  it('`tock run` with no job is exit 2', async () => {
    const r = rig(JOBFILE);
    expectCleanError(await runWithin(r, ['run']), 2, /job/);
  });

  it('an unknown job is exit 2 and names the known ones', async () => {
    const r = rig(JOBFILE);
    for (const args of [['run', 'nojob'], ['history', 'nojob'], ['logs', 'nojob']]) {
      const hints = expectCleanError(await runWithin(r, args), 2, /nojob/);
      expect(hints.join('\n')).toContain('hello');
    }
    expect(existsSync(path.join(r.stateDir, 'ledger', 'nojob'))).toBe(false);
  });

  it('a bad --at is exit 2 with a hint about the format', async () => {
    const r = rig(JOBFILE);
    const result = await runWithin(r, ['run', 'hello', '--at', 'yesterday-ish']);
    expectCleanError(result, 2, /--at.*yesterday-ish/);
    expect(result.stderr).toMatch(/ISO 8601|\d{4}-\d\d-\d\d/);
    expect(r.runs('hello')).toHaveLength(0);
  });

  it('history --limit 0 and --outcome nope are exit 2 and name the flag', async () => {
    const r = rig(JOBFILE);
    expectCleanError(await runWithin(r, ['history', '--outcome', 'nope']), 2, /--outcome.*nope/);
    expectCleanError(await runWithin(r, ['history', '--limit', '0']), 2, /--limit/);
  });

  it('--version prints the package version; --help exits 0', async () => {
    const r = rig(JOBFILE);
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const v = await runWithin(r, ['--version'], { common: false });
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout.trim()).toBe(version);
    const help = await runWithin(r, ['--help'], { common: false });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/Usage: tock/);
    expect(help.stdout).toMatch(/\brun\b/);
  });

  it('--help ends with every exit code and its meaning, in the words of the README', async () => {
    const r = rig(JOBFILE);
    const help = await runWithin(r, ['--help'], { common: false });
    const listed = help.stdout.slice(help.stdout.indexOf('Exit codes:')).split('\n').slice(1).filter((l) => l.trim() !== '');
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const documented = [...readme.matchAll(/^\| (\d+) \| (.+) \|$/gm)].map((m) => `${m[1] ?? ''} ${m[2] ?? ''}`);
    expect(listed.map((l) => l.trim().replace(/^(\d+)\s+/, '$1 '))).toEqual(documented);
    expect(documented.map((d) => d.split(' ')[0])).toEqual(['0', '1', '2', '70', '75']);
  });
});

describe('jobfile errors', () => {
  it('a missing -f jobfile is exit 2 and names the path', async () => {
    const r = rig(JOBFILE);
    const missing = path.join(r.dir, 'nope.yaml');
    expectCleanError(await runWithin(r, ['run', 'hello', '-f', missing, '--state-dir', r.stateDir], { common: false }), 2,
      new RegExp(missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });

  it('no jobfile anywhere is exit 2 and lists where tock looked', async () => {
    const r = rig();
    const home = tempDir();
    const config = tempDir();
    const result = await runWithin(r, ['run', 'hello'], { common: false, env: { HOME: home, XDG_CONFIG_HOME: config } });
    expectCleanError(result, 2, /jobfile/);
    expect(result.stderr).toContain(path.join(r.dir, 'tock.yaml'));
    expect(result.stderr).toContain(path.join(config, 'tock', 'tock.yaml'));
    expect(result.stderr).toContain('/etc/tock/tock.yaml');
  });

  it('an invalid jobfile is exit 2 with file:line:col diagnostics, and nothing is run or recorded', async () => {
    const r = rig(`
      version: 1
      jobs:
        bad:
          schedule: "61 * * * *"
          command: touch ran
          retries: lots
    `);
    const result = await runWithin(r, ['run', 'bad']);
    expect(result.hung).toBe(false);
    expect(result.code, result.stderr).toBe(2);
    expectNoStack(result.stderr);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/tock\.yaml:4:\d+/); // the schedule
    expect(result.stderr).toMatch(/tock\.yaml:6:\d+/); // the retries
    expect(result.stderr).toMatch(/^tock: error: .*nothing was run/m);
    expect(existsSync(path.join(r.dir, 'ran'))).toBe(false);
    expect(existsSync(path.join(r.stateDir, 'ledger', 'bad'))).toBe(false);
    expect(r.logFiles('bad')).toEqual([]);
  });
});

describe('state and ledger errors', () => {
  it('a state dir under a regular file is exit 2 with a clear message', async () => {
    const r = rig(JOBFILE);
    const bad = path.join(r.dir, 'a-file', 'state');
    writeFileSync(path.join(r.dir, 'a-file'), '');
    const result = await runWithin(r, ['run', 'hello', '-f', r.jobfile, '--state-dir', bad], { common: false });
    expectCleanError(result, 2, /state dir/);
    expect(result.stderr).toContain(bad);
  });

  it('a state dir that cannot be created (/proc/forbidden) is exit 2 with a clear message, promptly', async () => {
    const r = rig(JOBFILE);
    const result = await runWithin(r, ['run', 'hello', '-f', r.jobfile, '--state-dir', '/proc/forbidden'], { common: false });
    expectCleanError(result, 2, /state dir/);
    expect(result.stderr).toContain('/proc/forbidden');
  });

  it('`tock logs JOB` for a job that never ran is exit 2 with a hint to `tock history`', async () => {
    const r = rig(JOBFILE);
    const hints = expectCleanError(await runWithin(r, ['logs', 'hello']), 2, /hello/);
    expect(hints.join('\n')).toMatch(/tock history/);
  });
});
