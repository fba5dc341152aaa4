import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { linesBackward } from '../../src/io/lines-backward.js';
import { lineChunks, linesForward, MAX_LINE } from '../../src/io/lines-forward.js';
import { tempDirs } from '../helpers/temp-dir.js';

const tempDir = tempDirs('tock-lines');

/** Lines of many lengths (some over a forward chunk of 1 MiB, some multi-byte), a blank one, and no final newline. */
function sample(): string[] {
  const lines: string[] = [];
  let seed = 7;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let i = 0; i < 400; i++) {
    const length = i % 97 === 0 ? 1_300_000 + random(50_000) : random(9_000);
    lines.push(`${String(i)}:${(i % 3 === 0 ? 'é€' : 'ab').repeat(Math.ceil(length / 2))}`);
  }
  lines.splice(200, 0, '');
  return lines;
}

describe('lines-forward and lines-backward', () => {
  it('read the same lines as a split of the whole text, across chunk boundaries and multi-byte characters', () => {
    const file = path.join(tempDir(), 'f.jsonl');
    const lines = sample();
    writeFileSync(file, lines.join('\n'));
    const forward = [...linesForward(file)];
    expect(forward.map((l) => l.text)).toEqual(lines);
    expect(forward.map((l) => l.line)).toEqual(lines.map((_, i) => i + 1));
    expect([...linesBackward(file)]).toEqual(lines.filter((l) => l !== '').reverse());
  });

  it('give the same bytes when a scan reuses one buffer for every chunk (transient), overlong lines included', () => {
    const file = path.join(tempDir(), 'f.jsonl');
    writeFileSync(file, `${sample().join('\n')}\n${'x'.repeat(MAX_LINE + 5)}\nend`);
    // Each chunk copied as it comes: a transient one is overwritten by the next read.
    const copied = (transient: boolean): string[] => {
      const out: string[] = [];
      for (const c of lineChunks(file, { transient })) out.push(c.bytes.toString('latin1'));
      return out;
    };
    const plain = copied(false);
    expect(plain.length).toBeGreaterThan(3);
    expect(copied(true)).toEqual(plain);
  });

  it('resume at a chunk end, and leave a last line with no newline to a later read when asked', () => {
    const file = path.join(tempDir(), 'f.jsonl');
    writeFileSync(file, 'one\ntwo\nthr');
    const chunks = [...lineChunks(file, { tail: false })];
    expect(chunks.map((c) => c.bytes.toString())).toEqual(['one\ntwo\n']);
    const end = chunks.at(-1)?.end ?? -1;
    expect(end).toBe(8);
    writeFileSync(file, 'one\ntwo\nthree\nfour\n');
    expect([...linesForward(file, { from: end, to: 14 })].map((l) => l.text)).toEqual(['three']);
  });

  it('cut a line longer than MAX_LINE to one bad line, and read the lines after it', () => {
    const file = path.join(tempDir(), 'f.jsonl');
    writeFileSync(file, `first\n${'\0'.repeat(MAX_LINE * 2 + 123)}\nafter\nlast\n`);
    const forward = [...linesForward(file)];
    expect(forward.map((l) => [l.line, l.text.length])).toEqual([[1, 5], [2, MAX_LINE], [3, 5], [4, 4]]);
    const backward = [...linesBackward(file)];
    expect(backward.map((l) => l.length)).toEqual([4, 5, MAX_LINE, 5]);
  });
});

describe('a segment path that is not a regular file', () => {
  it('reads as nothing at once, never blocking on a FIFO', () => {
    const fifo = path.join(tempDir(), 'f.jsonl');
    execFileSync('mkfifo', [fifo]);
    expect([...linesForward(fifo)]).toEqual([]);
    expect([...linesBackward(fifo)]).toEqual([]);
  });
});
