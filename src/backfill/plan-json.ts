import { isoUtcFast } from '../engine/logical-time.js';
import type { BackfillInstant } from './plan.js';

// A piece of the document is written once it is this long: memory stays at one piece, not 54 MB.
const PIECE = 1 << 20;

/**
 * The dry run's `--json` document, `{"summary":...,"runs":[...]}`, byte for byte what
 * `JSON.stringify({ summary, runs })` makes of it, in pieces of about a megabyte as they are
 * made: half a million instants are 54 MB of text, which one string and one write would build
 * (and copy) whole. Each run is `{job, logical_time, action, reason?}`.
 */
export function* planJson(summary: object, instants: readonly BackfillInstant[]): Generator<string> {
  const names = new Map<string, string>();
  let piece = `{"summary":${JSON.stringify(summary)},"runs":[`;
  for (let i = 0; i < instants.length; i++) {
    const { job, logicalMs, action, reason } = instants[i] as BackfillInstant;
    let name = names.get(job);
    if (name === undefined) {
      name = JSON.stringify(job);
      names.set(job, name);
    }
    piece += `${i === 0 ? '' : ','}{"job":${name},"logical_time":"${isoUtcFast(logicalMs)}","action":"${action}"${reason !== undefined ? `,"reason":"${reason}"` : ''}}`;
    if (piece.length >= PIECE) {
      yield piece;
      piece = '';
    }
  }
  yield `${piece}]}`;
}
