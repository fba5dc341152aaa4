import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { writeFileAtomic } from '../../src/io/atomic-write.js';
import { tempDirs } from '../helpers/temp-dir.js';

const tempDir = tempDirs('tock-atomic');

describe('writeFileAtomic', () => {
  it('replaces the content whole, gives the file the mode asked for, and leaves nothing else behind', () => {
    const dir = tempDir();
    const file = path.join(dir, 'watermarks.json');
    writeFileAtomic(file, 'x'.repeat(100_000), 0o600);
    expect(readFileSync(file, 'utf8')).toBe('x'.repeat(100_000));
    expect(statSync(file).mode & 0o777).toBe(0o600);

    writeFileAtomic(file, Buffer.from('short\n'), 0o644);
    expect(readFileSync(file, 'utf8')).toBe('short\n');
    expect(statSync(file).mode & 0o777).toBe(0o644);
    expect(readdirSync(dir)).toEqual(['watermarks.json']);
  });

  it('writes the same whole file, mode and nothing else, when not asked to be durable', () => {
    const dir = tempDir();
    const file = path.join(dir, 'job.x.owner.json');
    writeFileAtomic(file, '{"pid":1}', 0o600, false);
    writeFileAtomic(file, '{"pid":2}', 0o600, false);
    expect(readFileSync(file, 'utf8')).toBe('{"pid":2}');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['job.x.owner.json']);
  });

  it('sets the mode even where the old file had another', () => {
    const dir = tempDir();
    const file = path.join(dir, 'tock.prom');
    writeFileSync(file, 'old');
    chmodSync(file, 0o600);
    writeFileAtomic(file, 'new', 0o644);
    expect(statSync(file).mode & 0o777).toBe(0o644);
  });

  it('throws into a directory that does not exist, creating nothing', () => {
    const dir = tempDir();
    expect(() => { writeFileAtomic(path.join(dir, 'missing', 'f.json'), '{}', 0o600); }).toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('removes its temp file when the rename fails, and leaves the target as it was', () => {
    const dir = tempDir();
    const target = path.join(dir, 'taken');
    mkdirSync(target);
    writeFileSync(path.join(target, 'inside'), 'kept');
    expect(() => { writeFileAtomic(target, 'new', 0o600); }).toThrow();
    expect(readdirSync(dir)).toEqual(['taken']);
    expect(readFileSync(path.join(target, 'inside'), 'utf8')).toBe('kept');
  });
});
