import { closeSync, fstatSync, ftruncateSync, writeSync } from 'node:fs';

import { describeStorageError } from '../util/storage-error.js';
import { openAppend } from './safe-fs.js';

/**
 * One spawn's output appended to its run's log file (0600), capped at `maxBytes` (`log_max`):
 * the head (the first half) goes to the file as it arrives; once the file holds `maxBytes`, the
 * rest is kept only as a tail, the last half, in memory. At close, if anything was cut, the file
 * is truncated back to the head and gets a `[tock: N bytes cut here]` line and the tail. Writes
 * are synchronous, so nothing queues up whatever the job prints; memory is the tail at most.
 *
 * A write that fails (a full disk, `ulimit -f`) never throws: the log stops there, the job goes
 * on, what follows is counted, and `close` says why in `error` (and marks the file if it can).
 */
export class RunLog {
  #fd: number | undefined;
  #error: string | undefined;
  /** Where the head ends in the file: it starts where earlier attempts of the run left it. */
  readonly #headEnd: number;
  readonly #tailMax: number;
  readonly #maxBytes: number;
  #size: number;
  readonly #tail: Buffer[] = [];
  #tailBytes = 0;
  #seen = 0;
  #lost = 0;

  constructor(file: string, maxBytes: number) {
    this.#maxBytes = maxBytes;
    this.#tailMax = Math.floor(maxBytes / 2);
    let start = 0;
    try {
      this.#fd = openAppend(file);
      start = fstatSync(this.#fd).size;
    } catch (error) {
      this.#error = describeStorageError(error);
    }
    this.#size = start;
    this.#headEnd = Math.max(start, maxBytes - this.#tailMax);
  }

  write(chunk: Buffer): void {
    this.#seen += chunk.length;
    if (this.#fd === undefined || this.#error !== undefined) {
      this.#lost += chunk.length;
      return;
    }
    const before = this.#size;
    // Whatever lies past the head may end up in the tail; what lies before the cap goes to the file now.
    if (before + chunk.length > this.#headEnd) this.#keepTail(before >= this.#headEnd ? chunk : chunk.subarray(this.#headEnd - before));
    if (before < this.#maxBytes && !this.#append(chunk.subarray(0, Math.min(chunk.length, this.#maxBytes - before)))) return;
    this.#size = before + chunk.length;
  }

  /** Writes the cut and the tail if output was cut; returns why the log is incomplete, if it is. */
  close(): { error?: string } {
    const fd = this.#fd;
    if (fd === undefined) return this.#result();
    if (this.#error === undefined && this.#size > this.#maxBytes) {
      const cut = this.#size - this.#headEnd - this.#tailBytes;
      try {
        ftruncateSync(fd, this.#headEnd);
        this.#append(Buffer.from(`\n[tock: ${String(cut)} bytes cut here]\n`));
        for (const piece of this.#tail) if (!this.#append(piece)) break;
      } catch (error) {
        this.#error ??= describeStorageError(error);
      }
    }
    this.#tail.length = 0;
    if (this.#error !== undefined && this.#lost > 0) {
      // Best effort: space may have come back; if not, the reason is in the run's record anyway.
      try {
        writeSync(fd, `\n[tock: ${String(this.#lost)} bytes not written: ${this.#error}]\n`);
      } catch {
        // still full
      }
    }
    closeSync(fd);
    this.#fd = undefined;
    return this.#result();
  }

  /** Bytes the spawn printed, whether or not they were kept. */
  get bytesSeen(): number {
    return this.#seen;
  }

  #result(): { error?: string } {
    return this.#error === undefined ? {} : { error: `log: ${this.#error}` };
  }

  #append(bytes: Buffer): boolean {
    if (this.#fd === undefined) return false;
    try {
      for (let done = 0; done < bytes.length;) done += writeSync(this.#fd, bytes, done);
      return true;
    } catch (error) {
      this.#error = describeStorageError(error);
      this.#lost += bytes.length;
      return false;
    }
  }

  /** The last `tailMax` bytes past the head, as a list of chunks trimmed from the front. */
  #keepTail(chunk: Buffer): void {
    if (this.#tailMax === 0) return;
    this.#tail.push(chunk);
    this.#tailBytes += chunk.length;
    while (this.#tailBytes > this.#tailMax) {
      const first = this.#tail[0];
      if (first === undefined) break;
      const excess = this.#tailBytes - this.#tailMax;
      if (first.length <= excess) {
        this.#tail.shift();
        this.#tailBytes -= first.length;
      } else {
        // A copy, so the dropped front of a large chunk is not kept alive by the slice.
        this.#tail[0] = Buffer.from(first.subarray(excess));
        this.#tailBytes -= excess;
      }
    }
  }
}
