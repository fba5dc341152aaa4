// The fuzz corpus (test/fixtures/fuzz, see its README.md), every case through the built CLI:
// malformed jobfiles, crontabs and argument lists must end with a documented exit code and a
// message, never exit 70 (a bug), a stack trace, a signal (V8 aborts with SIGILL/SIGABRT) or a hang.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { BIN, ROOT } from '../helpers/rig.js';

const CORPUS = path.join(ROOT, 'test', 'fixtures', 'fuzz');
// A hang is minutes; a loaded 2-core machine takes seconds for the biggest cases (a 12,000-job chain).
const PER_CASE_MS = 30_000;
const POOL = 3;

interface ArgvCase {
  args: string[];
  env?: Record<string, string>;
  /** A file to connect to standard input. */
  stdin?: string;
  /** The exit code the case must end with, when it has one. */
  expect?: number;
}

interface Run {
  name: string;
  args: string[];
  env?: Record<string, string>;
  stdin?: string;
  /** Exit codes the command documents for this input. */
  allowed: readonly number[];
  /** Another run to make when this one exits 0 (a valid jobfile is also asked for `next`). */
  then?: Run;
}

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  hung: boolean;
  stderr: string;
}

const scratch = mkdtempSync(path.join(tmpdir(), 'tock-fuzz-'));
const fifo = path.join(scratch, 'fifo');
const state = (name: string): string => path.join(scratch, 'state', name.replace(/\W/g, '_'));

function files(dir: string, ext: string): string[] {
  return readdirSync(path.join(CORPUS, dir)).filter((f) => f.endsWith(ext)).sort();
}

function cases(): Run[] {
  const runs: Run[] = [];
  for (const f of files('jobfile', '.yaml')) {
    const file = path.join(CORPUS, 'jobfile', f);
    runs.push({ name: `jobfile/${f} validate`, args: ['validate', '-f', file, '--state-dir', state(f)], allowed: [0, 2],
      then: { name: `jobfile/${f} next`, args: ['next', '-f', file, '--count', '3', '--state-dir', state(f)], allowed: [0] } });
  }
  for (const f of files('crontab', '.cron')) {
    const file = path.join(CORPUS, 'crontab', f);
    runs.push({ name: `crontab/${f} audit`, args: ['audit', file, '--state-dir', state(f)], allowed: [0, 1] });
    runs.push({ name: `crontab/${f} import`, args: ['import', file, '-o', path.join(scratch, `${f}.yaml`)], allowed: [0, 1, 2] });
  }
  for (const f of files('argv', '.json')) {
    const spec = JSON.parse(readFileSync(path.join(CORPUS, 'argv', f), 'utf8')) as ArgvCase;
    const fill = (a: string): string => a.replace('$JOBFILE', path.join(CORPUS, 'argv', 'tock.yaml')).replace('$STATE', state(f))
      .replace('$FIFO', fifo).replace('$CRONTAB', path.join(CORPUS, 'argv', 'crontab.cron')).replace('$CORPUS', CORPUS);
    runs.push({ name: `argv/${f}`, args: spec.args.map(fill), ...(spec.env !== undefined ? { env: spec.env } : {}),
      ...(spec.stdin !== undefined ? { stdin: spec.stdin } : {}), allowed: spec.expect !== undefined ? [spec.expect] : [0, 1, 2] });
  }
  return runs;
}

/** Runs the CLI once, SIGKILLing it (and failing the case as hung) after PER_CASE_MS. */
function execute(run: Run): Promise<Outcome> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...run.env };
  if (run.env?.TOCK_STATE_DIR === undefined) delete env.TOCK_STATE_DIR;
  if (run.env?.TOCK_JOBFILE === undefined) delete env.TOCK_JOBFILE;
  const stdin = run.stdin !== undefined ? openSync(run.stdin, 'r') : 'ignore';
  const child = spawn(process.execPath, [BIN, ...run.args], { cwd: scratch, env, stdio: [stdin, 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { if (stderr.length < 64_000) stderr += chunk; });
  let hung = false;
  const timer = setTimeout(() => { hung = true; child.kill('SIGKILL'); }, PER_CASE_MS);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, hung, stderr });
    });
  });
}

const all = cases();
const outcomes = new Map<string, Outcome>();

beforeAll(async () => {
  spawnSync('mkfifo', [fifo]);
  const queue: Run[] = [...all];
  const worker = async (): Promise<void> => {
    for (let run = queue.shift(); run !== undefined; run = queue.shift()) {
      const outcome = await execute(run);
      outcomes.set(run.name, outcome);
      if (run.then !== undefined && outcome.code === 0) queue.push(run.then);
    }
  };
  await Promise.all(Array.from({ length: POOL }, worker));
}, 240_000);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('fuzz corpus through the built CLI', () => {
  it('has jobfile, crontab and argv cases, including the generated mutations', () => {
    expect(files('jobfile', '.yaml').length).toBeGreaterThanOrEqual(40);
    expect(files('crontab', '.cron').length).toBeGreaterThanOrEqual(25);
    expect(files('argv', '.json').length).toBeGreaterThanOrEqual(30);
    expect(files('jobfile', '.yaml').filter((f) => f.startsWith('gen-')).length).toBeGreaterThanOrEqual(30);
  });

  it.each(all.map((r) => [r.name, r] as const))('%s: a documented exit, a message, no trace, no hang', (_name, run) => {
    for (const r of run.then !== undefined && outcomes.has(run.then.name) ? [run, run.then] : [run]) {
      const outcome = outcomes.get(r.name);
      expect(outcome, r.name).toBeDefined();
      if (outcome === undefined) return;
      expect({ case: r.name, hung: outcome.hung, signal: outcome.signal }).toEqual({ case: r.name, hung: false, signal: null });
      expect(outcome.stderr, r.name).not.toMatch(/^\s+at .+/m);
      expect(outcome.stderr, r.name).not.toMatch(/^(\w*Error|Error)(:|\s\[)/m);
      expect(outcome.stderr, r.name).not.toMatch(/internal error|unexpected error/);
      expect(r.allowed, `${r.name} exited ${String(outcome.code)}: ${outcome.stderr.slice(0, 400)}`).toContain(outcome.code);
      // A refusal says why: a usage or jobfile error names what was expected.
      if (outcome.code === 2) expect(outcome.stderr, r.name).toMatch(/expected|error/);
    }
  });
});

describe('a 20,000-job jobfile', () => {
  it('validates (the duplicate-key check is linear, not quadratic)', async () => {
    const { generateJobfile } = (await import(path.join(ROOT, 'bench', 'gen-jobfile.mjs'))) as { generateJobfile: (n: number) => { text: string } };
    const file = path.join(scratch, 'big.yaml');
    writeFileSync(file, generateJobfile(20_000).text);
    const result = spawnSync(process.execPath, [BIN, 'validate', '-f', file, '--state-dir', path.join(scratch, 'big-state')],
      { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('ok: 20000 jobs\n');
    expect(result.status).toBe(0);
  }, 180_000);
});
