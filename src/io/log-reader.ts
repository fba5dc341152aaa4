import { closeSync, fstatSync, readSync } from 'node:fs';

import { openToRead } from './lines-forward.js';

// Logs are read a piece at a time, from the end for `-n`, so a 64 MiB log costs what is printed.
const CHUNK = 64 * 1024;

/**
 * The byte offset where the last `lines` lines of a run's log begin (0 when it has fewer, or
 * cannot be read). A last line without a newline counts as a line; the file's final newline
 * does not start an empty one. Read backwards a chunk at a time: the cost is what `tail -n` reads.
 */
export function lastLinesOffset(file: string, lines: number): number {
  const fd = openToRead(file);
  if (fd === undefined) return 0;
  try {
    const size = fstatSync(fd).size;
    if (lines <= 0) return size;
    let position = size;
    let newlines = 0;
    let first = true;
    while (position > 0) {
      const length = Math.min(CHUNK, position);
      const chunk = Buffer.allocUnsafe(length);
      readSync(fd, chunk, 0, length, position - length);
      // The newline ending the file ends the last line: it is not a line boundary to count.
      let end = length;
      if (first && chunk[length - 1] === 0x0a) end--;
      first = false;
      for (let i = end === 0 ? -1 : chunk.lastIndexOf(0x0a, end - 1); i !== -1; i = i === 0 ? -1 : chunk.lastIndexOf(0x0a, i - 1)) {
        if (++newlines === lines) return position - length + i + 1;
      }
      position -= length;
    }
    return 0;
  } finally {
    closeSync(fd);
  }
}

/**
 * Up to CHUNK bytes of a log from `offset`, and the file's size: empty when there is nothing new
 * (or the file is not there yet). A follower calls it until it returns nothing.
 */
export function readLogChunk(file: string, offset: number): { bytes: Buffer; size: number } {
  const fd = openToRead(file);
  if (fd === undefined) return { bytes: Buffer.alloc(0), size: 0 };
  try {
    const size = fstatSync(fd).size;
    const length = Math.max(0, Math.min(CHUNK, size - offset));
    const bytes = Buffer.allocUnsafe(length);
    const read = length === 0 ? 0 : readSync(fd, bytes, 0, length, offset);
    return { bytes: bytes.subarray(0, read), size };
  } finally {
    closeSync(fd);
  }
}
