/** A size as written in a jobfile: `64MiB`, `1MB`, `512KiB`, `100k`, or a plain number of bytes. */
export const SIZE_PATTERN = '^\\s*(\\d+(?:\\.\\d+)?)\\s*([kKmMgG]i?|[bB])?[bB]?\\s*$';
const SIZE = new RegExp(SIZE_PATTERN);

const UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1e3, m: 1e6, g: 1e9, ki: 2 ** 10, mi: 2 ** 20, gi: 2 ** 30 };

/** Bytes, or undefined when the text is not a size. `MB` is 10^6 and `MiB` 2^20, as IEC says. */
export function parseSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
  const match = SIZE.exec(value);
  if (match === null) return undefined;
  const [, amount = '0', unit = ''] = match;
  const factor = UNITS[unit.toLowerCase()];
  return factor === undefined ? undefined : Math.floor(Number(amount) * factor);
}

/** A size for messages: 67108864 -> `64MiB`, 1500 -> `1500B`. */
export function formatSize(bytes: number): string {
  for (const [unit, size] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (bytes >= size && bytes % size === 0) return `${String(bytes / size)}${unit}`;
  }
  return `${String(bytes)}B`;
}
