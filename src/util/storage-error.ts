/**
 * Errors that mean the disk would not take a write (full, over quota, over `ulimit -f`, gone
 * read-only or failing): a fact about the host that tock reports and survives, never a bug.
 */
const STORAGE_CODES: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large (ulimit -f)',
  EROFS: 'read-only file system',
  EIO: 'input/output error',
};

export function isStorageError(error: unknown): error is NodeJS.ErrnoException {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code in STORAGE_CODES;
}

/** The errno a write failed with, in words: `no space left on device`. */
export function describeStorageError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && code in STORAGE_CODES) return STORAGE_CODES[code] ?? code;
  return code ?? (error instanceof Error ? error.message : String(error));
}
