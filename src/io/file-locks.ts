import fs, { readFileSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

import lockfile from 'proper-lockfile';

import type { Lease, LockManager, LockOwner } from '../engine/ports.js';
import { writeFileAtomic } from './atomic-write.js';
import { groupAlive, processAlive, processStartTime } from './proc.js';
import { lockDirFs } from './safe-fs.js';

// proper-lockfile keeps a lock fresh by touching it every UPDATE_MS; a lock not touched for
// STALE_MS may be taken over: its holder is dead, on another host, or stalled. A holder
// provably gone (dead on this host, or its pid reused) is taken over at once instead, so the
// refresh only has to prove a live holder is not stalled: half the staleness (the library's
// own default, and its maximum) is enough, and an idle daemon wakes 8 times a minute for it.
const STALE_MS = 15_000;
const UPDATE_MS = STALE_MS / 2;
// How often a holder looks for a `replace` request aimed at its run.
const REPLACE_POLL_MS = 300;
// How long a dead holder's leftover processes get between SIGTERM and SIGKILL. Its own
// kill_grace is not known here; this bounds how long the new run waits.
const ORPHAN_GRACE_MS = 5_000;

/**
 * Locks shared by every tock process on this state dir: one mkdir-based lock per name
 * (proper-lockfile), an owner file beside it saying which run holds it, and a marker file a
 * `concurrency: replace` run writes to ask the holder to stop.
 */
export function fileLocks(stateLocks: string): LockManager {
  // Absolute, as the library makes its own paths: the release guard compares them.
  const dir = path.resolve(stateLocks);
  const self = { host: hostname(), start: processStartTime(process.pid) };
  const paths = (name: string) => ({
    target: path.join(dir, name),
    // proper-lockfile's lock directory for `target`.
    lock: path.join(dir, `${name}.lock`),
    owner: path.join(dir, `${name}.owner.json`),
    replace: path.join(dir, `${name}.replace.json`),
  });
  return {
    async tryAcquire(name, owner, options) {
      const p = paths(name);
      const lost = new AbortController();
      const guard = guardedFs(p.lock);
      const take = () => lockOnce(p.target, guard.fs, () => { lost.abort('lock-lost'); });
      const release = (await take()) ?? (takeOverFromGone(p, self.host) ? await take() : null);
      if (release === null) return null;
      guard.mine = lockId(p.lock);
      // A holder removes its owner file before releasing, so one still here belongs to a holder
      // that died (or stalled) holding the lock, which was just taken over.
      const previous = readJson(p.owner) as LockOwner | undefined;
      let current: LockOwner = {
        ...owner,
        ...(owner.pid === process.pid && self.start !== undefined ? { pid_start: self.start } : {}),
        ...(guard.mine !== undefined ? { lock_id: guard.mine } : {}),
      };
      // Written before anything slow, so that whoever looks sees the new holder at once.
      writeAtomic(p.owner, current);
      if (previous !== undefined) await stopOrphans(previous);
      // Only a `concurrency: replace` job can be asked to stop: other leases do not poll, so an
      // idle daemon holding its own lock wakes for nothing.
      const watch = options?.replaceable === true
        ? setInterval(() => {
          if ((readJson(p.replace) as { target_run_id?: string } | undefined)?.target_run_id === owner.run_id) lost.abort('replaced');
        }, REPLACE_POLL_MS)
        : undefined;
      watch?.unref();
      // Another holder's record, or another lock directory, means the lock was taken over.
      const stillOurs = (): boolean => {
        const now = readJson(p.owner) as LockOwner | undefined;
        return now?.run_id === owner.run_id && now.pid === owner.pid && lockId(p.lock) === guard.mine;
      };
      const lease: Lease = {
        lost: lost.signal,
        ...(previous !== undefined ? { tookOverFrom: previous } : {}),
        verify() {
          if (lost.signal.aborted) return false;
          if (stillOurs()) return true;
          lost.abort('lock-lost');
          return false;
        },
        setAttemptGroup(pgid) {
          const { pgid: _old, pgid_start: _start, ...rest } = current;
          const start = pgid === undefined ? undefined : processStartTime(pgid);
          current = pgid === undefined ? rest : { ...rest, pgid, ...(start !== undefined ? { pgid_start: start } : {}) };
          writeAtomic(p.owner, current);
        },
        async release() {
          clearInterval(watch);
          // A lost lock is another's now: the library's release would drop that holder's entry
          // when it is this process (its refresh timer with it); the guard keeps its directory.
          const ours = lost.signal.reason !== 'lock-lost' && stillOurs();
          if (ours) rmSync(p.owner, { force: true });
          if ((readJson(p.replace) as { target_run_id?: string } | undefined)?.target_run_id === owner.run_id) rmSync(p.replace, { force: true });
          if (ours) await release().catch(() => undefined); // already released when compromised
        },
      };
      return lease;
    },
    holder(name) {
      return (readJson(paths(name).owner) as LockOwner | undefined) ?? null;
    },
    requestReplace(name, targetRunId, byRunId) {
      writeAtomic(paths(name).replace, { target_run_id: targetRunId, by_run_id: byRunId });
    },
  };
}

type Release = () => Promise<void>;

/** One try at the lock (a stale one is taken over by the library); null when it is held. */
async function lockOnce(target: string, guarded: typeof fs, onCompromised: () => void): Promise<Release | null> {
  try {
    return await lockfile.lock(target, {
      realpath: false,
      stale: STALE_MS,
      update: UPDATE_MS,
      retries: 0,
      fs: guarded, // lockDirFs (0700 lock dirs, no symlinks) with a guarded rmdir
      // The default throws from a timer and would crash the process; stop the run instead.
      onCompromised,
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') return null;
    throw error;
  }
}

/**
 * SPEC 5: a holder provably gone (on this host, its pid dead, a zombie, or reused by another
 * process) cannot be stalled, so its lock is removed now rather than 15 s later. Only when its
 * owner record describes the very lock directory there now: a holder that died between mkdir and
 * writing its record leaves someone else's record, and waits for staleness. True when removed.
 */
function takeOverFromGone(p: { lock: string; owner: string }, host: string): boolean {
  const holder = readJson(p.owner) as LockOwner | undefined;
  const id = lockId(p.lock);
  if (holder === undefined || id === undefined || holder.lock_id !== id || holder.host !== host) return false;
  if (holder.pid === process.pid || processAlive(holder.pid, holder.pid_start)) return false;
  // Checked again just before removing: another taker may have removed and re-made it meanwhile.
  if (lockId(p.lock) !== id) return false;
  try {
    fs.rmdirSync(p.lock);
    return true;
  } catch {
    return false;
  }
}

/**
 * The lock directory's identity: inode plus birth time (an inode is reused at once after rmdir).
 * Undefined when it is gone or the filesystem keeps no birth time, which turns off taking over
 * early and the release guard below (the library's own behaviour then).
 */
function lockId(lock: string): string | undefined {
  try {
    const stat = statSync(lock);
    return stat.birthtimeMs > 0 ? `${String(stat.ino)}:${String(stat.birthtimeMs)}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The fs proper-lockfile uses for one lock, whose rmdir leaves alone a lock directory that is no
 * longer this holder's: after a stall, releasing (or exiting, which the library also hooks)
 * must never remove the lock another process has taken over since.
 */
function guardedFs(lock: string): { fs: typeof fs; mine: string | undefined } {
  const guard: { fs: typeof fs; mine: string | undefined } = { fs, mine: undefined };
  const ours = (target: fs.PathLike): boolean => String(target) !== lock || guard.mine === undefined || lockId(lock) === guard.mine;
  const rmdir = (target: fs.PathLike, callback: fs.NoParamCallback): void => {
    if (ours(target)) fs.rmdir(target, callback);
    else callback(null);
  };
  const rmdirSync = (target: fs.PathLike): void => {
    if (ours(target)) fs.rmdirSync(target);
  };
  // The refresh's stat and utimes on a local directory take microseconds: done synchronously,
  // each refresh is one wake of the main thread, not two round trips through the thread pool.
  const stat = (target: fs.PathLike, callback: (error: NodeJS.ErrnoException | null, stats?: fs.Stats) => void): void => {
    settle(() => fs.statSync(target), callback);
  };
  const utimes = (target: fs.PathLike, atime: fs.TimeLike, mtime: fs.TimeLike, callback: fs.NoParamCallback): void => {
    settle(() => { fs.utimesSync(target, atime, mtime); }, callback);
  };
  guard.fs = { ...lockDirFs, rmdir, rmdirSync, stat, utimes } as unknown as typeof fs;
  return guard;
}

/** Calls back with what `work` returns or throws, outside its try (a throwing callback is not the work's error). */
function settle<T>(work: () => T, callback: (error: NodeJS.ErrnoException | null, value?: T) => void): void {
  let value: T;
  try {
    value = work();
  } catch (error) {
    callback(error as NodeJS.ErrnoException);
    return;
  }
  callback(null, value);
}

/**
 * The dead holder's attempt lives on in its own session: stop it, or the job would overlap
 * itself. Only when its leader's start time proves the pid was not reused since.
 */
async function stopOrphans(previous: LockOwner): Promise<void> {
  const pgid = previous.pgid;
  if (pgid === undefined || previous.pgid_start === undefined || processStartTime(pgid) !== previous.pgid_start) return;
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    return;
  }
  const until = Date.now() + ORPHAN_GRACE_MS;
  while (groupAlive(pgid) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
  if (groupAlive(pgid)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone in between
    }
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Owner and replace files say which live process holds a lock and what it should do: not fsync'd
 * (see writeFileAtomic), like the lock directory itself. After a power cut no holder is alive and
 * a missing or empty owner file only means the lock is taken over by its staleness.
 */
function writeAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value), 0o600, false);
}
