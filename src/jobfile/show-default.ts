import { formatDuration } from '../util/duration.js';
import type { Field, Follows } from './fields.js';

/** A default as a user would write it in YAML: a duration as `10s`, a list as `[]`. */
export type WrittenDefault = string | number | boolean | readonly string[] | Readonly<Record<string, never>>;

/**
 * The one formatter of a field's default, for the schema and the README: the value a user would
 * write (`10_000` ms -> `"10s"`), or what the field follows when it has no value of its own.
 */
export function showDefault(field: Field): { written: WrittenDefault } | Follows | undefined {
  const value = field.default;
  if (value === undefined) return undefined;
  if (isFollows(value)) return value;
  return { written: field.type.kind === 'duration' && typeof value === 'number' ? writtenDuration(value) : value };
}

/** `formatDuration` spells sub-second values in ms for messages; a jobfile has no ms unit (`0s`). */
function writtenDuration(ms: number): string {
  return ms < 1000 ? `${String(ms / 1000)}s` : formatDuration(ms);
}

/** The default in a sentence or a README cell: `10s`, `[]`, `true`, `the jobfile's directory`. */
export function defaultText(field: Field): string | undefined {
  const shown = showDefault(field);
  if (shown === undefined) return undefined;
  if ('follows' in shown) return shown.follows;
  return typeof shown.written === 'string' ? shown.written : JSON.stringify(shown.written);
}

function isFollows(value: NonNullable<Field['default']>): value is Follows {
  return typeof value === 'object' && 'follows' in value;
}
