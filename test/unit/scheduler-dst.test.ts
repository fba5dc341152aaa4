import { describe, expect, it } from 'vitest';

import type { WatermarkStore } from '../../src/daemon/scheduler.js';
import { Scheduler } from '../../src/daemon/scheduler.js';
import { FakeSpawner } from '../helpers/fake-spawner.js';
import { jobfileFrom, testEngine } from '../helpers/engine.js';

const marks: WatermarkStore = { load: () => ({}), save: () => undefined };

/** Runs the daemon loop on a manual clock from `from` for `hours`, and returns each firing's local logical time. */
async function fired(zone: string, schedule: string, from: string, hours: number): Promise<string[]> {
  const engine = testEngine({ start: from, spawner: new FakeSpawner(() => 0) });
  const jobfile = jobfileFrom(`
    version: 1
    jobs:
      j: { schedule: "${schedule}", timezone: ${zone}, command: job }
  `);
  const scheduler = new Scheduler(engine.deps, jobfile, marks, () => undefined);
  const done = scheduler.run();
  for (let h = 0; h < hours * 4; h++) await engine.clock.advance(15 * 60_000);
  engine.stop.abort('shutdown');
  await done;
  return engine.spawner.of('job').map((p) => p.request.env.TOCK_LOGICAL_TIME ?? '');
}

// Every expectation was worked out by hand from the zone's rules (tzdata): the offset before and
// after each change, the UTC instant of the change, and SPEC 3's rule. Local times are shown as
// TOCK_LOGICAL_TIME gives them, with their offset, so the two copies of a repeated hour differ.
describe('the daemon loop across DST changes (SPEC 3)', () => {
  it.each([
    // New York 2027: spring forward Sun 03-14 at 02:00 EST (07:00Z) to 03:00 EDT.
    ['America/New_York', '30 2 * * *', '2027-03-14T04:00:00Z', 6, ['2027-03-14T03:30:00-04:00']],
    ['America/New_York', '30 * * * *', '2027-03-14T05:00:00Z', 4, ['2027-03-14T00:30:00-05:00', '2027-03-14T01:30:00-05:00', '2027-03-14T03:30:00-04:00', '2027-03-14T04:30:00-04:00']],
    // A step hour runs by elapsed time: 02:00 does not exist and does not run; the next run is 04:00 EDT.
    ['America/New_York', '0 */2 * * *', '2027-03-14T04:30:00Z', 4, ['2027-03-14T00:00:00-05:00', '2027-03-14T04:00:00-04:00']],
    // New York 2027: fall back Sun 11-07 at 02:00 EDT (06:00Z) to 01:00 EST.
    ['America/New_York', '30 1 * * *', '2027-11-07T03:00:00Z', 6, ['2027-11-07T01:30:00-04:00']],
    ['America/New_York', '30 * * * *', '2027-11-07T04:00:00Z', 4, ['2027-11-07T00:30:00-04:00', '2027-11-07T01:30:00-04:00', '2027-11-07T01:30:00-05:00', '2027-11-07T02:30:00-05:00']],
    ['America/New_York', '0 */2 * * *', '2027-11-07T03:30:00Z', 4, ['2027-11-07T00:00:00-04:00', '2027-11-07T02:00:00-05:00']],
    // London 2027: spring forward Sun 03-28 at 01:00 GMT (01:00Z) to 02:00 BST.
    ['Europe/London', '30 1 * * *', '2027-03-27T23:00:00Z', 4, ['2027-03-28T02:30:00+01:00']],
    ['Europe/London', '30 * * * *', '2027-03-28T00:00:00Z', 3, ['2027-03-28T00:30:00+00:00', '2027-03-28T02:30:00+01:00', '2027-03-28T03:30:00+01:00']],
    // London 2027: fall back Sun 10-31 at 02:00 BST (01:00Z) to 01:00 GMT.
    ['Europe/London', '30 1 * * *', '2027-10-30T22:00:00Z', 5, ['2027-10-31T01:30:00+01:00']],
    ['Europe/London', '30 * * * *', '2027-10-30T23:00:00Z', 4, ['2027-10-31T00:30:00+01:00', '2027-10-31T01:30:00+01:00', '2027-10-31T01:30:00+00:00', '2027-10-31T02:30:00+00:00']],
    // London 2026, both changes, fixed hour.
    ['Europe/London', '30 1 * * *', '2026-03-28T23:00:00Z', 4, ['2026-03-29T02:30:00+01:00']],
    ['Europe/London', '30 1 * * *', '2026-10-24T22:00:00Z', 5, ['2026-10-25T01:30:00+01:00']],
    // Sydney 2027 (southern hemisphere): fall back Sun 04-04 at 03:00 AEDT (16:00Z on 04-03) to 02:00 AEST.
    ['Australia/Sydney', '30 2 * * *', '2027-04-03T13:00:00Z', 5, ['2027-04-04T02:30:00+11:00']],
    ['Australia/Sydney', '30 * * * *', '2027-04-03T14:00:00Z', 4, ['2027-04-04T01:30:00+11:00', '2027-04-04T02:30:00+11:00', '2027-04-04T02:30:00+10:00', '2027-04-04T03:30:00+10:00']],
    // Sydney 2027: spring forward Sun 10-03 at 02:00 AEST (16:00Z on 10-02) to 03:00 AEDT.
    ['Australia/Sydney', '30 2 * * *', '2027-10-02T13:00:00Z', 5, ['2027-10-03T03:30:00+11:00']],
    ['Australia/Sydney', '30 * * * *', '2027-10-02T15:00:00Z', 3, ['2027-10-03T01:30:00+10:00', '2027-10-03T03:30:00+11:00', '2027-10-03T04:30:00+11:00']],
    // Sydney 2026: fall back 04-05 and spring forward 10-04, fixed hour.
    ['Australia/Sydney', '30 2 * * *', '2026-04-04T13:00:00Z', 5, ['2026-04-05T02:30:00+11:00']],
    ['Australia/Sydney', '30 2 * * *', '2026-10-03T13:00:00Z', 5, ['2026-10-04T03:30:00+11:00']],
  ])('%s %s from %s for %i h', async (zone, schedule, from, hours, expected) => {
    expect(await fired(zone, schedule, from, hours)).toEqual(expected);
  });
});
