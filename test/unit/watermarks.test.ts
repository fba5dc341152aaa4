import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { fileWatermarks } from '../../src/io/watermarks.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });
function stateDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tock-marks-'));
  dirs.push(dir);
  return dir;
}
const movesFile = (dir: string): string => path.join(dir, 'daemon', 'watermarks.jsonl');
const lines = (dir: string): string[] => readFileSync(movesFile(dir), 'utf8').split('\n').filter(Boolean);
// Past 2,000 jobs the moves are appended; the other 2,000 marks stay put.
const big = (a: number, b = 0): Record<string, number> => ({ ...Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`other-${String(i)}`, 0])), a, b });

describe('fileWatermarks', () => {
  it('a small set is written whole on every move, with no lines', () => {
    const dir = stateDir();
    const store = fileWatermarks(dir);
    store.save({ a: 1000, b: 2000 }, ['a']);
    store.save({ a: 3000, b: 2000 }, ['a']);
    expect(existsSync(movesFile(dir))).toBe(false);
    expect(fileWatermarks(dir).load()).toEqual({ a: 3000, b: 2000 });
  });

  it('a big set is written whole on a process\'s first save, then only the moves, a line each; load takes the latest of each', () => {
    const dir = stateDir();
    const store = fileWatermarks(dir);
    store.save(big(1000, 2000), ['a']);
    expect(lines(dir)).toEqual([]);
    store.save(big(3000, 2000), ['a']);
    store.save(big(4000, 5000), ['a', 'b']);
    expect(lines(dir)).toHaveLength(3);
    expect(fileWatermarks(dir).load()).toMatchObject({ a: 4000, b: 5000, 'other-7': 0 });
  });

  it('skips a torn last line; a mark never moves back (a crash between the rewrite and the drop of the lines)', () => {
    const dir = stateDir();
    const store = fileWatermarks(dir);
    store.save(big(1000));
    store.save(big(9000), ['a']);
    appendFileSync(movesFile(dir), '{"job":"a","at":"2026-');
    // Written whole with an older mark, the lines not yet dropped: the later still wins.
    writeFileSync(path.join(dir, 'daemon', 'watermarks.json'), JSON.stringify({ v: 1, jobs: { a: new Date(1000).toISOString() } }));
    expect(fileWatermarks(dir).load()).toEqual({ a: 9000 });
    const next = fileWatermarks(dir);
    next.save(big(9000, 1), ['b']);
    expect(lines(dir)).toEqual([]);
    expect(fileWatermarks(dir).load()).toMatchObject({ a: 9000, b: 1 });
  });

  it('writes them all again once the lines outgrow twice the set', () => {
    const dir = stateDir();
    const store = fileWatermarks(dir);
    store.save(big(0));
    // 2,002 jobs: up to 4,004 lines (a job moved 1,001 times at once is 1,001 lines).
    for (let i = 1; i <= 4; i++) store.save(big(i), Array.from({ length: 1001 }, () => 'a'));
    expect(lines(dir)).toHaveLength(4004);
    store.save(big(4003), ['a']);
    expect(lines(dir)).toEqual([]);
    expect(fileWatermarks(dir).load()).toMatchObject({ a: 4003 });
  });
});
