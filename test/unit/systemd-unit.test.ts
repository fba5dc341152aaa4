// The systemd unit `tock service install` writes (SPEC 5), built from plain inputs.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import type { SystemdUnitInput } from '../../src/daemon/systemd-unit.js';
import { systemdUnit } from '../../src/daemon/systemd-unit.js';
import { loadJobfile } from '../../src/jobfile/load.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const BASE: SystemdUnitInput = {
  node: '/usr/bin/node',
  tock: '/usr/local/lib/node_modules/tock/bin/tock.js',
  jobfile: '/etc/tock/tock.yaml',
  stateDir: '/var/lib/tock',
  workdirs: ['/etc/tock'],
  maxKillGraceMs: 10_000,
  user: false,
};

/** Every `Key=value` of a section, comments left out, in order. */
function section(unit: string, name: string): [string, string][] {
  const lines = unit.split('\n');
  const start = lines.indexOf(`[${name}]`);
  expect(start, `[${name}] section`).toBeGreaterThanOrEqual(0);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((l) => l.startsWith('['));
  return (end === -1 ? rest : rest.slice(0, end))
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => {
      const eq = l.indexOf('=');
      return [l.slice(0, eq), l.slice(eq + 1)];
    });
}

/** The values of one key in a section (a key may repeat). */
function values(unit: string, name: string, key: string): string[] {
  return section(unit, name).filter(([k]) => k === key).map(([, v]) => v);
}

function value(unit: string, name: string, key: string): string | undefined {
  const found = values(unit, name, key);
  expect(found.length, `${key}= at most once`).toBeLessThanOrEqual(1);
  return found[0];
}

describe('systemdUnit', () => {
  it('runs the daemon in the foreground on the jobfile, reloads with HUP, restarts on failure', () => {
    const unit = systemdUnit(BASE);
    expect(value(unit, 'Service', 'Type')).toBe('exec');
    expect(value(unit, 'Service', 'ExecStart')).toBe(
      '/usr/bin/node /usr/local/lib/node_modules/tock/bin/tock.js daemon -f /etc/tock/tock.yaml --state-dir /var/lib/tock');
    expect(value(unit, 'Service', 'ExecReload')).toBe('/bin/kill -HUP $MAINPID');
    expect(value(unit, 'Service', 'Restart')).toBe('on-failure');
    expect(value(unit, 'Service', 'RestartSec')).toBe('5s');
    expect(value(unit, 'Service', 'RestartPreventExitStatus')).toBe('2');
    expect(value(unit, 'Service', 'KillMode')).toBe('mixed');
    expect(value(unit, 'Service', 'Delegate')).toBe('yes');
    expect(value(unit, 'Unit', 'Description')).toBe('tock: the jobs of /etc/tock/tock.yaml');
    expect(value(unit, 'Unit', 'Documentation')).toBe('file:///usr/local/lib/node_modules/tock/README.md');
    expect(unit.endsWith('\n')).toBe(true);
  });

  it('gives TimeoutStopSec 30s more than the largest kill_grace, in whole seconds', () => {
    expect(value(systemdUnit(BASE), 'Service', 'TimeoutStopSec')).toBe('40s');
    expect(value(systemdUnit({ ...BASE, maxKillGraceMs: 1500 }), 'Service', 'TimeoutStopSec')).toBe('32s');
    expect(value(systemdUnit({ ...BASE, maxKillGraceMs: 0 }), 'Service', 'TimeoutStopSec')).toBe('30s');
    expect(value(systemdUnit({ ...BASE, maxKillGraceMs: 300_000 }), 'Service', 'TimeoutStopSec')).toBe('330s');
  });

  it('sandboxes with the state dir and every working dir writable: sorted, once each', () => {
    const unit = systemdUnit({ ...BASE, workdirs: ['/srv/b', '/srv/a', '/srv/b', '/srv/a/nested', '/srv/ab'] });
    expect(value(unit, 'Service', 'NoNewPrivileges')).toBe('yes');
    expect(value(unit, 'Service', 'ProtectSystem')).toBe('strict');
    expect(value(unit, 'Service', 'PrivateTmp')).toBe('yes');
    // /srv/a/nested is already writable through /srv/a; /srv/ab is not inside /srv/a.
    expect(value(unit, 'Service', 'ReadWritePaths')).toBe('/srv/a /srv/ab /srv/b /var/lib/tock');
  });

  it('keeps a state dir that holds the working dir as the one writable path', () => {
    const unit = systemdUnit({ ...BASE, stateDir: '/srv/tock', workdirs: ['/srv/tock/jobs'] });
    expect(value(unit, 'Service', 'ReadWritePaths')).toBe('/srv/tock');
  });

  it('explains each setting that is not obvious in a comment just above it', () => {
    const lines = systemdUnit(BASE).split('\n');
    for (const key of ['Type', 'ExecReload', 'RestartPreventExitStatus', 'KillMode', 'Delegate', 'TimeoutStopSec', 'NoNewPrivileges', 'ProtectSystem', 'ProtectHome', 'PrivateTmp', 'Wants']) {
      const at = lines.findIndex((l) => l.startsWith(`${key}=`));
      expect(at, key).toBeGreaterThan(0);
      expect(lines[at - 1], `comment above ${key}=`).toMatch(/^# /);
    }
    expect(lines.join('\n')).toMatch(/sudo/);
  });

  it('makes /home read-only in a system unit only when nothing writable is there', () => {
    const plain = systemdUnit(BASE);
    expect(value(plain, 'Service', 'ProtectHome')).toBe('read-only');

    for (const dir of ['/home/ana/jobs', '/root/jobs', '/run/user/1000/jobs']) {
      const unit = systemdUnit({ ...BASE, workdirs: ['/etc/tock', dir] });
      expect(value(unit, 'Service', 'ProtectHome'), dir).toBeUndefined();
      expect(unit).toContain(`# No ProtectHome=: it would make ${dir} read-only.`);
    }
    const stateAtHome = systemdUnit({ ...BASE, stateDir: '/root/.local/state/tock' });
    expect(value(stateAtHome, 'Service', 'ProtectHome')).toBeUndefined();
    // /homework is not under /home.
    expect(value(systemdUnit({ ...BASE, workdirs: ['/homework'] }), 'Service', 'ProtectHome')).toBe('read-only');
  });

  it('leaves out PrivateTmp when anything the daemon needs is under /tmp or /var/tmp', () => {
    expect(value(systemdUnit(BASE), 'Service', 'PrivateTmp')).toBe('yes');
    const cases: [Partial<SystemdUnitInput>, string][] = [
      [{ stateDir: '/tmp/state' }, '/tmp/state'],
      [{ workdirs: ['/var/tmp/work'] }, '/var/tmp/work'],
      [{ jobfile: '/tmp/tock.yaml' }, '/tmp/tock.yaml'],
      [{ tock: '/tmp/tock/bin/tock.js' }, '/tmp/tock/bin/tock.js'],
    ];
    for (const [change, shown] of cases) {
      const unit = systemdUnit({ ...BASE, ...change });
      expect(value(unit, 'Service', 'PrivateTmp'), shown).toBeUndefined();
      expect(unit).toContain(`# No PrivateTmp=: a private /tmp would hide ${shown}.`);
    }
    // A jobfile inside a writable dir under /tmp is named once, by its dir.
    const both = systemdUnit({ ...BASE, jobfile: '/tmp/rig/tock.yaml', stateDir: '/tmp/rig/state', workdirs: ['/tmp/rig'] });
    expect(both).toContain('# No PrivateTmp=: a private /tmp would hide /tmp/rig.\n');
  });

  it('differs for a user unit: default.target, no system targets, no ProtectHome', () => {
    const system = systemdUnit(BASE);
    const user = systemdUnit({ ...BASE, user: true });
    expect(value(system, 'Install', 'WantedBy')).toBe('multi-user.target');
    expect(value(user, 'Install', 'WantedBy')).toBe('default.target');
    expect(value(system, 'Unit', 'After')).toBe('network-online.target');
    expect(value(system, 'Unit', 'Wants')).toBe('network-online.target');
    expect(value(user, 'Unit', 'After')).toBeUndefined();
    expect(value(user, 'Unit', 'Wants')).toBeUndefined();
    expect(value(user, 'Service', 'ProtectHome')).toBeUndefined();
    expect(user).toContain('systemctl --user daemon-reload');
    // Everything that runs and stops the daemon is the same.
    for (const key of ['Type', 'ExecStart', 'ExecReload', 'Restart', 'KillMode', 'TimeoutStopSec', 'NoNewPrivileges', 'ProtectSystem', 'ReadWritePaths', 'PrivateTmp']) {
      expect(value(user, 'Service', key), key).toBe(value(system, 'Service', key));
    }
  });

  it('quotes paths with spaces and escapes %, $, quotes and backslashes the systemd way', () => {
    const dir = '/srv/my jobs';
    const unit = systemdUnit({ ...BASE, jobfile: `${dir}/tock.yaml`, stateDir: '/srv/state 100%', workdirs: [dir, '/srv/a"b\\c', '/srv/$HOME'] });
    expect(value(unit, 'Service', 'ExecStart')).toBe(
      '/usr/bin/node /usr/local/lib/node_modules/tock/bin/tock.js daemon -f "/srv/my jobs/tock.yaml" --state-dir "/srv/state 100%%"');
    // `$` is only expanded in Exec lines; ReadWritePaths= keeps it.
    expect(value(unit, 'Service', 'ReadWritePaths')).toBe('/srv/$HOME "/srv/a\\"b\\\\c" "/srv/my jobs" "/srv/state 100%%"');
    expect(value(unit, 'Unit', 'Description')).toBe('tock: the jobs of /srv/my jobs/tock.yaml');

    const dollar = systemdUnit({ ...BASE, stateDir: '/srv/$state' });
    expect(value(dollar, 'Service', 'ExecStart')).toMatch(/ --state-dir \/srv\/\$\$state$/);
  });

  it('documents the README beside a tock installed under a path with a space, URL-encoded', () => {
    const unit = systemdUnit({ ...BASE, tock: '/opt/my tools/tock/bin/tock.js' });
    expect(value(unit, 'Unit', 'Documentation')).toBe('file:///opt/my%%20tools/tock/README.md');
  });

  it('refuses a relative path: the unit would depend on systemd\'s working dir', () => {
    expect(() => systemdUnit({ ...BASE, jobfile: 'tock.yaml' })).toThrow(/absolute path/);
    expect(() => systemdUnit({ ...BASE, workdirs: ['jobs'] })).toThrow(/absolute path/);
  });

  it('is the unit in examples/systemd/ for examples/pipeline.yaml installed as /etc/tock/tock.yaml', async () => {
    const loaded = loadJobfile(path.join(ROOT, 'examples', 'pipeline.yaml'));
    if (!loaded.ok) throw new Error('examples/pipeline.yaml does not load');
    const jobs = [...loaded.jobfile.jobs.values()];
    const unit = systemdUnit({
      ...BASE,
      // Its jobs run in the jobfile's own dir, which is /etc/tock once it is installed there.
      workdirs: jobs.map((j) => path.join('/etc/tock', path.relative(loaded.jobfile.dir, j.workdir))),
      maxKillGraceMs: Math.max(...jobs.map((j) => j.killGraceMs)),
    });
    expect(value(unit, 'Service', 'ReadWritePaths')).toBe('/etc/tock /var/lib/tock');
    // `npx vitest run -u test/unit/systemd-unit.test.ts` rewrites the example after a deliberate change.
    await expect(unit).toMatchFileSnapshot(path.join(ROOT, 'examples', 'systemd', 'tock.service'));
  });
});
