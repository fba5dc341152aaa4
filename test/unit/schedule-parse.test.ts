import { describe, expect, it } from 'vitest';

import { isKnownZone, parseSchedule } from '../../src/schedule/parse.js';

describe('parseSchedule', () => {
  it('takes 5-field cron and adds a zero seconds field', () => {
    expect(parseSchedule('15 2 * * *')).toMatchObject({ ok: true, schedule: { kind: 'cron', text: '15 2 * * *', expression: '0 15 2 * * *' } });
  });

  it('takes 6-field cron with seconds first, names, ranges, steps and lists', () => {
    for (const text of ['*/5 * * * * *', '0 9-17/2 * * mon-fri', '0 0 1,15 jan,jul *', '30 4 * * 7']) {
      expect(parseSchedule(text).ok, text).toBe(true);
    }
  });

  it('accepts overlapping lists and 7 as Sunday, each day once', () => {
    expect(parseSchedule('0 0 * * 0,7')).toMatchObject({ ok: true, schedule: { fields: { dow: [0] } } });
    expect(parseSchedule('0 0 * * 0-7')).toMatchObject({ ok: true, schedule: { fields: { dow: [0, 1, 2, 3, 4, 5, 6] } } });
    expect(parseSchedule('0 0 * * 1-7')).toMatchObject({ ok: true, schedule: { fields: { dow: [0, 1, 2, 3, 4, 5, 6] } } });
    expect(parseSchedule('1-5/2,3 0 * * *')).toMatchObject({ ok: true, schedule: { fields: { minute: [1, 3, 5] } } });
  });

  it('reads a step after a single value as running to the end of the field (5/10 is 5-59/10), as Kubernetes does', () => {
    expect(parseSchedule('5/10 * * * *')).toMatchObject({ ok: true, schedule: { expression: '0 5-59/10 * * * *', fields: { minute: [5, 15, 25, 35, 45, 55] } } });
    // Day of week ends at Saturday: 1/2 is Monday, Wednesday, Friday.
    expect(parseSchedule('0 0 * * 1/2')).toMatchObject({ ok: true, schedule: { fields: { dow: [1, 3, 5] } } });
    expect(parseSchedule('0 20/2 * * *')).toMatchObject({ ok: true, schedule: { fields: { hour: [20, 22] } } });
  });

  it('marks the hour field as fixed or elapsed (SPEC 3), and the day fields as restricted or not', () => {
    const fields = (text: string) => {
      const parsed = parseSchedule(text);
      if (!parsed.ok || parsed.schedule.kind !== 'cron') throw new Error(text);
      return parsed.schedule.fields;
    };
    expect(fields('0 */2 * * *').elapsed).toBe(true);
    expect(fields('@hourly').elapsed).toBe(true);
    expect(fields('0 1-3 * * *').elapsed).toBe(false);
    expect(fields('@daily').elapsed).toBe(false);
    expect(fields('0 0 */2 * 1')).toMatchObject({ domRestricted: false, dowRestricted: true });
  });

  it('refuses backwards ranges and zero steps, naming the field', () => {
    expect(parseSchedule('0 5-1 * * *')).toMatchObject({ ok: false, expected: expect.stringMatching(/hour field .*the range 5-1 runs backwards/) as unknown });
    expect(parseSchedule('*/0 * * * *')).toMatchObject({ ok: false, expected: expect.stringMatching(/minute field .*a step of 0/) as unknown });
    expect(parseSchedule('0 0 * 13 *')).toMatchObject({ ok: false, expected: expect.stringMatching(/month field .*13 is outside 1-12/) as unknown });
  });

  it('refuses a date that never exists, unless day of week is restricted too (cron ORs them)', () => {
    expect(parseSchedule('0 0 30 2 *')).toMatchObject({ ok: false, got: 'day 30 of February in "0 0 30 2 *"' });
    expect(parseSchedule('0 0 31 4,6 *')).toMatchObject({ ok: false, got: 'day 31 of April, June in "0 0 31 4,6 *"' });
    expect(parseSchedule('0 0 31 4,5 *').ok).toBe(true);
    expect(parseSchedule('0 0 29 2 *').ok).toBe(true);
    expect(parseSchedule('0 0 30 2 mon').ok).toBe(true);
  });

  it('maps the macros to cron', () => {
    expect(parseSchedule('@daily')).toMatchObject({ ok: true, schedule: { expression: '0 0 0 * * *' } });
    expect(parseSchedule('@midnight')).toMatchObject({ ok: true, schedule: { expression: '0 0 0 * * *' } });
    expect(parseSchedule('@weekly')).toMatchObject({ ok: true, schedule: { expression: '0 0 0 * * 0' } });
  });

  it('reads @every with a duration', () => {
    expect(parseSchedule('@every 1h30m')).toEqual({ ok: true, schedule: { kind: 'every', text: '@every 1h30m', everyMs: 5_400_000 } });
  });

  it.each([
    ['61 * * * *', /61 is outside 0-59/],
    ['* * * *', /5 or 6 cron fields/],
    ['0 0 L * *', /day of month field/],
    ['0 0 ? * *', /day of month field/],
    ['0 0 * * foo', /day of week field/],
    ['@reboot', /one of @yearly/],
    ['@every', /@every followed by a duration/],
    ['@every 10x', /@every followed by a duration/],
  ])('refuses %j saying what was expected', (text, expected) => {
    const parsed = parseSchedule(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.expected).toMatch(expected);
  });
});

describe('isKnownZone', () => {
  it('knows IANA zones and refuses made-up ones', () => {
    expect(isKnownZone('Europe/London')).toBe(true);
    expect(isKnownZone('America/New_York')).toBe(true);
    expect(isKnownZone('Mars/Olympus')).toBe(false);
  });
});
