import { spawn } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { Result } from '../helpers/rig.js';
import { BIN, waitFor } from '../helpers/rig.js';
import type { Rig } from '../helpers/rig.js';
import { rigsCleanedAfterEach } from '../helpers/rigs.js';

// Issue 11, "Hostile or broken input": a state dir others can write, links planted in it, the
// umask, and --listen beyond loopback. The fault only matters as root (a root tock writing
// through a link reaches any file), and chown to another user needs root.
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

const makeRig = rigsCleanedAfterEach();
const rig = (yaml = JOBFILE): Rig => makeRig(yaml);
const daemons: { child: { kill: (s: NodeJS.Signals) => boolean } }[] = [];
afterEach(() => {
  for (const d of daemons.splice(0)) d.child.kill('SIGKILL');
});

const JOBFILE = `
  version: 1
  jobs:
    hello: { schedule: "@yearly", command: "echo hello from the job" }
`;

/** A root-owned file outside the state dir, as /etc/shadow would be, with its bytes and mtime. */
function victim(r: Rig, name = 'victim'): { file: string; unchanged: () => void } {
  const file = path.join(r.dir, name);
  writeFileSync(file, 'root:precious:19000::::::\n', { mode: 0o600 });
  utimesSync(file, new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'));
  const bytes = readFileSync(file);
  const mtime = statSync(file).mtimeMs;
  return {
    file,
    unchanged: () => {
      expect(readFileSync(file).equals(bytes)).toBe(true);
      expect(statSync(file).mtimeMs).toBe(mtime);
    },
  };
}

/** Every path under `dir` with its type and permission bits, `dir` itself included. */
function tree(dir: string): { path: string; dir: boolean; link: boolean; mode: number }[] {
  const stats = lstatSync(dir);
  const self = { path: dir, dir: stats.isDirectory(), link: stats.isSymbolicLink(), mode: stats.mode & 0o7777 };
  if (!self.dir) return [self];
  return [self, ...readdirSync(dir).flatMap((name) => tree(path.join(dir, name)))];
}

/** `tock ARGS -f jobfile --state-dir state` run to the end as `spawn` is told (a shell first, another uid). */
function runTock(r: Rig, args: string[], how: { viaShell?: string; uid?: number } = {}): Promise<Result> {
  const argv = [process.execPath, BIN, ...args, '-f', r.jobfile, '--state-dir', r.stateDir];
  const [file = '', ...rest] = how.viaShell === undefined ? argv : ['/bin/sh', '-c', `${how.viaShell} && exec "$0" "$@"`, ...argv];
  const child = spawn(file, rest, {
    cwd: r.dir, env: r.env({ HOME: '/nonexistent' }), stdio: ['ignore', 'pipe', 'pipe'],
    ...(how.uid !== undefined ? { uid: how.uid, gid: how.uid } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => { resolve({ code, signal, stdout, stderr }); });
  });
}

describe.skipIf(!isRoot)('a hostile state dir (as root; skipped: chown to another user and the root-only fault need root)', () => {
  it('refuses a state dir owned by another user and writable by everyone (exit 2), and writes nothing in it', async () => {
    const r = rig();
    mkdirSync(r.stateDir);
    chownSync(r.stateDir, NOBODY, NOBODY);
    chmodSync(r.stateDir, 0o777);
    const result = await r.run(['run', 'hello']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`state dir ${r.stateDir} is owned by uid ${String(NOBODY)} (tock runs as uid 0)`);
    expect(result.stderr).toContain('writable by its group and others (mode 0777): tock refuses it, as cron refuses a writable crontab');
    expect(result.stderr).toContain(`fix: chown 0 ${r.stateDir} && chmod go-w ${r.stateDir}`);
    expect(result.stdout).not.toContain('hello from the job');
    expect(readdirSync(r.stateDir)).toEqual([]);
  });

  it('refuses a subdir of its own state dir that others can write, and one that is a symbolic link', async () => {
    const r = rig();
    mkdirSync(path.join(r.stateDir, 'ledger'), { recursive: true, mode: 0o700 });
    mkdirSync(path.join(r.stateDir, 'logs'));
    chmodSync(path.join(r.stateDir, 'logs'), 0o757);
    const writable = await r.run(['run', 'hello']);
    expect(writable.code).toBe(2);
    expect(writable.stderr).toContain(`${path.join(r.stateDir, 'logs')} is writable by others (mode 0757): tock refuses it`);

    chmodSync(path.join(r.stateDir, 'logs'), 0o700);
    rmdirSync(path.join(r.stateDir, 'locks'));
    const elsewhere = path.join(r.dir, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o700 });
    symlinkSync(elsewhere, path.join(r.stateDir, 'locks'));
    const linked = await r.run(['run', 'hello']);
    expect(linked.code).toBe(2);
    expect(linked.stderr).toContain(`${path.join(r.stateDir, 'locks')} is a symbolic link: tock never writes through one in its state dir`);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(r.ledgerText('hello')).toBe('');
  });

  it('never appends a ledger line through a link planted at a segment: the run is refused and the target is unchanged', async () => {
    const r = rig();
    const target = victim(r);
    const jobDir = path.join(r.stateDir, 'ledger', 'hello');
    mkdirSync(jobDir, { recursive: true, mode: 0o700 });
    // This month's segment and next month's, in case the month turns during the test.
    const months = new Set([new Date().toISOString().slice(0, 7), new Date(Date.now() + 60_000).toISOString().slice(0, 7)]);
    for (const month of months) symlinkSync(target.file, path.join(jobDir, `${month}.jsonl`));
    const result = await r.run(['run', 'hello']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`${jobDir}/\\d{4}-\\d{2}\\.jsonl is a symbolic link: tock never writes through one in its state dir`));
    target.unchanged();
  });

  it('never writes job output through a link planted for its run logs: the run is refused and the target is unchanged', async () => {
    const r = rig();
    const target = victim(r);
    const outside = path.join(r.dir, 'outside');
    mkdirSync(outside, { mode: 0o700 });
    mkdirSync(path.join(r.stateDir, 'logs'), { recursive: true, mode: 0o700 });
    symlinkSync(outside, path.join(r.stateDir, 'logs', 'hello'));
    const result = await r.run(['run', 'hello']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${path.join(r.stateDir, 'logs', 'hello')} is a symbolic link`);
    expect(result.stdout).not.toContain('hello from the job');
    expect(readdirSync(outside)).toEqual([]);
    target.unchanged();
  });

  it('never takes a lock through a link planted at the lock dir: the run fails with the reason and the target is unchanged', async () => {
    const r = rig();
    const target = victim(r);
    mkdirSync(path.join(r.stateDir, 'locks'), { recursive: true, mode: 0o700 });
    symlinkSync(target.file, path.join(r.stateDir, 'locks', 'job.hello.lock'));
    const result = await r.run(['run', 'hello']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${path.join(r.stateDir, 'locks', 'job.hello.lock')} is a symbolic link: tock never writes through one`);
    expect(result.stdout).not.toContain('hello from the job');
    expect(r.runs('hello').map((run) => run.outcome)).toEqual(['failed']);
    expect(lstatSync(path.join(r.stateDir, 'locks', 'job.hello.lock')).isSymbolicLink()).toBe(true);
    target.unchanged();
  });

  it('under umask 000 makes every dir 0700 and every file 0600, lock dirs included', async () => {
    const r = rig(`
      version: 1
      jobs:
        hello:
          schedule: "@yearly"
          # What the job's lock looks like while it is held (released and removed afterwards).
          command: 'stat -c "%a %F" "$STATE/locks/job.hello.lock" > ../lock-mode; stat -c "%a" "$STATE/locks/job.hello.owner.json" >> ../lock-mode'
          workdir: ./work
          env: { STATE: ../state }
    `);
    mkdirSync(path.join(r.dir, 'work'));
    const result = await runTock(r, ['run', 'hello'], { viaShell: 'umask 000' });
    expect(result.stderr).toContain('hello success');
    expect(result.code).toBe(0);
    expect(readFileSync(path.join(r.dir, 'lock-mode'), 'utf8')).toBe('700 directory\n600\n');
    const made = tree(r.stateDir);
    // The ledger segment, the job's definition and its run log at least, in their dirs.
    expect(made.filter((e) => !e.dir).map((e) => path.relative(r.stateDir, e.path)).sort()).toEqual([
      expect.stringMatching(/^ledger\/\.definitions\/[0-9a-f]+\.json$/),
      expect.stringMatching(/^ledger\/hello\/\d{4}-\d{2}\.jsonl$/),
      expect.stringMatching(/^logs\/hello\/.+\.log$/),
    ]);
    for (const entry of made) expect({ path: entry.path, link: entry.link, mode: entry.mode.toString(8) }).toEqual({ path: entry.path, link: false, mode: entry.dir ? '700' : '600' });
  });

  it('lets another user read a state dir it cannot write: status and history work and create nothing', async () => {
    const r = rig();
    expect((await r.run(['run', 'hello'])).code).toBe(0);
    // Root opens its state dir to readers (a+rX), as an admin might for a monitoring user.
    for (const entry of tree(r.dir)) chmodSync(entry.path, entry.dir ? 0o755 : 0o644);
    const before = tree(r.stateDir);
    for (const args of [['status', '--json'], ['history', 'hello', '--json']]) {
      const result = await runTock(r, args, { uid: NOBODY });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('"success"');
    }
    expect(tree(r.stateDir)).toEqual(before);
  });
});

describe('daemon --listen beyond loopback', () => {
  /** Starts the daemon on `listen` (port 0: any free port) and returns its stderr once it has started. */
  async function startedOn(listen: string): Promise<string> {
    const r = rig();
    const d = r.start(['daemon', '--listen', listen]);
    daemons.push(d);
    const stderr = await waitFor(() => (/ started jobs=1 /.test(d.output().stderr) ? d.output().stderr : undefined), 10_000, 'the daemon to start');
    d.child.kill('SIGTERM');
    expect((await d.done).code).toBe(0);
    return stderr;
  }

  it('warns at start that 0.0.0.0 serves /status and /metrics to the network', async () => {
    // Only the warning is checked: no request is ever sent to a non-loopback address.
    const stderr = await startedOn('0.0.0.0:0');
    expect(stderr).toMatch(/^tock: warning: --listen 0\.0\.0\.0:0 serves \/status and \/metrics to the network \(0\.0\.0\.0 is not a loopback address\)/m);
    expect(stderr).toContain('listen on 127.0.0.1');
  });

  it('says nothing for a loopback address', async () => {
    const stderr = await startedOn('127.0.0.1:0');
    expect(stderr).toMatch(/ started jobs=1 .*listen=127\.0\.0\.1:\d+/);
    expect(stderr).not.toContain('warning');
  });
});
