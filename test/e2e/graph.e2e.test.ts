// `tock graph` end to end: the built CLI prints each format, and Graphviz accepts the DOT.
import { spawnSync } from 'node:child_process';

import { afterEach, describe, expect, it } from 'vitest';

import { Rig } from '../helpers/rig.js';

const JOBFILE = `
  version: 1
  timezone: UTC
  jobs:
    extract: { schedule: "15 2 * * *", command: "true" }
    validate: { needs: [extract], command: "true" }
    report.daily-v2: { needs: [validate], command: "true" }
    alert: { needs: [validate], when: failure, command: "true" }
    cleanup: { needs: [report.daily-v2, alert], when: always, command: "true" }
    old-sync: { schedule: "@daily", enabled: false, command: "true" }
`;

const rigs: Rig[] = [];
function rig(yaml: string): Rig {
  const r = new Rig(yaml);
  rigs.push(r);
  return r;
}
afterEach(() => {
  for (const r of rigs.splice(0)) r.cleanup();
});

// Only where Graphviz is installed: it is not a dependency of tock.
const hasDot = spawnSync('dot', ['-V']).status === 0;

describe('tock graph', () => {
  it('prints the text tree by default', async () => {
    const result = await rig(JOBFILE).run(['graph']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('extract  [15 2 * * *, UTC]');
    expect(result.stdout).toContain('cleanup (needs report.daily-v2, alert; see above)');
    expect(result.stdout).toMatch(/\nold-sync {2}\[@daily, UTC\] \(disabled\)\n$/);
  });

  it.each([
    ['text', 'extract  [15 2 * * *, UTC]'],
    ['dot', 'digraph tock {'],
    ['mermaid', 'flowchart LR'],
  ])('prints --format %s, ending with a newline', async (format, firstLine) => {
    const result = await rig(JOBFILE).run(['graph', '--format', format]);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(firstLine);
    expect(result.stdout).toMatch(/[^\n]\n$/);
  });

  it.runIf(hasDot)('prints DOT that Graphviz renders', async () => {
    const result = await rig(JOBFILE).run(['graph', '--format', 'dot']);
    const svg = spawnSync('dot', ['-Tsvg'], { input: result.stdout, encoding: 'utf8' });
    expect(svg.stderr).toBe('');
    expect(svg.status).toBe(0);
    expect(svg.stdout).toContain('<svg');
  });

  it('refuses an unknown --format with exit 2', async () => {
    const result = await rig(JOBFILE).run(['graph', '--format', 'nope']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('nope');
  });
});
