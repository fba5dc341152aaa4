import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { BIN, Rig, waitFor } from '../helpers/rig.js';

const rigs: Rig[] = [];
const mounts: string[] = [];
const children: { kill: (s: NodeJS.Signals) => boolean }[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const m of mounts.splice(0)) unmount(m);
  for (const r of rigs.splice(0)) r.cleanup();
});

function rig(yaml: string): Rig {
  const r = new Rig(yaml);
  rigs.push(r);
  return r;
}

function mountTmpfs(dir: string, size: string): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function unmount(dir: string): void {
  try {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  } catch {
    // already gone
  }
}

/** Whether this machine lets the test mount a small tmpfs (root, and no sandbox forbidding it). */
const canMount = ((): boolean => {
  const probe = mkdtempSync(path.join(tmpdir(), 'tock-tmpfs-probe-'));
  const ok = mountTmpfs(probe, '64k');
  if (ok) unmount(probe);
  rmSync(probe, { recursive: true, force: true });
  return ok;
})();

/** A rig whose state dir is a 2 MB tmpfs (0700, as tock wants a state dir), unmounted after the test. */
function fullableRig(yaml: string): Rig {
  const r = rig(yaml);
  if (!mountTmpfs(r.stateDir, '2m')) throw new Error('mount failed after the probe worked');
  mounts.push(r.stateDir);
  return r;
}

/** Writes a filler file until the file system refuses; returns its path. */
function fill(dir: string): string {
  const file = path.join(dir, 'filler');
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
  } finally {
    closeSync(fd);
  }
  return file;
}

function tempFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.tmp'));
}

/**
 * A job's finished runs, skipping a line the disk tore as it filled (as tock's readers do; the
 * rig's helper would throw on it).
 */
function wholeRuns(r: Rig, job: string): { outcome: string; logical_time: string }[] {
  return r.ledgerText(job).split('\n').flatMap((line) => {
    try {
      const event = JSON.parse(line) as { type: string; run: { outcome: string; logical_time: string } };
      return event.type === 'run-finished' ? [event.run] : [];
    } catch {
      return [];
    }
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a full disk', () => {
  it.skipIf(!canMount)('does not stop the daemon: runs fail with the reason, ENOSPC is logged once a minute, and runs are recorded again once space returns', async () => {
    const r = fullableRig(`
      version: 1
      jobs:
        tick: { schedule: "* * * * * *", command: "echo tick" }
    `);
    const d = r.start(['daemon']);
    children.push(d.child);
    await waitFor(() => (wholeRuns(r, 'tick').length >= 2 ? true : undefined), 10_000, 'two runs before the disk fills');
    const before = r.ledgerText('tick').split('\n').filter((l) => l !== '');
    const filler = fill(r.stateDir);
    // Several instants pass on a full disk.
    await sleep(4000);
    expect(d.child.exitCode).toBeNull();
    const fullLog = d.output().stderr;
    expect(fullLog).toMatch(/storage-failed error="no space left on device" lost=\d+/);
    // Once a minute at most: one line for these seconds, whatever failed.
    expect(fullLog.match(/ storage-failed error=/g)?.length).toBe(1);
    expect(fullLog).toMatch(/run-finished job=tick .*outcome=failed reason=storage-failed/);
    expect(fullLog).not.toMatch(/uncaught|unexpected error|internal error/i);

    rmSync(filler);
    const freedAt = new Date().toISOString();
    await waitFor(() => (wholeRuns(r, 'tick').some((run) => run.outcome === 'success' && run.logical_time > freedAt) ? true : undefined), 10_000, 'a run recorded after space returned');
    d.child.kill('SIGTERM');
    const result = await d.done;
    expect(result.code).toBe(0);

    // What was written before the disk filled is still there, every line whole.
    const after = r.ledgerText('tick').split('\n');
    for (const line of before) {
      expect(after).toContain(line);
      expect(() => JSON.parse(line) as unknown).not.toThrow();
    }
    expect(tempFiles(r.stateDir)).toEqual([]);
  }, 30_000);

  it.skipIf(!canMount)('fails `tock run` with exit 1 and a message naming the disk, leaving no temp file; it runs again once space returns', async () => {
    const r = fullableRig(`
      version: 1
      jobs:
        hello: { schedule: "@daily", command: "echo hello" }
    `);
    expect((await r.run(['run', 'hello'])).code).toBe(0);
    const filler = fill(r.stateDir);
    const full = await r.run(['run', 'hello']);
    expect(full.code).toBe(1);
    expect(full.stderr).toMatch(/no space left on device/);
    expect(full.stderr).not.toMatch(/internal error|unexpected error/);
    expect(tempFiles(r.stateDir)).toEqual([]);

    rmSync(filler);
    const again = await r.run(['run', 'hello']);
    expect(again.code).toBe(0);
    expect(wholeRuns(r, 'hello').filter((run) => run.outcome === 'success').length).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it('keeps the job running when `ulimit -f` stops its log, and says the log is incomplete', async () => {
    const r = rig(`
      version: 1
      jobs:
        chatty: { schedule: "@daily", command: "head -c 2000000 /dev/zero | tr '\\\\0' x; echo; echo done > finished" }
    `);
    // 200 KiB of file size: the log reaches it, the ledger's few lines do not.
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn('bash', ['-c', `ulimit -f 200; exec "${process.execPath}" "${BIN}" run chatty -f "${r.jobfile}" --state-dir "${r.stateDir}" > /dev/null`], { env: r.env() });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => { resolve({ code, stderr }); });
    });
    expect(result.stderr).toMatch(/could not write the run's log: file too large/);
    expect(result.code).toBe(0);
    expect(existsSync(path.join(r.dir, 'finished'))).toBe(true);
    expect(r.runs('chatty').at(-1)?.outcome).toBe('success');
  }, 30_000);
});

/** Peak resident memory of a process, in bytes, read while it runs (VmHWM only grows). */
function peakRss(pid: number): number | undefined {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${String(pid)}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/**
 * Runs tock with its stdout read by this test: not at all for `stallMs` (a slow reader), then
 * as fast as it comes. Returns the exit code, tock's peak RSS, and what its stdout carried.
 */
async function runReading(r: Rig, args: string[], stallMs: number, onData: (chunk: Buffer) => void) {
  const child = spawn(process.execPath, [BIN, ...args, '-f', r.jobfile, '--state-dir', r.stateDir], { env: r.env(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let peak = 0;
  const sampler = setInterval(() => { peak = Math.max(peak, peakRss(child.pid ?? 0) ?? 0); }, 50);
  child.stdout.pause();
  setTimeout(() => { child.stdout.on('data', onData); child.stdout.resume(); }, stallMs);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => {
    child.on('exit', () => { peak = Math.max(peak, peakRss(child.pid ?? 0) ?? 0); });
    child.on('close', resolve);
  });
  clearInterval(sampler);
  return { code, peak, stderr };
}

const MiB = 1024 * 1024;

function onlyLog(r: Rig, job: string): string {
  const [file] = r.logFiles(job);
  expect(file).toBeDefined();
  return path.join(r.stateDir, 'logs', job, file ?? '');
}

describe('a flood of output', () => {
  it('keeps tock\'s memory bounded when a job prints 500 MB to a slow reader, and caps the log at log_max, head and tail kept', async () => {
    const r = rig(`
      version: 1
      jobs:
        flood: { schedule: "@daily", log_max: 1MiB, command: "echo first; head -c 500000000 /dev/zero; echo; echo last" }
    `);
    let bytes = 0;
    const result = await runReading(r, ['run', 'flood'], 3000, (chunk) => { bytes += chunk.length; });
    expect(result.code).toBe(0);
    expect(bytes).toBe(6 + 500_000_000 + 1 + 5);
    expect(result.peak).toBeGreaterThan(0);
    expect(result.peak).toBeLessThan(200 * MiB);

    const log = onlyLog(r, 'flood');
    const size = statSync(log).size;
    expect(size).toBeGreaterThan(MiB);
    expect(size).toBeLessThan(MiB + 100);
    const text = readFileSync(log);
    expect(text.subarray(0, 6).toString()).toBe('first\n');
    expect(text.subarray(-6).toString()).toBe('\nlast\n');
    const total = 6 + 500_000_000 + 1 + 5;
    expect(text.toString('latin1')).toContain(`\n[tock: ${String(total - MiB)} bytes cut here]\n`);
  }, 60_000);

  it('prefixes two jobs\' 100 MB lines with no newline in linear time, at line starts only, and caps both logs', async () => {
    const r = rig(`
      version: 1
      defaults: { log_max: 1MiB }
      jobs:
        longa: { schedule: "@daily", command: "head -c 100000000 /dev/zero | tr '\\\\0' a" }
        longb: { schedule: "@daily", command: "head -c 100000000 /dev/zero | tr '\\\\0' b" }
    `);
    const counts = { a: 0, b: 0, lines: 0, badStarts: 0 };
    let atStart = true;
    let startBuf = '';
    const result = await runReading(r, ['run', 'longa', 'longb'], 500, (chunk) => {
      // Every line must start with a job's prefix; payload bytes are counted per job.
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk[i];
        if (atStart || startBuf !== '') {
          startBuf += String.fromCharCode(c ?? 0);
          atStart = false;
          if (startBuf.length < 8) continue;
          if (startBuf !== '[longa] ' && startBuf !== '[longb] ') counts.badStarts++;
          startBuf = '';
          continue;
        }
        if (c === 10) {
          counts.lines++;
          atStart = true;
        } else if (c === 97) counts.a++;
        else if (c === 98) counts.b++;
      }
    });
    expect(result.code).toBe(0);
    expect(counts).toMatchObject({ a: 100_000_000, b: 100_000_000, badStarts: 0 });
    expect(counts.lines).toBeGreaterThanOrEqual(2);
    expect(result.peak).toBeLessThan(200 * MiB);
    for (const job of ['longa', 'longb']) {
      const text = readFileSync(onlyLog(r, job), 'latin1');
      expect(text.length).toBeLessThan(MiB + 100);
      expect(text).toContain(`\n[tock: ${String(100_000_000 - MiB)} bytes cut here]\n`);
    }
  }, 60_000);
});

describe('ledger compact', () => {
  it('prunes run logs older than --keep, keeping the latest run\'s and the latest success\'s', async () => {
    const r = rig(`
      version: 1
      jobs:
        job: { schedule: "@daily", command: "echo out; test ! -f fail" }
    `);
    expect((await r.run(['run', 'job'])).code).toBe(0);
    expect((await r.run(['run', 'job'])).code).toBe(0);
    execFileSync('touch', [path.join(r.dir, 'fail')]);
    expect((await r.run(['run', 'job'])).code).toBe(1);
    const runs = r.runs('job');
    expect(runs.map((run) => run.outcome)).toEqual(['success', 'success', 'failed']);
    const old = (Date.now() - 100 * 86_400_000) / 1000;
    for (const run of runs) utimesSync(run.log, old, old);

    const result = await r.run(['ledger', 'compact', '--keep', '30d']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/removed 1 more run logs older than --keep/);
    expect(runs.map((run) => existsSync(run.log))).toEqual([false, true, true]);
  }, 30_000);
});
