import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it } from 'vitest';

import { renderDiagnostics } from '../../src/cli/render/diagnostic.js';
import { validateText } from '../../src/jobfile/load.js';

// The corpus of broken jobfiles: each NN-name.yaml has NN-name.expected, the exact stderr of
// `tock validate -f NN-name.yaml` run from the fixture directory (see its README.md).
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIR = path.join(ROOT, 'test', 'fixtures', 'invalid');
const BIN = path.join(ROOT, 'bin', 'tock.js');

const fixtures = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

function expectedOf(fixture: string): string {
  return readFileSync(path.join(DIR, fixture.replace(/\.yaml$/, '.expected')), 'utf8');
}

/** What `tock validate` prints on stderr for a fixture, computed in process. */
function stderrOf(fixture: string): string {
  const file = path.join(DIR, fixture);
  const result = validateText(readFileSync(file, 'utf8'), file);
  if (result.ok) throw new Error(`${fixture} is a valid jobfile; every fixture here must be invalid`);
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  // The CLI prints each diagnostic with its own console.error, then the summary line.
  const lines = [
    ...renderDiagnostics(result.diagnostics, result.source, fixture),
    `tock: ${String(errors)} ${errors === 1 ? 'problem' : 'problems'} in ${fixture}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Runs the built CLI with an environment that cannot point it at another jobfile or state dir. */
function runCli(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.TOCK_JOBFILE;
  delete env.TOCK_STATE_DIR;
  delete env.FORCE_COLOR;
  const child = spawnSync(process.execPath, [BIN, ...args], { cwd: DIR, env, encoding: 'utf8', timeout: 30_000 });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

describe('invalid jobfile corpus', () => {
  it('has at least 32 fixtures, each with its .expected, and a README line for each', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(32);
    const files = new Set(readdirSync(DIR));
    for (const fixture of fixtures) expect(files, fixture).toContain(fixture.replace(/\.yaml$/, '.expected'));
    const orphans = [...files].filter((f) => f.endsWith('.expected') && !files.has(f.replace(/\.expected$/, '.yaml')));
    expect(orphans).toEqual([]);
    const readme = readFileSync(path.join(DIR, 'README.md'), 'utf8');
    for (const fixture of fixtures) expect(readme, fixture).toContain(`\`${fixture.replace(/\.yaml$/, '')}\``);
  });

  it.each(fixtures)('%s: every problem, as tock validate prints it', (fixture) => {
    expect(stderrOf(fixture)).toBe(expectedOf(fixture));
  });
});

describe('tock validate on an invalid jobfile (built CLI)', () => {
  // A fixture whose .expected is a checked snapshot (see README.md), with problems of both kinds:
  // cross-job rules and a field coming from defaults.
  const fixture = '48-cross-job-problems-together.yaml';
  let scratch: string | undefined;

  afterEach(() => {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
    scratch = undefined;
  });

  it('exits 2 with the same stderr as in process and nothing on stdout', () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'tock-invalid-'));
    const result = runCli(['validate', '-f', fixture, '--state-dir', path.join(scratch, 'state')]);
    expect(result.stderr).toBe(expectedOf(fixture));
    expect(result.stdout).toBe('');
    expect(result.status).toBe(2);
  });

  it('never creates the state dir it was given', () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'tock-invalid-'));
    const stateDir = path.join(scratch, 'state');
    const result = runCli(['validate', '-f', fixture, '--state-dir', stateDir]);
    expect(result.status).toBe(2);
    expect(existsSync(stateDir)).toBe(false);
  });
});
