import { afterEach } from 'vitest';

import { Rig } from './rig.js';

/** A maker of rigs for one test file: each rig's temp dir is removed after its test. */
export function rigsCleanedAfterEach(): (yaml: string) => Rig {
  const made: Rig[] = [];
  afterEach(() => {
    for (const r of made.splice(0)) r.cleanup();
  });
  return (yaml) => {
    const r = new Rig(yaml);
    made.push(r);
    return r;
  };
}
