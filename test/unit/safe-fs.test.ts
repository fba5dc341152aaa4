import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { listenWarning } from '../../src/cli/listen-warning.js';
import { ensureDir, ensureStateDir } from '../../src/io/ensure-dir.js';
import { lockDirFs, openAppend } from '../../src/io/safe-fs.js';
import { UserError } from '../../src/util/user-error.js';
import { tempDirs } from '../helpers/temp-dir.js';

const tempDir = tempDirs('tock-safe-fs');
const isRoot = process.getuid?.() === 0;

/** The UserError `fn` throws (the test fails if it throws anything else or nothing). */
function refusal(fn: () => unknown): UserError {
  try {
    fn();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a refusal, got none');
}

describe('openAppend', () => {
  it('creates the file 0600 and appends to it; a file of ours left wider gets 0600 back', () => {
    const file = path.join(tempDir(), '2026-11.jsonl');
    for (const line of ['one\n', 'two\n']) {
      const fd = openAppend(file);
      writeSync(fd, line);
      closeSync(fd);
    }
    expect(readFileSync(file, 'utf8')).toBe('one\ntwo\n');
    expect(statSync(file).mode & 0o7777).toBe(0o600);
    chmodSync(file, 0o666);
    closeSync(openAppend(file));
    expect(statSync(file).mode & 0o7777).toBe(0o600);
  });

  it('refuses a symbolic link at the path, dangling or not, and writes nothing where it points', () => {
    const dir = tempDir();
    const target = path.join(dir, 'shadow');
    writeFileSync(target, 'secret\n');
    symlinkSync(target, path.join(dir, 'run.log'));
    symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling.log'));
    for (const name of ['run.log', 'dangling.log']) {
      const error = refusal(() => openAppend(path.join(dir, name)));
      expect(error.code).toBe('state-dir');
      expect(error.message).toBe(`${path.join(dir, name)} is a symbolic link: tock never writes through one in its state dir`);
    }
    expect(readFileSync(target, 'utf8')).toBe('secret\n');
    expect(() => lstatSync(path.join(dir, 'nowhere'))).toThrow(/ENOENT/);
  });

  it('refuses a FIFO at the path at once instead of waiting for a reader', () => {
    const fifo = path.join(tempDir(), 'run.log');
    execFileSync('mkfifo', [fifo]);
    expect(refusal(() => openAppend(fifo)).message).toContain(`${fifo} is not a regular file`);
  });

  it.skipIf(!isRoot)('refuses a file another user owns (as root; skipped: chown needs root)', () => {
    const file = path.join(tempDir(), 'run.log');
    writeFileSync(file, '');
    chownSync(file, 65534, 65534);
    expect(refusal(() => openAppend(file)).message).toContain(`${file} is owned by uid 65534 (tock runs as uid 0)`);
  });
});

describe('ensureDir and ensureStateDir', () => {
  it('makes every missing level 0700 and accepts them afterwards', () => {
    const dir = path.join(tempDir(), 'a', 'b');
    ensureDir(dir);
    ensureDir(dir);
    expect(statSync(dir).mode & 0o7777).toBe(0o700);
    expect(statSync(path.dirname(dir)).mode & 0o7777).toBe(0o700);
  });

  it('refuses a private dir that is a symbolic link or that its group or others can write', () => {
    const root = tempDir();
    const real = path.join(root, 'real');
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, path.join(root, 'linked'));
    expect(refusal(() => { ensureDir(path.join(root, 'linked')); }).message).toContain('is a symbolic link');
    chmodSync(real, 0o770);
    expect(refusal(() => { ensureDir(real); }).message).toBe(`${real} is writable by its group (mode 0770): tock refuses it, as cron refuses a writable crontab`);
    chmodSync(real, 0o1777);
    const error = refusal(() => { ensureStateDir(real); });
    expect(error.message).toBe(`state dir ${real} is writable by its group and others (mode 01777): tock refuses it, as cron refuses a writable crontab`);
    expect(error.hint).toContain(`fix: chmod go-w ${real}`);
  });

  it('lets the state dir itself be a link of its owner, and checks what it points to', () => {
    const root = tempDir();
    const real = path.join(root, 'srv-tock');
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, path.join(root, 'tock'));
    ensureStateDir(path.join(root, 'tock'));
    chmodSync(real, 0o777);
    expect(refusal(() => { ensureStateDir(path.join(root, 'tock')); }).message).toContain('mode 0777');
  });

  it('leaves a dir the user named (0755: an export output) unchecked', () => {
    const dir = path.join(tempDir(), 'out');
    mkdirSync(dir, { mode: 0o777 });
    chmodSync(dir, 0o777);
    ensureDir(dir, 0o755);
    expect(statSync(dir).mode & 0o7777).toBe(0o777);
  });
});

describe('lockDirFs.mkdir (what proper-lockfile makes its lock dirs with)', () => {
  const mkdir = (dir: string) => new Promise<NodeJS.ErrnoException | null>((resolve) => { lockDirFs.mkdir(dir, resolve); });

  it('makes the lock dir 0700, and says EEXIST for one that is held', async () => {
    const dir = path.join(tempDir(), 'job.x.lock');
    expect(await mkdir(dir)).toBeNull();
    expect(statSync(dir).mode & 0o7777).toBe(0o700);
    expect((await mkdir(dir))?.code).toBe('EEXIST');
  });

  it('refuses a lock path that is a symbolic link rather than following it', async () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'elsewhere'));
    symlinkSync(path.join(root, 'elsewhere'), path.join(root, 'job.x.lock'));
    const error = await mkdir(path.join(root, 'job.x.lock'));
    expect(error?.code).toBe('ESYMLINK');
    expect(error?.message).toContain('is a symbolic link: tock never writes through one');
  });
});

describe('listenWarning', () => {
  it('warns for every address beyond loopback, by the address the server got', () => {
    const cases: [string, string][] = [['0.0.0.0:9099', '0.0.0.0:9099'], ['[::]:9099', '[::]:9099'], ['myhost:9099', '192.168.1.5:9099'], ['10.0.0.1:0', '10.0.0.1:41234']];
    for (const [listen, bound] of cases) {
      expect(listenWarning(listen, bound)).toMatch(new RegExp(`^tock: warning: --listen ${listen.replace(/[.[\]]/g, '\\$&')} serves /status and /metrics to the network`));
    }
  });

  it('says nothing for 127.0.0.0/8, ::1 (however written) and localhost', () => {
    for (const bound of ['127.0.0.1:9099', '127.1.2.3:9099', '[::1]:9099', '[0:0:0:0:0:0:0:1]:9099', '[::ffff:127.0.0.1]:9099', 'localhost:9099']) {
      expect(listenWarning(bound, bound)).toBeUndefined();
    }
  });
});
