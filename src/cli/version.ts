import { readFileSync } from 'node:fs';

/** tock's version, from its package.json: what `tock --version` prints and the daemon records. */
export const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
