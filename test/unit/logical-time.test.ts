import { describe, expect, it } from 'vitest';

import { isoInZone, isoUtcFast, templateValues } from '../../src/engine/logical-time.js';

describe('isoInZone', () => {
  it.each([
    ['2026-11-21T02:15:00.000Z', 'UTC', '2026-11-21T02:15:00Z'],
    ['2026-11-21T02:15:00.000Z', 'Asia/Tokyo', '2026-11-21T11:15:00+09:00'],
    ['2026-11-21T02:15:00.000Z', 'Europe/London', '2026-11-21T02:15:00+00:00'],
    ['2026-07-01T02:15:00.000Z', 'Europe/London', '2026-07-01T03:15:00+01:00'],
    ['2026-03-08T07:30:00.000Z', 'America/New_York', '2026-03-08T03:30:00-04:00'],
    ['2026-11-01T05:30:00.000Z', 'America/New_York', '2026-11-01T01:30:00-04:00'],
    ['2026-11-01T06:30:00.000Z', 'America/New_York', '2026-11-01T01:30:00-05:00'],
    ['2026-01-01T00:00:00.000Z', 'Asia/Kolkata', '2026-01-01T05:30:00+05:30'],
    ['2026-11-21T00:00:00.000Z', 'Pacific/Kiritimati', '2026-11-21T14:00:00+14:00'],
  ])('%s in %s is %s', (utc, zone, local) => {
    expect(isoInZone(Date.parse(utc), zone)).toBe(local);
  });
});

describe('templateValues', () => {
  it('takes ds from the logical date in the job\'s zone, not UTC', () => {
    const values = templateValues('etl', 'America/Los_Angeles', Date.parse('2026-11-21T02:15:00Z'), 'r1', 2);
    expect(values).toEqual({ ds: '2026-11-20', ds_nodash: '20261120', ts: '2026-11-20T18:15:00-08:00', job: 'etl', run_id: 'r1', attempt: '2' });
  });
});

describe('isoUtcFast', () => {
  it('formats exactly as toISOString, across days, years and milliseconds', () => {
    for (const ms of [0, 999, 86_399_999, Date.parse('2024-02-29T23:59:59.123Z'), Date.parse('2026-11-21T02:15:00Z'), Date.parse('2099-12-31T00:00:00.001Z')]) {
      expect(isoUtcFast(ms)).toBe(new Date(ms).toISOString());
    }
  });
});
