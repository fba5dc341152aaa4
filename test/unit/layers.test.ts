import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { ROOT } from '../helpers/rig.js';

// The layers of src/, bottom first (docs/decisions.md, "Layers"). A folder may import from its
// own layer or below; backfill and daemon share a layer and import neither each other.
const LAYERS: readonly (readonly string[])[] = [
  ['util'], ['schedule'], ['jobfile'], ['ledger'], ['engine'], ['backfill', 'daemon'], ['crontab'], ['export'], ['io'], ['cli'],
];
const MAX_LINES = 400;

const SRC = path.join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every relative import (type-only ones too) of a file, as absolute paths of .ts files. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
    out.push(path.resolve(path.dirname(file), (match[1] ?? '').replace(/\.js$/, '.ts')));
  }
  return out;
}

function folderOf(file: string): string {
  return path.relative(SRC, file).split(path.sep)[0] ?? '';
}

function layerOf(folder: string): number {
  return LAYERS.findIndex((layer) => layer.includes(folder));
}

const files = sourceFiles(SRC);

describe('the shape of src/', () => {
  it('puts every top-level folder in a layer', () => {
    const folders = [...new Set(files.map(folderOf))].filter((f) => !f.endsWith('.ts'));
    expect(folders.filter((f) => layerOf(f) === -1)).toEqual([]);
  });

  it('has no import from a folder above, nor between peers of a layer', () => {
    const upward: string[] = [];
    for (const file of files) {
      const from = folderOf(file);
      for (const target of importsOf(file)) {
        const to = folderOf(target);
        if (to === from) continue;
        if (layerOf(to) >= layerOf(from)) upward.push(`${path.relative(SRC, file)} -> ${path.relative(SRC, target)}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('has no import cycle', () => {
    const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => files.includes(t))]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, trail: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].map((f) => path.relative(SRC, f)).join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it(`keeps every file under ${String(MAX_LINES)} lines`, () => {
    const long = files
      .map((f) => ({ file: path.relative(SRC, f), lines: readFileSync(f, 'utf8').split('\n').length }))
      .filter((f) => f.lines >= MAX_LINES);
    expect(long).toEqual([]);
  });
});
