// `tock service install` end to end: the built CLI prints and writes the unit, and systemd's
// own checker accepts it where systemd-analyze is installed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { BIN, Rig } from '../helpers/rig.js';

const JOBFILE = `
  version: 1
  jobs:
    nightly:
      schedule: "@daily"
      command: "true"
      kill_grace: 45s
    elsewhere:
      schedule: "@hourly"
      command: "true"
      workdir: ./work
`;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function rig(): Rig {
  const r = new Rig(JOBFILE);
  mkdirSync(path.join(r.dir, 'work'));
  cleanups.push(() => { r.cleanup(); });
  return r;
}

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tock-service-'));
  cleanups.push(() => { rmSync(dir, { recursive: true, force: true }); });
  return dir;
}

function line(unit: string, key: string): string | undefined {
  return unit.split('\n').find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1);
}

const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).error === undefined;

describe('tock service install', () => {
  it('--print shows the unit with absolute node, tock and jobfile paths', async () => {
    const r = rig();
    const result = await r.run(['service', 'install', '--print']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const unit = result.stdout;
    expect(line(unit, 'ExecStart')).toBe(`${process.execPath} ${BIN} daemon -f ${r.jobfile} --state-dir ${r.stateDir}`);
    expect(path.isAbsolute(process.execPath)).toBe(true);
    // The state dir and both working dirs are inside the rig's dir, which covers them.
    expect(line(unit, 'ReadWritePaths')).toBe(r.dir);
    expect(line(unit, 'TimeoutStopSec')).toBe('75s');
    expect(line(unit, 'WantedBy')).toBe('multi-user.target');
    expect(line(unit, 'KillMode')).toBe('mixed');
    expect(line(unit, 'Delegate')).toBe('yes');
  });

  it('--user writes $XDG_CONFIG_HOME/systemd/user/tock.service, then says when it is unchanged or overwritten', async () => {
    const r = rig();
    const config = tempDir();
    const env = { XDG_CONFIG_HOME: config };
    const target = path.join(config, 'systemd', 'user', 'tock.service');

    const first = await r.run(['service', 'install', '--user'], { env });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`wrote ${target}`);
    expect(first.stdout).toContain('systemctl --user daemon-reload && systemctl --user enable --now tock');
    const printed = await r.run(['service', 'install', '--user', '--print'], { env });
    expect(readFileSync(target, 'utf8')).toBe(printed.stdout);
    expect(line(printed.stdout, 'WantedBy')).toBe('default.target');

    const again = await r.run(['service', 'install', '--user'], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`${target} is already up to date`);

    writeFileSync(target, '# an older unit\n');
    const changed = await r.run(['service', 'install', '--user'], { env });
    expect(changed.code).toBe(0);
    expect(changed.stdout).toContain(`overwrote ${target}`);
    expect(readFileSync(target, 'utf8')).toBe(printed.stdout);
  });

  it.skipIf(process.getuid?.() === 0)('refuses a system unit without root, and says what to do instead', async () => {
    const r = rig();
    const result = await r.run(['service', 'install']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/expected to run as root to write \/etc\/systemd\/system\/tock\.service/);
    expect(result.stderr).toMatch(/--user/);
    expect(result.stderr).toMatch(/sudo/);
  });

  describe.skipIf(!hasSystemdAnalyze)('systemd-analyze verify', () => {
    for (const user of [false, true]) {
      it(`accepts the ${user ? 'user' : 'system'} unit`, async (ctx) => {
        const r = rig();
        const printed = await r.run(['service', 'install', '--print', ...(user ? ['--user'] : [])]);
        expect(printed.code).toBe(0);
        const dir = tempDir();
        const file = path.join(dir, 'tock.service');
        writeFileSync(file, printed.stdout);
        // A user manager needs a runtime dir, which a container or CI job may not have.
        const runtime = path.join(dir, 'runtime');
        mkdirSync(runtime, { mode: 0o700 });
        const verify = spawnSync('systemd-analyze', [...(user ? ['--user'] : []), 'verify', '--man=no', '--generators=no', file], {
          encoding: 'utf8',
          env: { ...process.env, SYSTEMD_LOG_LEVEL: 'notice', SYSTEMD_LOG_COLOR: '0', SYSTEMD_PAGER: '', XDG_RUNTIME_DIR: runtime },
        });
        const output = `${verify.stdout}${verify.stderr}`;
        // systemd's own units may draw warnings on this machine; those are not ours.
        const ours = output.split('\n').filter((l) => l.includes(file) || l.startsWith('tock.service:'));
        if (verify.status !== 0 && ours.length === 0 && /Failed to initialize manager/.test(output)) {
          ctx.skip(`systemd-analyze cannot start a manager here:\n${output}`);
        }
        expect(ours, output).toEqual([]);
        expect(verify.status, output).toBe(0);
      });
    }
  });
});
