import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { pauseFile, pauseWatch, readPaused, readPauses, writePauses } from '../../src/io/pause-store.js';
import { UserError } from '../../src/util/user-error.js';
import { tempDirs } from '../helpers/temp-dir.js';

const temp = tempDirs('tock-pauses');

describe('pause store', () => {
  it('writes <state>/paused.json 0600 with who and since, and reads it back; no file is no pauses', () => {
    const dir = temp();
    expect(readPaused(dir)).toEqual(new Set());
    writePauses(dir, new Map([['b', { since: '2026-11-21T02:00:00.000Z', by: 'ops' }], ['a', { since: '2026-11-21T03:00:00.000Z', by: 'root' }]]));
    expect(statSync(pauseFile(dir)).mode & 0o777).toBe(0o600);
    expect(readPaused(dir)).toEqual(new Set(['a', 'b']));
    expect(readPauses(dir).get('b')).toEqual({ since: '2026-11-21T02:00:00.000Z', by: 'ops' });
    expect(Object.keys((JSON.parse(readFileSync(pauseFile(dir), 'utf8')) as { paused: object }).paused)).toEqual(['a', 'b']);
  });

  it('reads a plain JSON list written by hand; refuses what it cannot parse with a fix', () => {
    const dir = temp();
    writeFileSync(path.join(dir, 'paused.json'), '["nightly"]');
    expect(readPaused(dir)).toEqual(new Set(['nightly']));
    writeFileSync(path.join(dir, 'paused.json'), '{"paused": [');
    expect(() => readPaused(dir)).toThrow(UserError);
    expect(() => readPaused(dir)).toThrow(/paused\.json/);
  });

  it('the daemon\'s watch reads the file again only when it changed, and keeps the last good set on a bad one', () => {
    const dir = temp();
    const errors: string[] = [];
    const paused = pauseWatch(dir, (m) => errors.push(m));
    expect(paused()).toEqual(new Set());
    writePauses(dir, new Map([['a', { since: '', by: '' }]]));
    const first = paused();
    expect(first).toEqual(new Set(['a']));
    expect(paused()).toBe(first); // unchanged: the same set, not read again
    writeFileSync(pauseFile(dir), 'not json');
    expect(paused()).toEqual(new Set(['a']));
    expect(errors).toHaveLength(1);
    expect(paused()).toEqual(new Set(['a']));
    expect(errors).toHaveLength(1); // reported once per change
    writePauses(dir, new Map());
    expect(paused()).toEqual(new Set());
  });
});
