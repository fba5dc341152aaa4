import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Each run's attempt in a cgroup v2 directory of its own, so a timeout or a kill reaches every
 * process it started, whatever session or process group they moved to (as systemd and
 * Kubernetes stop a unit or a pod). tock writes only below a directory it was given: its own
 * cgroup when systemd delegated it (`Delegate=yes`), or one named with `--cgroup`/`TOCK_CGROUP`.
 * The rest of the tree belongs to systemd.
 */

/** Where a run's cgroups are made, and the name of tock's own leaf when tock lives there. */
export interface CgroupBase {
  dir: string;
}

const CHILD_PREFIX = 'tock-';
const MAIN_LEAF = 'tock-main';

/** The cgroup2 mount points, from /proc/self/mountinfo (field 5; fstype after the ` - `). */
export function cgroup2Mounts(): string[] {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').flatMap((line) => {
      const [left = '', right = ''] = line.split(' - ');
      return right.split(' ')[0] === 'cgroup2' ? [unescapeMount(left.split(' ')[4] ?? '')] : [];
    }).filter((m) => m !== '');
  } catch {
    return [];
  }
}

/** tock's own cgroup v2 directory (`0::/path` of /proc/self/cgroup under the cgroup2 mount). */
export function ownCgroupDir(): string | undefined {
  const [mount] = cgroup2Mounts();
  if (mount === undefined) return undefined;
  try {
    const line = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.startsWith('0::'));
    if (line === undefined) return undefined;
    // resolve: `0::/` (the mount's root) names the mount itself, with no trailing slash to compare.
    return path.resolve(mount, `.${line.slice(3)}`);
  } catch {
    return undefined;
  }
}

/** True when `dir` lies under a cgroup2 mount (and is not the mount itself unless named). */
export function underCgroup2(dir: string): boolean {
  const resolved = path.resolve(dir);
  return cgroup2Mounts().some((m) => resolved === m || resolved.startsWith(`${m}/`));
}

/**
 * systemd marks a delegated cgroup with the `trusted.delegate` (or, for a user manager,
 * `user.delegate`) extended attribute. Node cannot read xattrs, so ask `getfattr`; where it is
 * missing the cgroup counts as not delegated.
 */
export function isDelegated(dir: string): boolean {
  if (!onPath('getfattr')) return false; // the answer without it, and asking would cost two forks
  for (const name of ['trusted.delegate', 'user.delegate']) {
    const result = spawnSync('getfattr', ['--only-values', '-n', name, dir], { encoding: 'utf8', timeout: 2000 });
    if (result.status === 0 && result.stdout.trim() === '1') return true;
  }
  return false;
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => {
    try {
      accessSync(path.join(dir === '' ? '.' : dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Where this process's runs get their cgroups: the named directory, else its own cgroup when
 * delegated, else none (process groups and the escape scan only). When tock itself lives in the
 * directory it first moves into a leaf of its own (`tock-main`), as systemd's Delegate= docs ask:
 * a cgroup v2 directory with processes should not also hold children.
 */
export function resolveCgroupBase(named: string | undefined): CgroupBase | undefined {
  const own = ownCgroupDir();
  let dir: string | undefined;
  if (named !== undefined && named !== '') {
    dir = path.resolve(named);
    if (!underCgroup2(dir) || !existsSync(path.join(dir, 'cgroup.procs'))) throw new Error(`${dir} is not a cgroup v2 directory`);
  } else if (own !== undefined && !cgroup2Mounts().includes(own) && isDelegated(own)) dir = own;
  if (dir === undefined) return undefined;
  if (own === dir) {
    const leaf = path.join(dir, MAIN_LEAF);
    mkdirSync(leaf, { recursive: true });
    writeFileSync(path.join(leaf, 'cgroup.procs'), String(process.pid));
  }
  return { dir };
}

/** Makes the cgroup of one attempt (`tock-<run id>-<n>`) and returns its path. */
export function makeRunCgroup(base: CgroupBase, runId: string, attempt: number): string {
  const dir = path.join(base.dir, `${CHILD_PREFIX}${runId}-${String(attempt)}`.replace(/[^A-Za-z0-9_.-]/g, '_'));
  mkdirSync(dir);
  return dir;
}

/** Moves a process into the cgroup (the child is held before exec until this returns). */
export function enterCgroup(dir: string, pid: number): void {
  writeFileSync(path.join(dir, 'cgroup.procs'), String(pid));
}

/** The pids in a cgroup (and its descendants are not looked at: tock makes none). */
export function cgroupPids(dir: string): number[] {
  try {
    return readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter((l) => l !== '').map(Number);
  } catch {
    return [];
  }
}

/** True while the cgroup has live processes (`populated 1` in cgroup.events). */
export function cgroupPopulated(dir: string): boolean {
  try {
    return /^populated 1$/m.test(readFileSync(path.join(dir, 'cgroup.events'), 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Signals every process of the cgroup. SIGKILL goes through `cgroup.kill` (Linux 5.14+), which
 * cannot miss a process forking at that moment; without it, or for SIGTERM, each pid is signalled.
 */
export function signalCgroup(dir: string, signal: 'SIGTERM' | 'SIGKILL'): void {
  if (signal === 'SIGKILL') {
    try {
      writeFileSync(path.join(dir, 'cgroup.kill'), '1');
      return;
    } catch {
      // older kernel: fall back to the pids
    }
  }
  for (const pid of cgroupPids(dir)) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone already
    }
  }
}

/**
 * Removes an attempt's cgroup once it is empty (waiting up to `waitMs` for killed processes to
 * go). Only directories tock made (`tock-` under a cgroup2 mount) are ever removed.
 */
export async function removeRunCgroup(dir: string, waitMs = 2000): Promise<void> {
  if (!isRunCgroup(dir)) return;
  const until = Date.now() + waitMs;
  while (cgroupPopulated(dir) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  try {
    rmdirSync(dir);
  } catch {
    // still busy, or gone: the next tock that finds it interrupted tries again
  }
}

/** The same, for a caller that cannot wait (it polls for up to `waitMs`, blocking). */
export function removeRunCgroupNow(dir: string, waitMs = 1000): void {
  if (!isRunCgroup(dir)) return;
  const until = Date.now() + waitMs;
  while (cgroupPopulated(dir) && Date.now() < until) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  try {
    rmdirSync(dir);
  } catch {
    // still busy, or gone
  }
}

/** A cgroup tock made for a run: a `tock-*` directory (not tock-main) under a cgroup2 mount. */
export function isRunCgroup(dir: string): boolean {
  const name = path.basename(dir);
  return name.startsWith(CHILD_PREFIX) && name !== MAIN_LEAF && underCgroup2(dir);
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMount(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
