import { describe, expect, it } from 'vitest';

import { tockCommand } from '../../src/cli/command-hint.js';
import { parseTime } from '../../src/cli/parse-time.js';
import { formatTime } from '../../src/cli/render/time.js';
import { zoneName } from '../../src/schedule/cron/zone.js';

describe('formatTime: the wall clock in the zone, and its name', () => {
  it.each([
    ['2026-11-09T23:00:00.000Z', 'Europe/Berlin', '2026-11-10 00:00 CET'],
    ['2026-07-01T22:00:00.000Z', 'Europe/Berlin', '2026-07-02 00:00 CEST'],
    ['2026-03-08T07:30:00.000Z', 'America/New_York', '2026-03-08 03:30 EDT'],
    ['2026-11-10T00:30:00.000Z', 'Asia/Kolkata', '2026-11-10 06:00 IST'],
    ['2026-11-10T00:00:00.000Z', 'Asia/Tokyo', '2026-11-10 09:00 +0900'],
    ['2026-11-10T00:00:00.000Z', 'Asia/Kathmandu', '2026-11-10 05:45 +0545'],
    ['2026-11-10T00:00:00.000Z', 'America/Sao_Paulo', '2026-11-09 21:00 -0300'],
    ['2026-11-10T00:00:05.000Z', 'UTC', '2026-11-10 00:00:05 UTC'],
  ])('%s in %s is %s', (iso, zone, shown) => {
    expect(formatTime(iso, zone)).toBe(shown);
  });

  it('--utc shows UTC; seconds: true always shows them', () => {
    expect(formatTime(Date.parse('2026-11-09T23:00:00Z'), 'Europe/Berlin', { utc: true })).toBe('2026-11-09 23:00 UTC');
    expect(formatTime('2026-11-09T23:00:00.250Z', 'Europe/Berlin', { seconds: true })).toBe('2026-11-10 00:00:00 CET');
  });

  it('a zone\'s name is the same at every instant of one offset', () => {
    expect(zoneName('Europe/London', Date.parse('2026-01-10T00:00:00Z'))).toBe('GMT');
    expect(zoneName('Europe/London', Date.parse('2026-07-10T00:00:00Z'))).toBe('BST');
  });
});

describe('parseTime: durations back from now', () => {
  it('reads 2d, 12h and 1h30m as that long before now, and a bare number as a year', async () => {
    const before = Date.now();
    const twoDays = await parseTime('2d', 'UTC', '--since');
    expect(twoDays).toBeGreaterThanOrEqual(before - 2 * 86_400_000);
    expect(twoDays).toBeLessThanOrEqual(Date.now() - 2 * 86_400_000);
    expect(Date.now() - (await parseTime('1h30m', 'UTC', '--since'))).toBeGreaterThanOrEqual(5_400_000);
    expect(await parseTime('2026', 'UTC', '--since')).toBe(Date.parse('2026-01-01T00:00:00Z'));
    await expect(parseTime('2 days', 'UTC', '--since')).rejects.toThrow(/duration back from now like 2d/);
  });
});

describe('tockCommand: hints that run as printed', () => {
  it('repeats -f and --state-dir as given, quoting what the shell would split', () => {
    expect(tockCommand({}, 'logs', 'train', 'r1')).toBe('tock logs train r1');
    expect(tockCommand({ jobfile: 'examples/pipeline.yaml' }, 'logs', 'train', 'r1')).toBe('tock logs train r1 -f examples/pipeline.yaml');
    expect(tockCommand({ jobfile: 'my jobs.yaml', stateDir: "it's" }, 'validate')).toBe("tock validate -f 'my jobs.yaml' --state-dir 'it'\\''s'");
  });
});
