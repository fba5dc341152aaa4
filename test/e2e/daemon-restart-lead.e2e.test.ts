// A restart that lands in the lead (the few ms before an instant, when its run is armed: issue
// 13) loses nothing: the armed run is closed `killed` with nothing started, its watermark goes
// back, and the next daemon runs the instant. Each stop is aimed 25 ms before a second (inside
// the lead, which is at least 20 ms); whether or not one lands in it, every instant between the
// first and the last success must be handled, and none run twice.

import { afterEach, describe, expect, it } from 'vitest';

import { waitFor } from '../helpers/rig.js';
import { rigsCleanedAfterEach } from '../helpers/rigs.js';

const rig = rigsCleanedAfterEach();
const daemons: { child: { kill: (s: NodeJS.Signals) => boolean } }[] = [];
afterEach(() => {
  for (const d of daemons.splice(0)) d.child.kill('SIGKILL');
});

const TICK = `
  version: 1
  jobs:
    tick: { schedule: "* * * * * *", command: "true" }
`;

/** Resolves `ms` before the next whole second. */
function before(ms: number): Promise<void> {
  const wait = (1000 - (Date.now() % 1000) - ms + 1000) % 1000;
  return new Promise((resolve) => setTimeout(resolve, wait));
}

describe('a daemon restarted in the lead of an instant', () => {
  it('handles every instant, none twice: the one armed when it stopped is run by the next daemon', async () => {
    const r = rig(TICK);
    for (let i = 0; i < 3; i++) {
      const d = r.start(['daemon']);
      daemons.push(d);
      const seen = r.runs('tick').filter((run) => run.outcome === 'success').length;
      await waitFor(() => (r.runs('tick').filter((run) => run.outcome === 'success').length > seen ? true : undefined), 10_000, 'a success');
      await before(25);
      d.child.kill('SIGTERM');
      expect((await d.done).code).toBe(0);
    }
    const runs = r.runs('tick');
    const succeeded = runs.filter((run) => run.outcome === 'success').map((run) => Date.parse(run.logical_time));
    expect(new Set(succeeded).size).toBe(succeeded.length);
    // Every instant from the first success to the last is accounted for: it succeeded, or (a
    // start slower than a second on a loaded machine) its catchup recorded it missed. None is lost.
    const handled = new Set(runs.filter((run) => run.outcome === 'success' || run.outcome === 'missed').map((run) => Date.parse(run.logical_time)));
    const first = Math.min(...succeeded);
    const last = Math.max(...succeeded);
    for (let at = first; at <= last; at += 1000) expect(handled.has(at), new Date(at).toISOString()).toBe(true);
    // A run closed before its time started nothing, and says what happens next.
    for (const run of runs.filter((x) => x.outcome === 'killed')) {
      expect(run.attempts).toEqual([]);
      expect(run.message).toMatch(/next start handles this instant/);
    }
  }, 40_000);
});
