import { describe, expect, it } from 'vitest';

import { formatDuration, parseDuration } from '../../src/util/duration.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000], ['15m', 900_000], ['2h', 7_200_000], ['1d', 86_400_000], ['1h30m', 5_400_000],
    ['1d2h3m4s', 93_784_000], ['0.5s', 500], ['45', 45_000], [30, 30_000], [0.2, 200],
  ] as const)('reads %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['soon', '', '5x', '1m1h', '-5', 'h', '1.5m'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('refuses negative numbers', () => {
    expect(parseDuration(-1)).toBeUndefined();
  });

  it('formats back to the shortest spelling', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(250)).toBe('250ms');
  });
});
