// The jobfile's rules as a user meets them through the built CLI: how defaults combine with a
// job's own fields when it runs, and what `validate` says about this host.
import { existsSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it, onTestFinished } from 'vitest';

import { Rig } from '../helpers/rig.js';

function rig(yaml: string): Rig {
  const r = new Rig(yaml);
  onTestFinished(() => { r.cleanup(); });
  return r;
}

describe('defaults under a job, at run time', () => {
  it('env from defaults and from the job both reach the command; the job wins a name both set; its hook replaces the default one', async () => {
    const r = rig(`
      version: 1
      defaults:
        env: { FROM_DEFAULTS: d-value, BOTH: from-defaults }
        on_success: { command: "echo default-hook > default-hook.txt" }
      jobs:
        show:
          schedule: "@daily"
          command: 'echo "env $FROM_DEFAULTS $FROM_JOB $BOTH"'
          env: { FROM_JOB: j-value, BOTH: from-job }
          on_success: { command: "echo job-hook > job-hook.txt" }
    `);
    const result = await r.run(['run', 'show']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n')).toContain('env d-value j-value from-job');
    expect(existsSync(path.join(r.dir, 'job-hook.txt'))).toBe(true);
    expect(existsSync(path.join(r.dir, 'default-hook.txt'))).toBe(false);
  }, 20_000);
});

describe('tock validate about this host', () => {
  it('warns about a workdir that does not exist, at its line and column, and still exits 0', async () => {
    const r = rig(`
      version: 1
      jobs:
        ok: { schedule: "@daily", command: "true" }
        elsewhere:
          schedule: "@daily"
          command: "true"
          workdir: data/missing
    `);
    const result = await r.run(['validate']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('ok: 2 jobs\n');
    const missing = path.join(r.dir, 'data', 'missing');
    expect(result.stderr).toContain(`tock.yaml:7:14: warning: jobs.elsewhere.workdir: expected a directory that exists on this host, got "${missing}"`);
    expect(result.stderr).not.toMatch(/error/);

    const json = JSON.parse((await r.run(['validate', '--json'])).stdout) as { ok: boolean; diagnostics: { severity: string; code: string; line: number; column: number }[] };
    expect(json.ok).toBe(true);
    expect(json.diagnostics).toEqual([expect.objectContaining({ severity: 'warning', code: 'missing-workdir', line: 7, column: 14 })]);
  }, 20_000);

  it('points a retry_on_exit / no_retry_on_exit conflict at the second field, and exits 2', async () => {
    const r = rig(`
      version: 1
      jobs:
        sync:
          schedule: "@hourly"
          no_retry_on_exit: [2]
          command: sync.sh
          retry_on_exit: [75]
    `);
    const result = await r.run(['validate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^tock\.yaml:7:5: error: jobs\.sync\.retry_on_exit: expected retry_on_exit or no_retry_on_exit, got both$/m);
  }, 20_000);
});
