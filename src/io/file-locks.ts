import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

import lockfile from 'proper-lockfile';

import type { Lease, LockManager, LockOwner } from '../engine/ports.js';
import { writeFileAtomic } from './atomic-write.js';
import { groupAlive, processStartTime } from './proc.js';
import { lockDirFs } from './safe-fs.js';

// proper-lockfile keeps a lock fresh by touching it every UPDATE_MS; a lock not touched for
// STALE_MS belongs to a dead process and is taken over. SPEC 4 promises takeover within 30 s.
const STALE_MS = 15_000;
const UPDATE_MS = 3_000;
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
export function fileLocks(dir: string): LockManager {
  const paths = (name: string) => ({
    target: path.join(dir, name),
    owner: path.join(dir, `${name}.owner.json`),
    replace: path.join(dir, `${name}.replace.json`),
  });
  return {
    async tryAcquire(name, owner, options) {
      const p = paths(name);
      const lost = new AbortController();
      let release: () => Promise<void>;
      try {
        release = await lockfile.lock(p.target, {
          realpath: false,
          stale: STALE_MS,
          update: UPDATE_MS,
          retries: 0,
          fs: lockDirFs, // lock dirs 0700 whatever the umask; a planted link is refused
          // The default throws from a timer and would crash the process; stop the run instead.
          onCompromised: () => {
            lost.abort('lock-lost');
          },
        });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ELOCKED') return null;
        throw error;
      }
      // A holder removes its owner file before releasing, so one still here belongs to a holder
      // that died holding the lock (proper-lockfile just removed its stale lock).
      const previous = readJson(p.owner) as LockOwner | undefined;
      if (previous !== undefined) await stopOrphans(previous);
      let current: LockOwner = owner;
      writeAtomic(p.owner, current);
      // Only a `concurrency: replace` job can be asked to stop: other leases do not poll, so an
      // idle daemon holding its own lock wakes for nothing.
      const watch = options?.replaceable === true
        ? setInterval(() => {
          if ((readJson(p.replace) as { target_run_id?: string } | undefined)?.target_run_id === owner.run_id) lost.abort('replaced');
        }, REPLACE_POLL_MS)
        : undefined;
      watch?.unref();
      const lease: Lease = {
        lost: lost.signal,
        ...(previous !== undefined ? { tookOverFrom: previous } : {}),
        setAttemptGroup(pgid) {
          const { pgid: _old, pgid_start: _start, ...rest } = current;
          const start = pgid === undefined ? undefined : processStartTime(pgid);
          current = pgid === undefined ? rest : { ...rest, pgid, ...(start !== undefined ? { pgid_start: start } : {}) };
          writeAtomic(p.owner, current);
        },
        async release() {
          clearInterval(watch);
          if ((readJson(p.owner) as LockOwner | undefined)?.run_id === owner.run_id) rmSync(p.owner, { force: true });
          if ((readJson(p.replace) as { target_run_id?: string } | undefined)?.target_run_id === owner.run_id) rmSync(p.replace, { force: true });
          await release().catch(() => undefined); // already released when compromised
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

function writeAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value), 0o600);
}
