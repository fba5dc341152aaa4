import { closeSync, fdatasyncSync, ftruncateSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';

import type { WatermarkStore } from '../daemon/scheduler.js';
import { writeFileAtomic } from './atomic-write.js';
import { ensureDir } from './ensure-dir.js';
import { openAppend } from './safe-fs.js';

// The moves since the last whole write are appended as lines; past this many (and past twice
// the jobs), the whole set is written again and the lines dropped.
const MIN_LINES_BEFORE_REWRITE = 1000;

/**
 * The daemon's watermarks: all of them in `<state>/daemon/watermarks.json` (written atomically),
 * and each move since in `watermarks.jsonl`, one fsync'd line a move, so that a firing costs what
 * it moves, not what the jobfile holds (100,000 jobs are 5 MB of marks). A mark only ever moves
 * forward, so on load the later of the two wins, and a crash between the rewrite and the drop
 * of the lines changes nothing; a torn last line is skipped.
 */
export function fileWatermarks(stateDir: string): WatermarkStore {
  const dir = path.join(stateDir, 'daemon');
  const file = path.join(dir, 'watermarks.json');
  const moves = path.join(dir, 'watermarks.jsonl');
  let fd: number | undefined;
  let lines = 0;
  const rewrite = (marks: Readonly<Record<string, number>>): void => {
    ensureDir(dir);
    const jobs = Object.fromEntries(Object.entries(marks).map(([job, ms]) => [job, new Date(ms).toISOString()]));
    writeFileAtomic(file, `${JSON.stringify({ v: 1, jobs }, null, 1)}\n`, 0o600);
    if (fd !== undefined) ftruncateSync(fd, 0);
    lines = 0;
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
      // The first save of a process writes them all (and drops the lines an earlier one left).
      if (fd === undefined || moved === undefined || lines + moved.length > Math.max(MIN_LINES_BEFORE_REWRITE, 2 * Object.keys(marks).length)) {
        fd ??= openMoves(moves);
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

function openMoves(file: string): number {
  ensureDir(path.dirname(file));
  return openAppend(file);
}
