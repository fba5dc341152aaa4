import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The jobs paused by `tock pause`, from `<state>/paused.json` (a JSON array of names); none when it is missing. */
export function readPaused(stateDir: string): ReadonlySet<string> {
  try {
    const doc = JSON.parse(readFileSync(path.join(stateDir, 'paused.json'), 'utf8')) as unknown;
    return new Set(Array.isArray(doc) ? doc.filter((n): n is string => typeof n === 'string') : []);
  } catch {
    return new Set();
  }
}
