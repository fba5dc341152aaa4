import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { systemdUnit } from '../../daemon/systemd-unit.js';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { ensureDir } from '../../io/ensure-dir.js';
import { UserError } from '../../util/user-error.js';
import { EXIT } from '../exit-codes.js';
import { loadForCommand } from '../load-jobfile.js';
import type { CommonOptions } from '../paths.js';
import { findJobfile, resolveStateDir } from '../paths.js';

/** `tock service install [--user] [--print]` (SPEC 5). */
export interface ServiceOptions extends CommonOptions {
  user?: boolean;
  print?: boolean;
}

/** This package's `bin/tock.js`: this file is `dist/cli/commands/service.js`. */
const TOCK_BIN = fileURLToPath(new URL('../../../bin/tock.js', import.meta.url));

export function serviceInstallCommand(options: ServiceOptions): void {
  const user = options.user === true;
  const target = unitPath(user, process.env);
  if (options.print !== true && !user && process.getuid?.() !== 0) {
    throw new UserError('usage', `expected to run as root to write ${target}, got uid ${String(process.getuid?.())}`,
      'run it with sudo, install a user unit with --user, or see the unit with --print');
  }
  const file = findJobfile(options, process.env);
  const jobfile = loadForCommand(options, process.env);
  const stateDir = resolveStateDir(options, process.env, jobfile.stateDir);
  const jobs = [...jobfile.jobs.values()];
  const unit = systemdUnit({
    node: process.execPath,
    tock: TOCK_BIN,
    jobfile: file,
    stateDir,
    workdirs: jobs.map((j) => j.workdir),
    maxKillGraceMs: Math.max(0, ...jobs.map((j) => j.killGraceMs)),
    user,
  });
  if (options.print === true) {
    process.stdout.write(unit);
    process.exitCode = EXIT.ok;
    return;
  }

  const before = readOrUndefined(target);
  if (before === unit) {
    console.log(`${target} is already up to date`);
  } else {
    // Units are world-readable config, like every unit systemd ships.
    ensureDir(path.dirname(target), 0o755);
    writeFileAtomic(target, unit, 0o644);
    console.log(before === undefined ? `wrote ${target}` : `overwrote ${target} (it differed from this jobfile's unit)`);
  }
  const systemctl = user ? 'systemctl --user' : 'systemctl';
  console.log('next:');
  console.log(`  ${systemctl} daemon-reload && ${systemctl} enable --now tock`);
  console.log(`  ${user ? 'journalctl --user' : 'journalctl'} -u tock -f     # its log`);
  if (user) console.log('  loginctl enable-linger "$USER"     # to keep it running while you are logged out');
  process.exitCode = EXIT.ok;
}

/** /etc/systemd/system, or $XDG_CONFIG_HOME/systemd/user (~/.config/systemd/user) for --user. */
function unitPath(user: boolean, env: NodeJS.ProcessEnv): string {
  if (!user) return '/etc/systemd/system/tock.service';
  const config = env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  return path.join(path.resolve(config), 'systemd', 'user', 'tock.service');
}

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
