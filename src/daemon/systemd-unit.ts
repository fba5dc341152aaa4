import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { InternalError } from '../util/unreachable.js';

export interface SystemdUnitInput {
  /** Absolute path of the node binary. */
  node: string;
  /** Absolute path of tock's `bin/tock.js`; its package's README is the unit's documentation. */
  tock: string;
  /** Absolute path of the jobfile. */
  jobfile: string;
  /** Absolute path of the state dir. */
  stateDir: string;
  /** Every job's working dir (absolute); they stay writable under the sandbox. */
  workdirs: readonly string[];
  /** The largest kill_grace of any job, in milliseconds. */
  maxKillGraceMs: number;
  /** A user unit (`systemctl --user`) rather than a system one. */
  user: boolean;
}

/** Time tock needs beyond the largest kill_grace to record the killed runs and exit. */
const STOP_MARGIN_S = 30;

/** The dirs ProtectHome= hides or freezes. */
const HOME_DIRS = ['/home', '/root', '/run/user'];

/** The dirs PrivateTmp= replaces. */
const TMP_DIRS = ['/tmp', '/var/tmp'];

/**
 * The text of `tock.service` (SPEC 5): `tock daemon` on one jobfile in the foreground, reloaded
 * with HUP, restarted when it fails, stopped the way tock stops its runs, and sandboxed so that
 * only the state dir and the jobs' working dirs are writable.
 */
export function systemdUnit(input: SystemdUnitInput): string {
  for (const p of [input.node, input.tock, input.jobfile, input.stateDir, ...input.workdirs]) {
    if (!path.isAbsolute(p)) throw new InternalError(`systemdUnit: expected an absolute path, got ${JSON.stringify(p)}`);
  }
  const writable = writablePaths([input.stateDir, ...input.workdirs]);
  const underHome = writable.filter((p) => HOME_DIRS.some((home) => isWithin(p, home)));
  // A private /tmp would hide the jobfile, tock or a writable dir that lives in the real one.
  const needed = [...writable, ...[input.node, input.tock, input.jobfile].filter((f) => !writable.some((dir) => isWithin(f, dir)))];
  const inTmp = needed.filter((p) => TMP_DIRS.some((tmp) => isWithin(p, tmp)));
  const graceS = Math.ceil(input.maxKillGraceMs / 1000);
  const readme = path.join(path.dirname(path.dirname(input.tock)), 'README.md');
  const exec = [input.node, input.tock, 'daemon', '-f', input.jobfile, '--state-dir', input.stateDir];

  const unit = [
    `# tock.service: runs \`tock daemon\` on ${printable(input.jobfile)}.`,
    '# Written by `tock service install`; run it again when tock, node, the jobfile or a',
    `# job's working dir moves, then \`systemctl${input.user ? ' --user' : ''} daemon-reload\`.`,
    '',
    '[Unit]',
    `Description=${escapeSpecifiers(`tock: the jobs of ${printable(input.jobfile)}`)}`,
    `Documentation=${escapeSpecifiers(pathToFileURL(readme).href)}`,
    ...(input.user
      ? ['# No network-online.target: a user manager cannot order itself after system units.']
      : ['# Jobs usually reach the network: start once it is up, not merely configured.',
        'Wants=network-online.target',
        'After=network-online.target']),
    '',
    '[Service]',
    '# tock stays in the foreground; "exec" makes a missing node or tock fail the start.',
    'Type=exec',
    `ExecStart=${exec.map(quoteExecArg).join(' ')}`,
    '# SIGHUP re-reads the jobfile; an invalid one is logged and the old one kept.',
    'ExecReload=/bin/kill -HUP $MAINPID',
    'Restart=on-failure',
    'RestartSec=5s',
    '# Exit 2 is an invalid jobfile or another usage mistake: restarting will not fix it.',
    'RestartPreventExitStatus=2',
    '# SIGTERM goes to tock alone: it starts nothing new, TERMs each run\'s process group and',
    '# KILLs it after the job\'s kill_grace. Only what is left after TimeoutStopSec gets',
    '# SIGKILL from systemd, across the whole cgroup.',
    'KillMode=mixed',
    '# The unit\'s cgroup is tock\'s to manage: tock moves itself into its leaf tock-main and gives',
    '# each attempt a cgroup of its own, so a timeout kills every process a job started, even one',
    '# that left its process group (setsid, a double fork).',
    'Delegate=yes',
    `# The largest kill_grace (${String(graceS)}s) plus ${String(STOP_MARGIN_S)}s to record the killed runs and exit.`,
    `TimeoutStopSec=${String(graceS + STOP_MARGIN_S)}s`,
    '# Sandboxing. NoNewPrivileges stops setuid programs from gaining privileges, so sudo, su',
    '# and the like fail inside jobs; drop this line if a job needs one.',
    ...(input.user ? [] : ['# tock runs as root and can still start a job as its `user:`.']),
    'NoNewPrivileges=yes',
    '# The file system is read-only except the state dir and the jobs\' working dirs (and /dev,',
    '# /proc, /sys); add a ReadWritePaths= line for any other place a job writes.',
    ...(input.user
      ? ['# In a user unit, these settings need unprivileged user namespaces: if the start',
        '# fails with status 226/NAMESPACE, the kernel does not allow them; remove those lines.']
      : []),
    'ProtectSystem=strict',
    `ReadWritePaths=${writable.map((p) => quoteWord(escapeSpecifiers(p))).join(' ')}`,
    ...homeLines(input.user, underHome),
    ...tmpLines(inTmp),
    '',
    '[Install]',
    `WantedBy=${input.user ? 'default.target' : 'multi-user.target'}`,
  ];
  return `${unit.join('\n')}\n`;
}

function homeLines(user: boolean, underHome: readonly string[]): string[] {
  if (user) return ['# No ProtectHome=: a user\'s jobs live in their home.'];
  if (underHome.length > 0) {
    return [`# No ProtectHome=: it would make ${underHome.map(printable).join(', ')} read-only.`];
  }
  return ['# /home, /root and /run/user are read-only: no job works there.', 'ProtectHome=read-only'];
}

function tmpLines(inTmp: readonly string[]): string[] {
  if (inTmp.length > 0) {
    return [`# No PrivateTmp=: a private /tmp would hide ${inTmp.map(printable).join(', ')}.`];
  }
  return ['# Jobs get their own /tmp and /var/tmp, emptied when the service stops; use the state dir',
    '# or a working dir for files another program must see.',
    'PrivateTmp=yes'];
}

/** Sorted, without repeats, and without any dir inside another already listed. */
function writablePaths(paths: readonly string[]): string[] {
  const sorted = [...new Set(paths.map((p) => path.resolve(p)))].sort();
  return sorted.filter((p) => !sorted.some((other) => other !== p && isWithin(p, other)));
}

function isWithin(p: string, dir: string): boolean {
  const relative = path.relative(dir, p);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** A path for a comment or Description=, on one line. */
function printable(p: string): string {
  return p.replace(/\p{Cc}/gu, '?');
}

/** `%` starts a specifier (%h, %n...) in most unit settings; `%%` is a literal one. */
function escapeSpecifiers(text: string): string {
  return text.replaceAll('%', '%%');
}

/** One ExecStart= argument: specifiers and `$VAR` expansion escaped, then quoted if needed. */
function quoteExecArg(arg: string): string {
  return quoteWord(escapeSpecifiers(arg).replaceAll('$', '$$$$'));
}

/**
 * systemd splits these settings on whitespace and honours double quotes with C escapes
 * inside (systemd.syntax(7)); a word with nothing special stays bare.
 */
function quoteWord(word: string): string {
  if (word !== '' && !/[\s"'\\;\p{Cc}]/u.test(word)) return word;
  // eslint-disable-next-line no-control-regex -- control characters are what this escapes
  const escaped = word.replace(/[\\"\x00-\x1f\x7f]/g, (c) =>
    c === '\\' || c === '"' ? `\\${c}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `"${escaped}"`;
}
