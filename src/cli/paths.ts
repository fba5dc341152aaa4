import { accessSync, constants, existsSync, lstatSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { checkStateDir, ensureDir, ensureStateDir } from '../io/ensure-dir.js';
import { assertPrivateDir } from '../io/safe-fs.js';
import { describePathProblem, pathProblemError } from '../util/fs-problem.js';
import { UserError } from '../util/user-error.js';

export interface CommonOptions {
  jobfile?: string;
  stateDir?: string;
  color?: boolean;
}

/** SPEC 1: -f, then $TOCK_JOBFILE, ./tock.yaml, $XDG_CONFIG_HOME/tock/tock.yaml, /etc/tock/tock.yaml. */
export function findJobfile(options: CommonOptions, env: NodeJS.ProcessEnv): string {
  if (options.jobfile !== undefined) return notADirectory(path.resolve(options.jobfile), '-f/--jobfile');
  if (env.TOCK_JOBFILE !== undefined && env.TOCK_JOBFILE !== '') return notADirectory(path.resolve(env.TOCK_JOBFILE), '$TOCK_JOBFILE');
  const config = env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  const candidates = [path.resolve('tock.yaml'), path.join(config, 'tock', 'tock.yaml'), '/etc/tock/tock.yaml'];
  const found = candidates.find((c) => existsSync(c));
  if (found !== undefined) return found;
  throw new UserError('jobfile-missing', `expected a jobfile, found none in ${candidates.join(', ')}`,
    'write a starter one here with `tock init` (or `tock init --example pipeline`), or pass one with -f FILE or TOCK_JOBFILE');
}

/**
 * A jobfile path that names a directory is the commonest slip (`-f examples/`): say so, and name
 * the jobfile in it when there is one. What else can go wrong reading it is `readTextFile`'s.
 */
function notADirectory(file: string, who: string): string {
  if (!isDirectory(file)) return file;
  const inside = path.join(file, 'tock.yaml');
  throw new UserError('usage', `${who}: expected the jobfile, a YAML file, got a directory: ${file}`,
    existsSync(inside) ? `name the file: ${who.startsWith('$') ? 'TOCK_JOBFILE=' : '-f '}${inside}`
      : `name a YAML file in it, or write a starter one there with: tock init -f ${inside}`);
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/**
 * SPEC 1: --state-dir, then $TOCK_STATE_DIR, the jobfile's state_dir, $XDG_STATE_HOME/tock for a
 * user, /var/lib/tock for root. For a command that writes: created 0700 with its ledger/, locks/
 * and logs/, and refused (a UserError, exit 2) unless it and they belong to tock's user and no
 * one else can write them: in a directory others can write, they could plant a link that makes
 * tock (as root) append to any file.
 */
export function resolveStateDir(options: CommonOptions, env: NodeJS.ProcessEnv, fromJobfile: string | undefined): string {
  const dir = stateDirPath(options, env, fromJobfile);
  const who = stateDirSource(options, env, fromJobfile);
  try {
    ensureStateDir(dir);
    for (const sub of ['ledger', 'locks', 'logs']) ensureDir(path.join(dir, sub));
    accessSync(dir, constants.W_OK | constants.R_OK);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw pathProblemError(error, who, 'a state dir tock can create and write', dir, 'choose another with --state-dir DIR or TOCK_STATE_DIR', 'state-dir');
  }
  return dir;
}

/**
 * Whether a command that reads may also write in `dir` (to record a dead tock's run
 * `interrupted`): the state dir and its ledger/ exist, are tock's own and private, and writable.
 */
export function mayWriteStateDir(dir: string): boolean {
  try {
    checkStateDir(dir);
    const ledger = path.join(dir, 'ledger');
    assertPrivateDir(ledger, lstatSync(ledger));
    accessSync(ledger, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Where the state dir is, without creating or checking it: for the commands that only read
 * (status, history, logs, why, audit), so they work on a state dir the caller can only read
 * (another user's, a read-only mount); what is missing reads as empty.
 */
export function stateDirPath(options: CommonOptions, env: NodeJS.ProcessEnv, fromJobfile: string | undefined): string {
  const dir = path.resolve(options.stateDir ?? nonEmpty(env.TOCK_STATE_DIR) ?? fromJobfile ?? defaultStateDir(env));
  // A file there would read as an empty ledger (`status` saying "never ran"): say what it is.
  const kind = kindOfNonDirectory(dir);
  if (kind !== undefined) {
    throw new UserError('state-dir', `${stateDirSource(options, env, fromJobfile)}: expected the state dir, a directory, got ${kind}: ${dir}`,
      'choose a directory (tock creates it when missing) with --state-dir DIR or TOCK_STATE_DIR, or move that file away');
  }
  return dir;
}

/** Which setting named the state dir, for messages. */
function stateDirSource(options: CommonOptions, env: NodeJS.ProcessEnv, fromJobfile: string | undefined): string {
  if (options.stateDir !== undefined) return '--state-dir';
  if (nonEmpty(env.TOCK_STATE_DIR) !== undefined) return '$TOCK_STATE_DIR';
  return fromJobfile !== undefined ? 'the jobfile\'s state_dir' : 'the default state dir';
}

/** What stands at `file` when it is there and not a directory (symbolic links followed). */
function kindOfNonDirectory(file: string): string | undefined {
  try {
    const stats = statSync(file);
    if (stats.isDirectory()) return undefined;
    return stats.isFile() ? 'a regular file' : 'something that is not a directory';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOTDIR' ? describePathProblem(error) : undefined;
  }
}

/** The state dir when nothing names one: /var/lib/tock for root, else $XDG_STATE_HOME/tock (~/.local/state/tock). */
export function defaultStateDir(env: NodeJS.ProcessEnv): string {
  if (process.getuid?.() === 0) return '/var/lib/tock';
  return path.join(nonEmpty(env.XDG_STATE_HOME) ?? path.join(os.homedir(), '.local', 'state'), 'tock');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
