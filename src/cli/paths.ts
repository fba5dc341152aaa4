import { accessSync, constants, existsSync, lstatSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { checkStateDir, ensureDir, ensureStateDir } from '../io/ensure-dir.js';
import { assertPrivateDir } from '../io/safe-fs.js';
import { UserError } from '../util/user-error.js';

export interface CommonOptions {
  jobfile?: string;
  stateDir?: string;
  color?: boolean;
}

/** SPEC 1: -f, then $TOCK_JOBFILE, ./tock.yaml, $XDG_CONFIG_HOME/tock/tock.yaml, /etc/tock/tock.yaml. */
export function findJobfile(options: CommonOptions, env: NodeJS.ProcessEnv): string {
  if (options.jobfile !== undefined) return path.resolve(options.jobfile);
  if (env.TOCK_JOBFILE !== undefined && env.TOCK_JOBFILE !== '') return path.resolve(env.TOCK_JOBFILE);
  const config = env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  const candidates = [path.resolve('tock.yaml'), path.join(config, 'tock', 'tock.yaml'), '/etc/tock/tock.yaml'];
  const found = candidates.find((c) => existsSync(c));
  if (found !== undefined) return found;
  throw new UserError('jobfile-missing', `expected a jobfile, found none in ${candidates.join(', ')}`,
    'pass one with -f FILE or set TOCK_JOBFILE (examples/minimal.yaml is a start)');
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
  try {
    ensureStateDir(dir);
    for (const sub of ['ledger', 'locks', 'logs']) ensureDir(path.join(dir, sub));
    accessSync(dir, constants.W_OK | constants.R_OK);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError('state-dir', `expected a state dir tock can write, got ${dir} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      'fix its permissions, or choose another with --state-dir DIR or TOCK_STATE_DIR');
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
  const isRoot = process.getuid?.() === 0;
  const xdg = env.XDG_STATE_HOME !== undefined && env.XDG_STATE_HOME !== '' ? env.XDG_STATE_HOME : path.join(os.homedir(), '.local', 'state');
  return path.resolve(options.stateDir ?? nonEmpty(env.TOCK_STATE_DIR) ?? fromJobfile ?? (isRoot ? '/var/lib/tock' : path.join(xdg, 'tock')));
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
