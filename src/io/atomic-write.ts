import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

import { CREATE_NEW } from './safe-fs.js';

/**
 * Replaces `file` whole, so that a reader (another tock, node_exporter) sees the old content or
 * the new, never half, and a crash leaves one of the two on disk: the bytes go to a temp file in
 * the same directory (rename is atomic only within a file system), created exclusively under a
 * name no other writer can pick, fsync'd, renamed over `file`, then the directory is fsync'd so
 * the rename itself survives a power cut. `data` may be pieces, written one after another. The file gets exactly `mode`, whatever the umask. On any
 * error the temp file is removed and the error thrown; the directory must exist.
 *
 * `durable: false` skips both fsyncs, for a file that describes live processes (a lock's owner):
 * readers still see the old content or the new, and a crash of tock (not of the machine) loses
 * nothing, since the page cache outlives the process; after a power cut what it described is gone.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array | Iterable<Uint8Array>, mode: number, durable = true): void {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${String(process.pid)}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temp, CREATE_NEW, mode);
  try {
    try {
      fchmodSync(fd, mode);
      // Pieces (a rewritten 600 MB segment) are written as they come, never joined in memory.
      const pieces = typeof data === 'string' ? [Buffer.from(data)] : data instanceof Uint8Array ? [data] : data;
      for (const bytes of pieces) for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done);
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  if (durable) syncDir(dir);
}

/** fsync on a directory makes a rename in it durable; some file systems refuse it, which is no worse than before. */
function syncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // EINVAL/EISDIR on file systems that cannot sync a directory.
  } finally {
    closeSync(fd);
  }
}
