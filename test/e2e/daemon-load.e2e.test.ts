import { afterEach, describe, expect, it } from 'vitest';

import { Rig, waitFor } from '../helpers/rig.js';

// The daemon reads its jobfile in a worker thread (src/cli/load-aside.ts): what a user sees must
// be what every other command shows, and reloads must apply in the order they were asked for.
const rigs: Rig[] = [];
const kills: (() => void)[] = [];
afterEach(() => {
  for (const kill of kills.splice(0)) kill();
  for (const r of rigs.splice(0)) r.cleanup();
});

function rig(yaml?: string): Rig {
  const r = new Rig(yaml);
  rigs.push(r);
  return r;
}

describe('tock daemon loads its jobfile as the other commands do', () => {
  it('an invalid jobfile stops it with exit 2 and the same diagnostics as `tock run`; a missing one names the file', async () => {
    const r = rig('version: 1\njobs:\n  a: { schedule: "61 * * * *", command: x }\n  b: { needs: [c], command: x }\n');
    const daemon = await r.run(['daemon']);
    const run = await r.run(['run', 'a']);
    expect(daemon.code).toBe(2);
    expect(daemon.stderr).toContain('tock.yaml:3:18: error: jobs.a.schedule');
    expect(daemon.stderr).toMatch(/tock: error: 2 problems in .*tock\.yaml; nothing was run/);
    expect(daemon.stderr).toBe(run.stderr);
    expect(daemon.stdout).toBe('');

    const missing = await r.run(['daemon', '-f', `${r.dir}/none.yaml`], { common: false });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`tock: error: expected the jobfile, got no such file or directory: ${r.dir}/none.yaml`);
  }, 20_000);

  it('SIGHUPs sent one after another apply in order: the last file is the one scheduled', async () => {
    const r = rig('version: 1\njobs:\n  a: { schedule: "0 0 1 1 *", command: "true" }\n');
    const d = r.start(['daemon', '--log-format', 'json']);
    kills.push(() => d.child.kill('SIGKILL'));
    await waitFor(() => (d.output().stderr.includes('"event":"started"') ? true : undefined), 10_000, 'the daemon to start');
    for (const name of ['b', 'c', 'd']) {
      r.write(`version: 1\njobs:\n  ${name}: { schedule: "0 0 1 1 *", command: "true" }\n`);
      d.child.kill('SIGHUP');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const scheduled = () => d.output().stderr.split('\n').filter((l) => l.includes('"event":"scheduled"')).map((l) => (JSON.parse(l) as { job: string }).job);
    await waitFor(() => (scheduled().at(-1) === 'd' ? true : undefined), 10_000, 'the last reload');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(scheduled().at(-1)).toBe('d');
    expect(scheduled()[0]).toBe('a');
    d.child.kill('SIGTERM');
    expect((await d.done).code).toBe(0);
  }, 20_000);
});
