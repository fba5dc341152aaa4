import { closeSync, fstatSync, readSync } from 'node:fs';

import { MAX_LINE, openToRead } from './lines-forward.js';

// Reading backwards, a chunk holds a few dozen runs: status needs ten per job.
const CHUNK = 64 * 1024;

/**
 * A file's lines from the last to the first, reading CHUNK bytes at a time from the end; nothing
 * if it cannot be read. A line that spans chunks is put together from them; one longer than
 * MAX_LINE (no ledger line is) is yielded as its last MAX_LINE bytes, so neither memory nor the
 * work per chunk grows with it.
 */
export function* linesBackward(file: string): Generator<string> {
  const fd = openToRead(file);
  if (fd === undefined) return;
  try {
    let position = fstatSync(fd).size;
    let carry = Buffer.alloc(0);
    let overlong = false;
    while (position > 0) {
      const length = Math.min(CHUNK, position);
      position -= length;
      const chunk = Buffer.allocUnsafe(length);
      readSync(fd, chunk, 0, length, position);
      // Split on newline bytes, never inside a multi-byte character; the last piece may be the
      // start of a line that goes on in the carry (which holds no newline: only `chunk` is searched).
      let end = length;
      for (let i = chunk.lastIndexOf(0x0a); i !== -1; i = i === 0 ? -1 : chunk.lastIndexOf(0x0a, i - 1)) {
        const piece = end === length ? joined(chunk.subarray(i + 1, end), carry) : chunk.subarray(i + 1, end);
        if (end === length) {
          carry = Buffer.alloc(0);
          overlong = false;
        }
        if (piece.length > 0) yield piece.toString('utf8');
        end = i;
      }
      if (end === length) {
        // No newline here: the whole chunk belongs to the line in the carry.
        if (!overlong) carry = Buffer.concat([chunk, carry]);
        if (carry.length > MAX_LINE) {
          carry = carry.subarray(carry.length - MAX_LINE);
          overlong = true;
        }
      } else {
        carry = Buffer.from(chunk.subarray(0, end));
      }
    }
    if (carry.length > 0) yield carry.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function joined(head: Buffer, carry: Buffer): Buffer {
  if (carry.length === 0) return head;
  const line = Buffer.concat([head, carry]);
  return line.length > MAX_LINE ? line.subarray(line.length - MAX_LINE) : line;
}
