import { describe, expect, it } from 'vitest';

import { instantsBetween, nextInstants, previousInstant } from '../../src/schedule/next.js';
import { parseSchedule, type Schedule } from '../../src/schedule/parse.js';

/**
 * tock's evaluator against a brute-force reference of this test's own: walk the local wall clock
 * minute by minute with the zone database (Intl), find each wall minute's UTC occurrences (none
 * in a gap, two in a fold) and apply SPEC 3's rule. Slow and obviously right; it shares no code
 * with src/ (its own offsets, its own change search, its own field matcher).
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const ZONES = [
  'America/New_York', 'Europe/London', 'Australia/Sydney', 'Australia/Lord_Howe', 'America/Santiago',
  'Asia/Tehran', 'Pacific/Chatham', 'Europe/Dublin', 'UTC',
];
const EXPRESSIONS = [
  '30 2 * * *', '0 2 * * *', '59 1 * * *', '30 1 * * *', '0 * * * *', '*/15 * * * *', '0 */2 * * *',
  '30 1-3 * * *', '0 0,1,2,3 * * *', '*/20 1-2 * * *', '0 30 2 * * *', '@daily', '@hourly',
];

// --- the zone database, read directly -------------------------------------------------------

const offsetCache = new Map<string, Map<number, number>>();
const formats = new Map<string, Intl.DateTimeFormat>();

/** Wall minus UTC at `ms` (a whole minute), from Intl's local date parts. */
function offset(zone: string, ms: number): number {
  let cache = offsetCache.get(zone);
  if (cache === undefined) offsetCache.set(zone, (cache = new Map<number, number>()));
  let o = cache.get(ms);
  if (o === undefined) {
    let format = formats.get(zone);
    if (format === undefined) {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric',
      });
      formats.set(zone, format);
    }
    const parts = format.formatToParts(ms);
    const p = (type: string): number => Number(parts.find((x) => x.type === type)?.value);
    o = Date.UTC(p('year'), p('month') - 1, p('day'), p('hour'), p('minute')) - ms;
    cache.set(ms, o);
  }
  return o;
}

interface Change { at: number; before: number; after: number }

/** Every offset change from 2026 to 2028: hourly samples, then minute by minute. */
function changesOf(zone: string): Change[] {
  const out: Change[] = [];
  const from = Date.UTC(2026, 0, 1);
  const to = Date.UTC(2029, 0, 1);
  for (let t = from; t < to; t += HOUR) {
    const before = offset(zone, t);
    if (offset(zone, t + HOUR) === before) continue;
    let at = t + MINUTE;
    while (offset(zone, at) === before) at += MINUTE;
    out.push({ at, before, after: offset(zone, at) });
  }
  return out;
}

// --- the expressions, read directly ---------------------------------------------------------

function matchesField(field: string, value: number): boolean {
  return field.split(',').some((item) => {
    const [range = '', step = '1'] = item.split('/');
    const [lo, hi] = range === '*' ? [0, 99] : range.includes('-') ? range.split('-').map(Number) : [Number(range), Number(range)];
    return value >= (lo ?? 0) && value <= (hi ?? 0) && (value - (lo ?? 0)) % Number(step) === 0;
  });
}

function referenceInstants(text: string, zone: string, changes: readonly Change[], wallFrom: number, wallTo: number): number[] {
  const five = text === '@daily' ? '0 0 * * *' : text === '@hourly' ? '0 * * * *' : text.split(' ').length === 6 ? text.split(' ').slice(1).join(' ') : text;
  const [minute = '', hour = ''] = five.split(' ');
  const elapsed = hour === '*' || hour.includes('/');
  const offsets = [...new Set([offset(zone, wallFrom), ...changes.flatMap((c) => [c.before, c.after])])];
  const out: number[] = [];
  for (let wall = wallFrom; wall <= wallTo; wall += MINUTE) {
    const d = new Date(wall);
    if (!matchesField(minute, d.getUTCMinutes()) || !matchesField(hour, d.getUTCHours())) continue;
    const occurrences = offsets.map((o) => wall - o).filter((t) => offset(zone, t) === wall - t).sort((a, b) => a - b);
    if (occurrences.length === 0) {
      if (elapsed) continue;
      const gap = changes.find((c) => wall >= c.at + c.before && wall < c.at + c.after);
      if (gap === undefined) throw new Error(`reference: ${new Date(wall).toISOString()} in ${zone} neither exists nor is in a gap`);
      // Shifted forward by the gap: read on the offset before the change.
      out.push(wall - gap.before);
    } else if (elapsed) {
      out.push(...occurrences);
    } else {
      out.push(occurrences[0] ?? NaN);
    }
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

// --- the comparison -------------------------------------------------------------------------

function schedule(text: string): Schedule {
  const parsed = parseSchedule(text);
  if (!parsed.ok) throw new Error(`bad schedule in test: ${text}`);
  return parsed.schedule;
}

const iso = (t: number | undefined): string => (t === undefined ? 'none' : new Date(t).toISOString());

/** Windows to compare over: each change, each point half-way between two, and a few fixed points. */
function centres(changes: readonly Change[]): { at: number; starts: number[] }[] {
  const points = changes.map((c) => c.at);
  for (let i = 1; i < changes.length; i++) points.push(Math.floor(((changes[i - 1]?.at ?? 0) + (changes[i]?.at ?? 0)) / 2 / HOUR) * HOUR);
  if (changes.length === 0) points.push(Date.UTC(2026, 2, 8, 7), Date.UTC(2027, 5, 1, 12), Date.UTC(2028, 10, 5, 6));
  return points.map((at) => {
    const starts: number[] = [];
    // Change - 3 h .. change + 3 h every 20 minutes, a second off the minute too, and a day either side.
    for (let s = at - 3 * HOUR; s <= at + 3 * HOUR; s += 20 * MINUTE) starts.push(s, s + 1000);
    starts.push(at - DAY, at + DAY - 1, at + 17 * MINUTE);
    return { at, starts };
  });
}

describe('the evaluator against a brute-force reference: 9 zones x 13 expressions, 2026-2028', () => {
  it.each(ZONES)('%s: zero divergences for next, previous and between', (zone) => {
    const changes = changesOf(zone);
    const divergences: string[] = [];
    for (const { at, starts } of centres(changes)) {
      // Walk two and a half days of wall time either side; trust the reference within two.
      const reference = new Map(EXPRESSIONS.map((text) => [text, referenceInstants(text, zone, changes, at - 2.5 * DAY, at + 2.5 * DAY)]));
      for (const text of EXPRESSIONS) {
        const s = schedule(text);
        const ref = reference.get(text) ?? [];
        for (const start of starts) {
          const expectedNext = ref.filter((t) => t > start && t <= at + 2 * DAY).slice(0, 12);
          const gotNext = nextInstants(s, zone, start, expectedNext.length);
          if (gotNext.join() !== expectedNext.join()) divergences.push(`next ${text} after ${iso(start)}: got ${gotNext.map(iso).join(' ')}; reference ${expectedNext.map(iso).join(' ')}`);
          const expectedPrevious = ref.filter((t) => t <= start).at(-1);
          const gotPrevious = previousInstant(s, zone, start);
          if (gotPrevious !== expectedPrevious) divergences.push(`previous ${text} at ${iso(start)}: got ${iso(gotPrevious)}; reference ${iso(expectedPrevious)}`);
          const to = start + 5 * HOUR;
          const expectedBetween = ref.filter((t) => t >= start && t <= to);
          const gotBetween = instantsBetween(s, zone, start, to, 1000);
          if (gotBetween.join() !== expectedBetween.join()) divergences.push(`between ${text} ${iso(start)}..${iso(to)}: got ${gotBetween.map(iso).join(' ')}; reference ${expectedBetween.map(iso).join(' ')}`);
        }
      }
    }
    expect(divergences.slice(0, 10)).toEqual([]);
    expect(divergences).toHaveLength(0);
  }, 60_000);

  it('finds the changes in the zone database, 30- and 45-minute ones included', () => {
    // Lord Howe moves by 30 minutes, Chatham by an hour at +12:45/+13:45; Tehran stopped in 2022.
    expect(changesOf('Australia/Lord_Howe').map((c) => (c.after - c.before) / MINUTE)).toContain(30);
    expect(changesOf('Pacific/Chatham').map((c) => (c.before + c.after) / MINUTE)).toContain((12 * 60 + 45) * 2 + 60);
    expect(changesOf('Asia/Tehran')).toEqual([]);
    expect(changesOf('America/Santiago').length).toBeGreaterThanOrEqual(5);
  });
});
