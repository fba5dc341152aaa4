import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { WatermarkStore } from '../daemon/scheduler.js';
import { writeFileAtomic } from './atomic-write.js';
import { ensureDir } from './ensure-dir.js';

/** The daemon's watermarks in `<state>/daemon/watermarks.json`, written atomically on every move. */
export function fileWatermarks(stateDir: string): WatermarkStore {
  const file = path.join(stateDir, 'daemon', 'watermarks.json');
  return {
    load() {
      try {
        const doc = JSON.parse(readFileSync(file, 'utf8')) as { v?: number; jobs?: Record<string, string> };
        const marks: Record<string, number> = {};
        for (const [job, iso] of Object.entries(doc.jobs ?? {})) {
          const ms = Date.parse(iso);
          if (Number.isFinite(ms)) marks[job] = ms;
        }
        return marks;
      } catch {
        return {};
      }
    },
    save(marks) {
      ensureDir(path.dirname(file));
      const jobs = Object.fromEntries(Object.entries(marks).map(([job, ms]) => [job, new Date(ms).toISOString()]));
      writeFileAtomic(file, `${JSON.stringify({ v: 1, jobs }, null, 1)}\n`, 0o600);
    },
  };
}
