import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import lockfile from 'proper-lockfile';

import type { Lease, LockManager, LockOwner } from '../engine/ports.js';

// proper-lockfile keeps a lock fresh by touching it every UPDATE_MS; a lock not touched for
// STALE_MS belongs to a dead process and is taken over. SPEC 4 promises takeover within 30 s.
const STALE_MS = 15_000;
const UPDATE_MS = 3_000;
// How often a holder looks for a `replace` request aimed at its run.
const REPLACE_POLL_MS = 300;

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
    async tryAcquire(name, owner) {
      const p = paths(name);
      const lost = new AbortController();
      let release: () => Promise<void>;
      try {
        release = await lockfile.lock(p.target, {
          realpath: false,
          stale: STALE_MS,
          update: UPDATE_MS,
          retries: 0,
          // The default throws from a timer and would crash the process; stop the run instead.
          onCompromised: () => {
            lost.abort('lock-lost');
          },
        });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ELOCKED') return null;
        throw error;
      }
      let current: LockOwner = owner;
      writeAtomic(p.owner, current);
      const watch = setInterval(() => {
        if ((readJson(p.replace) as { target_run_id?: string } | undefined)?.target_run_id === owner.run_id) lost.abort('replaced');
      }, REPLACE_POLL_MS);
      watch.unref();
      const lease: Lease = {
        lost: lost.signal,
        setAttemptGroup(pgid) {
          const { pgid: _old, ...rest } = current;
          current = pgid === undefined ? rest : { ...rest, pgid };
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

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function writeAtomic(file: string, value: unknown): void {
  const temp = `${file}.${String(process.pid)}.tmp`;
  writeFileSync(temp, JSON.stringify(value), { mode: 0o600 });
  renameSync(temp, file);
}
