import { accessSync, constants, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ensureDir } from '../io/ensure-dir.js';
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
 * user, /var/lib/tock for root. Created 0700, with its ledger/, locks/ and logs/.
 */
export function resolveStateDir(options: CommonOptions, env: NodeJS.ProcessEnv, fromJobfile: string | undefined): string {
  const dir = stateDirPath(options, env, fromJobfile);
  try {
    for (const sub of ['', 'ledger', 'locks', 'logs']) ensureDir(path.join(dir, sub));
    accessSync(dir, constants.W_OK | constants.R_OK);
  } catch (error) {
    throw new UserError('state-dir', `expected a state dir tock can write, got ${dir} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      'fix its permissions, or choose another with --state-dir DIR or TOCK_STATE_DIR');
  }
  return dir;
}

/** Where the state dir is, without creating it (for commands that only look, like `audit`). */
export function stateDirPath(options: CommonOptions, env: NodeJS.ProcessEnv, fromJobfile: string | undefined): string {
  const isRoot = process.getuid?.() === 0;
  const xdg = env.XDG_STATE_HOME !== undefined && env.XDG_STATE_HOME !== '' ? env.XDG_STATE_HOME : path.join(os.homedir(), '.local', 'state');
  return path.resolve(options.stateDir ?? nonEmpty(env.TOCK_STATE_DIR) ?? fromJobfile ?? (isRoot ? '/var/lib/tock' : path.join(xdg, 'tock')));
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
