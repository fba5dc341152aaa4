// Debian cron for the daemon figures (bench/daemon.mjs): installed if absent (root and apt-get
// only), started at a chosen sub-second with an /etc/cron.d line every minute, its firings read.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { exited, stop, track } from './procs.mjs';

let cronFile;

/** Removes the bench's /etc/cron.d line if one is in place (on any exit of the bench). */
export function removeCronFile() {
  if (cronFile !== undefined) rmSync(cronFile, { force: true });
  cronFile = undefined;
}

function which(bin) {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin']) {
    if (dir !== '' && existsSync(path.join(dir, bin))) return path.join(dir, bin);
  }
  return undefined;
}

/** Pids of running processes called `cron`. */
function cronPids() {
  const out = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'cron') out.push(Number(pid));
    } catch {
      // gone
    }
  }
  return out;
}

/** cron's binary, installing the package when absent (root and apt-get only); or why not. */
export function prepareCron(ctx) {
  if (process.platform !== 'linux') return { skip: `not Linux (${process.platform})` };
  if (process.getuid?.() !== 0) return { skip: 'needs root (an /etc/cron.d file and a second cron daemon)' };
  let bin = which('cron');
  let installed = null;
  if (bin === undefined) {
    if (which('apt-get') === undefined) return { skip: 'cron is not installed and there is no apt-get to install it' };
    ctx.progress('daemon: cron is not installed: apt-get install -y cron');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'cron'], { env, encoding: 'utf8', timeout: 300_000 });
    let res = install();
    if (res.status !== 0) {
      ctx.progress('daemon: apt-get install failed; apt-get update, then again');
      spawnSync('apt-get', ['update'], { env, encoding: 'utf8', timeout: 300_000 });
      res = install();
    }
    bin = which('cron');
    if (res.status !== 0 || bin === undefined) return { skip: `cron is not installed and apt-get install cron failed: ${String(res.stderr ?? res.error?.message ?? '').trim().split('\n').slice(-2).join(' / ')}` };
    installed = 'installed by this bench run (apt-get install -y --no-install-recommends cron)';
  }
  if (!existsSync('/etc/cron.d')) return { skip: 'no /etc/cron.d' };
  const version = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'cron'], { encoding: 'utf8' }).stdout?.trim() || 'unknown';
  return { bin, version, installed, running: cronPids() };
}

/**
 * Starts `cron -f -L 0` at sub-second `phase` (or uses a cron already running), with a line
 * in /etc/cron.d that appends `date +%s.%N` every minute. `collect()` waits for `minutes` lines.
 */
export async function startCron(ctx, prep, dir, minutes, phase) {
  const log = path.join(dir, 'cron-fire.log');
  writeFileSync(log, '');
  cronFile = `/etc/cron.d/tock-bench-fire-${String(process.pid)}`;
  writeFileSync(cronFile, `# tock bench/daemon.mjs: removed when the bench ends\n* * * * * root date +\\%s.\\%N >> ${log}\n`);
  chmodSync(cronFile, 0o644);
  const fileAt = Date.now();
  let child;
  let startedAt;
  let note;
  if (prep.running.length > 0) {
    note = `used the cron already running (pid ${prep.running.join(', ')}); its start phase is not the bench's`;
  } else {
    // cron wakes 1 s + its start's sub-second after each minute: start it at `phase`.
    const wait = (((phase * 1000 - (Date.now() % 1000)) % 1000) + 1000) % 1000;
    await sleep(wait);
    startedAt = Date.now();
    let stderr = '';
    child = track(spawn(prep.bin, ['-f', '-L', '0'], { stdio: ['ignore', 'ignore', 'pipe'] }));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c) => { stderr += c; });
    await sleep(500);
    if (exited(child)) {
      rmSync(cronFile, { force: true });
      cronFile = undefined;
      return { skip: `cron -f -L 0 exited at once (code ${String(child.exitCode)}): ${stderr.trim()}` };
    }
  }
  // A minute boundary counts if cron could have seen the file by then (it rereads /etc/cron.d
  // each minute; a cron started here reads it at start).
  const firstBoundary = Math.ceil((fileAt + 1000) / 60_000) * 60_000;
  const read = () => readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => {
    const [sec, frac = '0'] = l.trim().split('.');
    const ns = BigInt(sec) * 1_000_000_000n + BigInt(frac.padEnd(9, '0').slice(0, 9));
    const minuteNs = (ns / 60_000_000_000n) * 60_000_000_000n;
    return { boundaryMs: Number(minuteNs / 1_000_000n), latencyMs: Number(ns - minuteNs) / 1e6 };
  });
  const deadline = firstBoundary + minutes * 60_000 + 30_000;
  const collect = async () => {
    let got = read();
    while (got.length < minutes && Date.now() < deadline) {
      await sleep(500);
      got = read();
    }
    return got;
  };
  const finish = async () => {
    if (child !== undefined) await stop(child, 5000);
    rmSync(cronFile, { force: true });
    cronFile = undefined;
  };
  return { log, startedAt, note, collect, finish, expectedDoneAt: firstBoundary + (minutes - 1) * 60_000 + 3000 };
}

