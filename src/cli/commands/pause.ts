import { hostname, userInfo } from 'node:os';
import path from 'node:path';

import type { Jobfile } from '../../jobfile/types.js';
import { fileLocks } from '../../io/file-locks.js';
import type { Pause } from '../../io/pause-store.js';
import { readPauses, writePauses } from '../../io/pause-store.js';
import { closest } from '../../util/suggest.js';
import { UserError } from '../../util/user-error.js';
import { loadForCommand } from '../load-jobfile.js';
import type { CommonOptions } from '../paths.js';
import { resolveStateDir } from '../paths.js';
import { tockCommand } from '../command-hint.js';

export interface PauseOptions extends CommonOptions {
  all?: boolean;
}

// Two `tock pause` at once (a loop in a script) must not lose one's change: the read, change and
// write of the file are done under a lock, held for milliseconds.
const LOCK = '.paused';
const LOCK_WAIT_MS = 10_000;

/**
 * `tock pause JOB...|--all`: the daemon records the jobs' instants `skipped` (paused) from its next
 * wake, without a SIGHUP, until `tock resume`; a run in flight goes on (Kubernetes' suspend).
 */
export async function pauseCommand(names: string[], options: PauseOptions): Promise<void> {
  const jobfile = loadForCommand(options, process.env);
  const asked = selected(names, options, 'pause', [...jobfile.jobs.keys()]);
  checkNames(asked, jobfile.jobs.keys(), jobfile);
  const by = process.env.SUDO_USER ?? accountName();
  await update(resolveStateDir(options, process.env, jobfile.stateDir), (pauses) => {
    for (const name of asked) {
      const before = pauses.get(name);
      if (before !== undefined) {
        console.log(`${name} was already paused${describe(before)}`);
        continue;
      }
      pauses.set(name, { since: new Date().toISOString(), by });
      console.log(`paused ${name} (the daemon skips its instants until ${tockCommand(options, 'resume', name)})`);
    }
  });
}

/** `tock resume JOB...|--all`: the next instant runs; the ones skipped while paused are not caught up. */
export async function resumeCommand(names: string[], options: PauseOptions): Promise<void> {
  const jobfile = loadForCommand(options, process.env);
  await update(resolveStateDir(options, process.env, jobfile.stateDir), (pauses) => {
    // A paused name the jobfile no longer has can still be resumed, so the file can be cleaned.
    const asked = selected(names, options, 'resume', [...pauses.keys()]);
    checkNames(asked, new Set([...jobfile.jobs.keys(), ...pauses.keys()]), jobfile);
    if (asked.length === 0) console.log('no job was paused');
    for (const name of asked) {
      if (!pauses.delete(name)) {
        console.log(`${name} was not paused`);
        continue;
      }
      console.log(`resumed ${name} (the daemon runs its next instant; the ones skipped while paused are not caught up)`);
    }
  }, options.all === true);
}

function selected(names: readonly string[], options: PauseOptions, verb: string, all: readonly string[]): string[] {
  if (options.all === true && names.length > 0) {
    throw new UserError('usage', `expected job names or --all, got both`, `tock ${verb} --all, or tock ${verb} ${names.join(' ')}`);
  }
  if (options.all !== true && names.length === 0) throw new UserError('usage', 'expected at least one job name, or --all', `tock ${verb} JOB... or tock ${verb} --all`);
  return options.all === true ? [...all] : [...new Set(names)];
}

function checkNames(names: readonly string[], knownIn: Iterable<string>, jobfile: Jobfile): void {
  const known = new Set(knownIn);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length === 0) return;
  const guesses = unknown.map((n) => closest(n, known)).filter((g) => g !== undefined);
  throw new UserError('unknown-job', `expected a job from ${jobfile.path}, got ${unknown.map((n) => `"${n}"`).join(', ')}`,
    guesses.length > 0 ? `did you mean ${guesses.map((g) => `"${g}"`).join(', ')}?` : `known jobs: ${[...jobfile.jobs.keys()].join(', ')}`);
}

/**
 * Reads, changes and atomically rewrites `<state>/paused.json` under the pause lock. `repair`
 * (resume --all) reads a file tock cannot parse as empty and writes a good one over it.
 */
async function update(stateDir: string, change: (pauses: Map<string, Pause>) => void, repair = false): Promise<void> {
  const locks = fileLocks(path.join(stateDir, 'locks'));
  const owner = { pid: process.pid, host: hostname(), run_id: `pause-${String(process.pid)}`, job: LOCK };
  const giveUpAt = Date.now() + LOCK_WAIT_MS;
  let lease = await locks.tryAcquire(LOCK, owner);
  while (lease === null) {
    if (Date.now() > giveUpAt) {
      throw new UserError('state-dir', `expected to change ${stateDir}/paused.json, got its lock held for ${String(LOCK_WAIT_MS / 1000)}s`,
        'another tock pause or resume is stuck; try again');
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    lease = await locks.tryAcquire(LOCK, owner);
  }
  try {
    let pauses: Map<string, Pause>;
    let broken = false;
    try {
      pauses = new Map(readPauses(stateDir));
    } catch (error) {
      if (!repair || !(error instanceof UserError)) throw error;
      pauses = new Map();
      broken = true;
    }
    const before = JSON.stringify([...pauses]);
    change(pauses);
    if (broken || JSON.stringify([...pauses]) !== before) writePauses(stateDir, pauses);
  } finally {
    await lease.release();
  }
}

function describe(pause: Pause): string {
  const parts = [pause.since !== '' ? ` since ${pause.since}` : '', pause.by !== '' ? ` by ${pause.by}` : ''].join('');
  return parts === '' ? '' : ` (${parts.trim()})`;
}

function accountName(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${String(process.getuid?.() ?? '?')}`;
  }
}
