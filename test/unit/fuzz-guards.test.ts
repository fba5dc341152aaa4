import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

import { DateTime } from 'luxon';
import { afterAll, describe, expect, it } from 'vitest';

import { parseIsoTime } from '../../src/cli/parse-time.js';
import { validateText } from '../../src/jobfile/load.js';
import { MAX_NESTING } from '../../src/jobfile/keys-and-depth.js';
import { MAX_TEXT_BYTES, readTextFile } from '../../src/util/read-text-file.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tock-guards-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

function codes(text: string): string[] {
  const result = validateText(text, 'tock.yaml');
  return result.ok ? [] : result.diagnostics.map((d) => `${d.code} ${d.path}`);
}

const JOB = '    schedule: "@daily"\n    command: x\n';

describe('validation of hostile jobfiles', () => {
  it('reports a job name written twice in two ways at the second, and a key twice in a job', () => {
    expect(codes(`version: 1\njobs:\n  1:\n${JOB}  "1":\n${JOB}`)).toEqual(['duplicate-key jobs.1']);
    expect(codes(`version: 1\njobs:\n  a:\n${JOB}    command: y\n`)).toEqual(['duplicate-key jobs.a.command']);
  });

  it('takes no field from Object.prototype', () => {
    expect(codes(`version: 1\nconstructor: 1\n__proto__: 2\njobs:\n  a:\n${JOB}    hasOwnProperty: 3\n`))
      .toEqual(['unknown-field constructor', 'unknown-field __proto__', 'unknown-field jobs.a.hasOwnProperty']);
    expect(codes(`version: 1\njobs:\n  a:\n${JOB}    env: { __proto__: x }\n`)).toEqual(['bad-name jobs.a.env.__proto__']);
  });

  it('refuses nesting just over the limit, and takes it at the limit', () => {
    const nested = (depth: number): string => `version: 1\njobs:\n  a:\n${JOB}    description: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
    // The root mapping, jobs, the job, then the lists: description's value is at depth 4.
    expect(codes(nested(MAX_NESTING - 3))).toEqual(['wrong-type jobs.a.description']);
    expect(codes(nested(MAX_NESTING - 2))).toEqual(['too-deep ']);
  });

  it('walks a 20,000-job needs chain and a 20,000-job cycle without overflowing the stack', () => {
    let chain = `version: 1\njobs:\n  j0:\n${JOB}`;
    for (let i = 1; i < 20_000; i++) chain += `  j${String(i)}:\n    needs: [j${String(i - 1)}]\n    command: x\n`;
    expect(codes(chain)).toEqual([]);
    const cycle = chain.replace(`  j0:\n${JOB}`, '  j0:\n    needs: [j19999]\n    command: x\n');
    const result = validateText(cycle, 'tock.yaml');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.diagnostics.map((d) => d.code)).toEqual(['cycle']);
      expect(result.diagnostics[0]?.message).toMatch(/got j0 -> j19999 -> j19998 .* \(19989 more\) -> j1 -> j0$/);
    }
  }, 60_000);
});

describe('time flags', () => {
  const at = (text: string): number => parseIsoTime(DateTime, text, 'UTC', '--at', '');

  it('takes offsets up to ±14:00 in every spelling', () => {
    expect(at('2026-01-01T00:00:00+14:00')).toBe(Date.parse('2025-12-31T10:00:00Z'));
    expect(at('2026-01-01 00:00:00-1400')).toBe(Date.parse('2026-01-01T14:00:00Z'));
    expect(at('2026-01-01T00:00+05:30')).toBe(Date.parse('2025-12-31T18:30:00Z'));
  });

  it('refuses offsets beyond ±14:00 or with 60 minutes or more', () => {
    for (const text of ['2026-01-01T00:00:00+99:00', '2026-01-01T00:00:00+14:01', '2026-01-01T00:00-15', '2026-01-01T00:00:00+05:60']) {
      expect(() => at(text), text).toThrow(/expected a UTC offset from -14:00 to \+14:00/);
    }
  });
});

describe('reading a jobfile or crontab', () => {
  it('refuses a FIFO at once, a directory, and a file over the cap', () => {
    const fifo = path.join(dir, 'fifo');
    spawnSync('mkfifo', [fifo]);
    expect(() => readTextFile(fifo, 'the jobfile', '')).toThrow(/expected the jobfile as a regular file, got a FIFO/);
    expect(() => readTextFile(dir, 'the jobfile', '')).toThrow(/got a directory/);
    const big = path.join(dir, 'big');
    writeFileSync(big, Buffer.alloc(MAX_TEXT_BYTES + 1, 0x20));
    expect(() => readTextFile(big, 'a crontab', '')).toThrow(/at most 16 MiB/);
    writeFileSync(big, 'version: 1\n');
    expect(readTextFile(big, 'the jobfile', '')).toBe('version: 1\n');
  });
});
