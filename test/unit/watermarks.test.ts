import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
const lines = (dir: string): string[] => readFileSync(path.join(dir, 'daemon', 'watermarks.jsonl'), 'utf8').split('\n').filter(Boolean);

describe('fileWatermarks', () => {
  it('writes them all on a process\'s first save, then only the moves, one line each; load takes the latest of each', () => {
    const dir = stateDir();
    const store = fileWatermarks(dir);
    store.save({ a: 1000, b: 2000 }, ['a']);
    expect(lines(dir)).toEqual([]);
    store.save({ a: 3000, b: 2000 }, ['a']);
    store.save({ a: 4000, b: 5000 }, ['a', 'b']);
    expect(lines(dir)).toHaveLength(3);
    expect(fileWatermarks(dir).load()).toEqual({ a: 4000, b: 5000 });
  });

  it('skips a torn last line, and a mark never moves back (a crash between the rewrite and dropping the lines)', () => {
    const dir = stateDir();
    const store = fileWatermarks(dir);
    store.save({ a: 1000 });
    store.save({ a: 9000 }, ['a']);
    appendFileSync(path.join(dir, 'daemon', 'watermarks.jsonl'), '{"job":"a","at":"2026-');
    // A second process writes all again: older than the lines left behind, which still win.
    const next = fileWatermarks(dir);
    expect(next.load()).toEqual({ a: 9000 });
    next.save({ a: 9000, b: 1 }, ['b']);
    expect(lines(dir)).toEqual([]);
    expect(fileWatermarks(dir).load()).toEqual({ a: 9000, b: 1 });
  });

  it('writes them all again once the lines outgrow the set', () => {
    const dir = stateDir();
    const store = fileWatermarks(dir);
    store.save({ a: 0 });
    for (let i = 1; i <= 1000; i++) store.save({ a: i }, ['a']);
    expect(lines(dir)).toHaveLength(1000);
    store.save({ a: 1001 }, ['a']);
    expect(lines(dir)).toEqual([]);
    expect(fileWatermarks(dir).load()).toEqual({ a: 1001 });
  });
});
