import type { Document, LineCounter, Node } from 'yaml';
import { isMap, isPair, isScalar, isSeq } from 'yaml';

import type { Diagnostic } from './diagnostic.js';
import { diag } from './validate-shape.js';

/** Deeper than any jobfile needs (one is about 5 deep); far below what exhausts the parser's stack. */
export const MAX_NESTING = 64;

/**
 * Every key written twice in one mapping, reported at the second, and collections nested deeper
 * than MAX_NESTING (reported once, at the first that is). tock reads keys as names, so
 * `1:` and `"1":` are the same job: the YAML library's own check (off, see load.ts) compares
 * values, not names, and keeps a list per mapping, which made a 90,000-job file take minutes.
 * One Set per mapping here; an explicit stack, so no nesting depth can overflow the call stack.
 */
export function keyAndDepthProblems(doc: Document, lines: LineCounter): Diagnostic[] {
  const out: Diagnostic[] = [];
  const pending: { node: unknown; path: string; depth: number }[] = [{ node: doc.contents, path: '', depth: 1 }];
  let tooDeep: Diagnostic | undefined;
  while (pending.length > 0) {
    const { node, path, depth } = pending.pop() as { node: unknown; path: string; depth: number };
    if ((isSeq(node) || isMap(node)) && depth > MAX_NESTING) {
      if (tooDeep === undefined || (node.range?.[0] ?? 0) < tooDeep.start) tooDeep = nestingTooDeep(node);
      continue;
    }
    if (isSeq(node)) {
      node.items.forEach((item, i) => pending.push({ node: item, path: `${path}[${String(i)}]`, depth: depth + 1 }));
      continue;
    }
    if (!isMap(node)) continue;
    const first = new Map<string, Node>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = pair.key as Node | null;
      const value: unknown = isScalar(key) ? key.value : undefined;
      const name = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
      const keyPath = path === '' ? name ?? '?' : `${path}.${name ?? '?'}`;
      if (name !== undefined) {
        const earlier = first.get(name);
        if (earlier === undefined) first.set(name, key as Node);
        else out.push(duplicate(path, keyPath, name, key as Node, earlier, lines.linePos(earlier.range?.[0] ?? 0).line));
      }
      pending.push({ node: pair.value, path: keyPath, depth: depth + 1 });
    }
  }
  if (tooDeep !== undefined) out.push(tooDeep);
  return out.sort((a, b) => a.start - b.start);
}

/** Nesting deeper than MAX_NESTING, at `at` (a node, or a YAML error's offset when the parser itself gave up). */
export function nestingTooDeep(at: unknown): Diagnostic {
  const node = typeof at === 'number' ? { range: [at, at + 1, at + 1] } : at;
  return diag('too-deep', '', node, `expected lists and mappings nested at most ${String(MAX_NESTING)} deep, got nesting deeper than ${String(MAX_NESTING)}`,
    'a jobfile needs about five levels: remove the extra [ and { (or indentation) from here on');
}

function duplicate(mapPath: string, keyPath: string, name: string, key: Node, earlier: Node, line: number): Diagnostic {
  const where = `on line ${String(line)}`;
  if (mapPath === 'jobs') {
    return diag('duplicate-key', keyPath, key, `expected each job name once, got "${name}" again (first ${where}${sameAsWritten(key, earlier) ? '' : ', written another way'})`,
      'rename one of the two jobs: a YAML mapping keeps only one value per name');
  }
  return diag('duplicate-key', keyPath, key, `expected each key once in a mapping, got "${name}" again (first ${where})`,
    'remove or rename the repeated key');
}

function sameAsWritten(a: Node, b: Node): boolean {
  return isScalar(a) && isScalar(b) && a.source === b.source && a.type === b.type;
}
