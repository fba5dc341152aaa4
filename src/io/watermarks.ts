import { closeSync, fdatasyncSync, ftruncateSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

import type { WatermarkStore } from '../daemon/scheduler.js';
import { writeFileAtomic } from './atomic-write.js';
import { ensureDir } from './ensure-dir.js';
import { openAppend } from './safe-fs.js';

// Up to this many jobs (about 100 KB), every move writes them all; past it, the moves since the
// last whole write are appended as lines, and past MIN_LINES_BEFORE_REWRITE lines (and twice the
// jobs) the whole set is written again and the lines dropped.
const WHOLE_UP_TO = 2000;
const MIN_LINES_BEFORE_REWRITE = 1000;

/**
 * The daemon's watermarks: all of them in `<state>/daemon/watermarks.json` (written atomically),
 * and, for a big jobfile, each move since in `watermarks.jsonl`, one fsync'd line a move, so that
 * a firing costs what it moves, not what the jobfile holds (100,000 jobs are 5 MB of marks). A
 * mark only ever moves forward, so on load the later of the two wins, and a crash between the
 * rewrite and the drop of the lines changes nothing; a torn last line is skipped.
 */
export function fileWatermarks(stateDir: string): WatermarkStore {
  const dir = path.join(stateDir, 'daemon');
  const file = path.join(dir, 'watermarks.json');
  const moves = path.join(dir, 'watermarks.jsonl');
  let fd: number | undefined;
  let lines = 0;
  let known = 0;
  let dropped = false;
  const rewrite = (marks: Readonly<Record<string, number>>): void => {
    ensureDir(dir);
    const entries = Object.entries(marks);
    writeFileAtomic(file, `${JSON.stringify({ v: 1, jobs: Object.fromEntries(entries.map(([job, ms]) => [job, new Date(ms).toISOString()])) }, null, 1)}\n`, 0o600);
    known = entries.length;
    lines = 0;
    if (fd !== undefined) ftruncateSync(fd, 0);
    else if (known > WHOLE_UP_TO) fd = openMoves(moves);
    // Lines an earlier process left are older than what was just written: dropped, once.
    else if (!dropped) rmSync(moves, { force: true });
    dropped = true;
  };
  return {
    load() {
      const marks: Record<string, number> = {};
      const keep = (job: string, iso: unknown): void => {
        const ms = typeof iso === 'string' ? Date.parse(iso) : NaN;
        if (Number.isFinite(ms)) marks[job] = Math.max(ms, marks[job] ?? -Infinity);
      };
      try {
        const doc = JSON.parse(readFileSync(file, 'utf8')) as { v?: number; jobs?: Record<string, string> };
        for (const [job, iso] of Object.entries(doc.jobs ?? {})) keep(job, iso);
      } catch {
        // none yet, or unreadable: the moves, if any, and then now
      }
      let text = '';
      try {
        text = readFileSync(moves, 'utf8');
      } catch {
        return marks;
      }
      for (const line of text.split('\n')) {
        try {
          const move = JSON.parse(line) as { job?: unknown; at?: unknown };
          if (typeof move.job === 'string') keep(move.job, move.at);
        } catch {
          // a torn last line
        }
      }
      return marks;
    },
    save(marks, moved) {
      if (fd === undefined || moved === undefined || lines + moved.length > Math.max(MIN_LINES_BEFORE_REWRITE, 2 * known)) {
        rewrite(marks);
        return;
      }
      const text = moved.flatMap((job) => (marks[job] === undefined ? [] : [`${JSON.stringify({ job, at: new Date(marks[job]).toISOString() })}\n`])).join('');
      const bytes = Buffer.from(text);
      try {
        for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done);
        fdatasyncSync(fd);
      } catch (error) {
        // A half-written line is a torn one (skipped on load); the next save writes them all.
        closeSync(fd);
        fd = undefined;
        throw error;
      }
      lines += moved.length;
    },
  };
}

/** The lines' file, emptied: what an earlier process left is older than the whole write just done. */
function openMoves(file: string): number {
  const fd = openAppend(file);
  ftruncateSync(fd, 0);
  return fd;
}
