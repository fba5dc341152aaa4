import { Worker } from 'node:worker_threads';

import { normalizeJobfile } from '../jobfile/normalize.js';
import type { Jobfile } from '../jobfile/types.js';
import type { UserErrorCode } from '../util/user-error.js';
import { UserError } from '../util/user-error.js';

export interface AsideRequest {
  /** Absolute. */
  file: string;
  /** The path as diagnostics show it. */
  shown: string;
  asRoot: boolean;
}

export type AsideReply =
  | { kind: 'ok'; value: Record<string, unknown>; text: string }
  | { kind: 'invalid'; errors: number; problems: string[] }
  | { kind: 'user-error'; code: UserErrorCode; message: string; hint?: string; details: string[] };

export type AsideResult = { ok: true; jobfile: Jobfile } | { ok: false; errors: number; problems: string[] };

/**
 * Loads a jobfile as the daemon keeps it: parsed and checked in a worker thread, normalized
 * here. A big file's parse grows the heap (and V8 keeps that memory, to be given back by a GC
 * seconds later, while the daemon is idle); in a worker that heap is thrown away whole, and
 * the daemon never loads the YAML library at all (docs/decisions.md). A missing or insecure
 * file rejects with its `UserError`, as `loadJobfile` throws it.
 */
export async function loadAside(request: AsideRequest): Promise<AsideResult> {
  const worker = new Worker(new URL('./jobfile-worker.js', import.meta.url), { workerData: request });
  const reply = await new Promise<AsideReply>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => { reject(new Error(`the jobfile worker exited (${String(code)}) without an answer`)); });
  });
  switch (reply.kind) {
    case 'ok':
      return { ok: true, jobfile: normalizeJobfile(reply.value, request.file, reply.text) };
    case 'invalid':
      return { ok: false, errors: reply.errors, problems: reply.problems };
    case 'user-error':
      throw new UserError(reply.code, reply.message, reply.hint, reply.details);
  }
}
