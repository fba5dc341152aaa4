import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

// A ledger line is ~1-2 KB: a chunk holds hundreds, and a 600 MB segment is read in 600 reads
// without ever holding more than this (Node cannot make a string over ~512 MB).
const CHUNK = 1024 * 1024;
// No ledger line comes near this; bytes with no newline this long (a zero-filled tail after a
// crash, a stray binary) are cut to here and reported as one bad line, never buffered whole.
export const MAX_LINE = 4 * 1024 * 1024;

/** Whole lines of a file, a chunk at a time. */
export interface LineChunk {
  /** Whole lines, each ending in a newline (an overlong line is cut to MAX_LINE and given one). */
  bytes: Buffer;
  /** The file offset just after the chunk's last newline: where a follower resumes. */
  end: number;
  /** The 1-based number of the chunk's first line. */
  firstLine: number;
}

export interface ChunkOptions {
  /** Byte offset to start at (the start of a line); 0 by default. */
  from?: number;
  /** Read no further than this offset (the file's size when reading began, by default). */
  to?: number;
  /** A last line with no newline (a torn write, or one being appended now) is yielded too, with one added; false leaves it for a follower's next read. */
  tail?: boolean;
  /**
   * For a scan that is done with each chunk before it asks for the next: the chunks are views of
   * one buffer, reused (no memory is allocated and faulted in per chunk), and their lines are not
   * counted (`firstLine` is 0).
   */
  transient?: boolean;
}

/**
 * A file's lines from the start, CHUNK bytes at a time, split on newline bytes (so never inside
 * a multi-byte character): memory stays bounded whatever the file's size. Nothing if it cannot
 * be read (gone, compacted away since it was listed).
 */
export function* lineChunks(file: string, options: ChunkOptions = {}): Generator<LineChunk> {
  const fd = openToRead(file);
  if (fd === undefined) return;
  try {
    const to = Math.min(options.to ?? Infinity, fstatSync(fd).size);
    let position = options.from ?? 0;
    let carry = EMPTY;
    let line = 1;
    let skipping = false;
    const transient = options.transient === true;
    const chunk = (bytes: Buffer, end: number): LineChunk => {
      if (transient) return { bytes, end, firstLine: 0 };
      const out = { bytes, end, firstLine: line };
      line += count(bytes);
      return out;
    };
    let reused = EMPTY;
    while (position < to) {
      // The carry (the start of a line cut by the last read) goes first, and the read lands
      // after it: a chunk is copied once, by the kernel.
      const size = carry.length + Math.min(CHUNK, to - position);
      if (transient && reused.length < size) reused = Buffer.allocUnsafe(Math.max(size, CHUNK + BAD_CARRY));
      const read = transient ? reused.subarray(0, size) : Buffer.allocUnsafe(size);
      carry.copy(read);
      const got = readSync(fd, read, carry.length, read.length - carry.length, position);
      if (got === 0) break;
      position += got;
      let bytes = read.subarray(0, carry.length + got);
      carry = EMPTY;
      if (skipping) {
        // The rest of an overlong line: drop it up to its newline.
        const newline = bytes.indexOf(0x0a);
        if (newline === -1) continue;
        skipping = false;
        bytes = bytes.subarray(newline + 1);
      }
      const last = bytes.lastIndexOf(0x0a);
      if (last === -1) {
        carry = bytes;
        if (carry.length >= MAX_LINE) {
          yield chunk(Buffer.concat([carry.subarray(0, MAX_LINE), NEWLINE]), position);
          carry = EMPTY;
          skipping = true;
        }
        continue;
      }
      // The chunk's bytes stay the consumer's: the carry is a copy, not a view of them.
      carry = Buffer.from(bytes.subarray(last + 1));
      yield chunk(bytes.subarray(0, last + 1), position - carry.length);
    }
    if (carry.length > 0 && options.tail !== false) yield chunk(Buffer.concat([carry, NEWLINE]), position);
  } finally {
    closeSync(fd);
  }
}

/** A file's lines from the first, with their 1-based numbers; blank lines included. */
export function* linesForward(file: string, options: ChunkOptions = {}): Generator<{ text: string; line: number }> {
  for (const { bytes, firstLine } of lineChunks(file, options)) yield* splitLines(bytes, firstLine);
}

/** The lines of a chunk (whole lines, each ending in a newline), numbered from `firstLine`. */
export function* splitLines(bytes: Buffer, firstLine: number): Generator<{ text: string; line: number }> {
  let start = 0;
  let line = firstLine;
  for (let newline = bytes.indexOf(0x0a); newline !== -1; newline = bytes.indexOf(0x0a, start)) {
    yield { text: bytes.toString('utf8', start, newline), line: line++ };
    start = newline + 1;
  }
}

/**
 * A descriptor to read `file`, or undefined when it cannot be opened (gone since it was listed)
 * or is not a regular file: a FIFO planted at a segment's path would block a plain open forever.
 */
export function openToRead(file: string): number | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  if (fstatSync(fd).isFile()) return fd;
  closeSync(fd);
  return undefined;
}

const NEWLINE = Buffer.from('\n');
const EMPTY = Buffer.alloc(0);
// Room in a reused buffer for the start of a line cut by the last read (ledger lines are ~1 KB).
const BAD_CARRY = 64 * 1024;

function count(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) n++;
  return n;
}
