import { isAlias, isMap, isScalar, isSeq } from 'yaml';

/** How a YAML value reads in a message's "got ..." part. */
export function describeNode(node: unknown): string {
  if (node === null || node === undefined) return 'nothing';
  if (isMap(node)) return node.items.length === 0 ? 'an empty mapping' : 'a mapping';
  if (isSeq(node)) return node.items.length === 0 ? 'an empty list' : 'a list';
  if (isAlias(node)) return `an alias *${node.source}`;
  if (isScalar(node)) return describeValue(node.value);
  return 'something else';
}

export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return 'something else';
}
