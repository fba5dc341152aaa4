import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

// Reading backwards, a chunk holds a few dozen runs: status needs ten per job.
const CHUNK = 64 * 1024;

/** A file's lines from the last to the first, reading CHUNK bytes at a time from the end; nothing if it cannot be read. */
export function* linesBackward(file: string): Generator<string> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return;
  }
  try {
    let position = fstatSync(fd).size;
    let carry = Buffer.alloc(0);
    while (position > 0) {
      const length = Math.min(CHUNK, position);
      position -= length;
      const chunk = Buffer.alloc(length + carry.length);
      readSync(fd, chunk, 0, length, position);
      carry.copy(chunk, length);
      // Split on newline bytes, never inside a multi-byte character; the first piece may be
      // the end of a line that started in an earlier chunk.
      let end = chunk.length;
      for (let i = chunk.length - 1; i >= 0; i--) {
        if (chunk[i] !== 0x0a) continue;
        if (i + 1 < end) yield chunk.toString('utf8', i + 1, end);
        end = i;
      }
      carry = chunk.subarray(0, end);
    }
    if (carry.length > 0) yield carry.toString('utf8');
  } finally {
    closeSync(fd);
  }
}
