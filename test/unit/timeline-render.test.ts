import { describe, expect, it } from 'vitest';

import type { Paint } from '../../src/cli/render/style.js';
import { plainPaint } from '../../src/cli/render/style.js';
import type { TimelineJob } from '../../src/cli/render/timeline.js';
import { renderTimeline } from '../../src/cli/render/timeline.js';

const SINCE = Date.UTC(2026, 10, 30, 0, 0);
const at = (h: number, m = 0): number => SINCE + (h * 60 + m) * 60_000;

// Width 60 leaves 52 cells after a 7-wide name column: a 13 h window is 15 minutes a cell.
const JOBS: TimelineJob[] = [
  {
    name: 'extract',
    runs: [
      { logical: at(1), started: at(1), ended: at(1, 40), outcome: 'success' },
      { logical: at(3), started: at(3), ended: at(3, 5), outcome: 'failed' },
      // Two runs at once: the second starts before the first ends.
      { logical: at(5), started: at(5), ended: at(6), outcome: 'success' },
      { logical: at(5, 30), started: at(5, 30), ended: at(5, 45), outcome: 'failed' },
      { logical: at(8), started: at(11), ended: at(11), outcome: 'missed' },
      { logical: at(12), started: at(12), ended: null, outcome: 'running' },
    ],
  },
  {
    name: 'train',
    runs: [
      { logical: at(2), started: at(2), ended: at(2), outcome: 'skipped' },
      { logical: at(9), started: at(9), ended: at(9, 1), outcome: 'success' },
    ],
  },
  { name: 'idle', runs: [] },
];

describe('renderTimeline', () => {
  it('draws bars, a mark for missed and skipped runs, # where runs overlap and an in-flight run to now, at width 60', () => {
    const lines = renderTimeline({ since: SINCE, until: at(13), zone: 'UTC', width: 60, jobs: JOBS }, plainPaint);
    expect(lines).toEqual([
      '2026-11-30 00:00 to 2026-11-30 13:00, times in UTC',
      '        11-30   02:00   04:00   06:00   08:00   10:00',
      'extract ....SSS.....F.......SS##S.......M...............RRRR',
      'train   ........-...........................S...............',
      'idle    ....................................................',
      'S success  F failed  T timeout  D deadline  K killed',
      'I interrupted  M missed  - skipped  R running  # at once',
      '. none',
    ]);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(60);
  });

  it('uses the width it is given: 100 columns hold a 23 h window at the same 15 minutes a cell', () => {
    const lines = renderTimeline({ since: SINCE, until: at(23), zone: 'UTC', width: 100, jobs: JOBS }, plainPaint);
    expect(lines).toEqual([
      '2026-11-30 00:00 to 2026-11-30 23:00, times in UTC',
      '        11-30   02:00   04:00   06:00   08:00   10:00   12:00   14:00   16:00   18:00   20:00',
      `extract ....SSS.....F.......SS##S.......M...............${'R'.repeat(44)}`,
      `train   ........-...........................S${'.'.repeat(55)}`,
      `idle    ${'.'.repeat(92)}`,
      'S success  F failed  T timeout  D deadline  K killed  I interrupted  M missed  - skipped  R running',
      '# at once  . none',
    ]);
  });

  it('draws the axis in the jobs\' zone and labels it, on two lines where one does not fit', () => {
    const [window, zone, axis] = renderTimeline({ since: SINCE, until: at(13), zone: 'Europe/Berlin', width: 60, jobs: JOBS }, plainPaint);
    expect(window).toBe('2026-11-30 01:00 to 2026-11-30 14:00');
    expect(zone).toBe('times in Europe/Berlin (+01:00)');
    const [wide] = renderTimeline({ since: SINCE, until: at(13), zone: 'Europe/Berlin', width: 100, jobs: JOBS }, plainPaint);
    expect(wide).toBe('2026-11-30 01:00 to 2026-11-30 14:00, times in Europe/Berlin (+01:00)');
    // 02:00 in Berlin is 01:00 UTC: the fourth cell.
    expect(axis).toBe('            02:00   04:00   06:00   08:00   10:00   12:00');
  });

  it('keeps a run shorter than a cell visible, and a failure wins a cell it shares with a success', () => {
    const jobs: TimelineJob[] = [{
      name: 'quick',
      runs: [
        { logical: at(1), started: at(1), ended: at(1, 0) + 50, outcome: 'success' },
        { logical: at(1, 5), started: at(1, 5), ended: at(1, 6), outcome: 'timeout' },
      ],
    }];
    const [, , row] = renderTimeline({ since: SINCE, until: at(13), zone: 'UTC', width: 60, jobs }, plainPaint);
    expect(row).toBe(`quick ....T${'.'.repeat(49)}`);
  });

  it('cuts a long job name to the name column, never the bars', () => {
    const jobs: TimelineJob[] = [{ name: 'a-very-long-job-name-indeed', runs: [] }];
    const [, , row] = renderTimeline({ since: SINCE, until: at(13), zone: 'UTC', width: 60, jobs }, plainPaint);
    expect(row).toBe(`a-very-long-job-nam… ${'.'.repeat(39)}`);
  });

  it('paints each mark in its outcome\'s colour', () => {
    const tag = (name: string) => (s: string): string => `<${name}>${s}</${name}>`;
    const paint: Paint = { green: tag('g'), red: tag('r'), yellow: tag('y'), dim: tag('d'), bold: tag('b'), cyan: tag('c') };
    const jobs: TimelineJob[] = [{ name: 'x', runs: [{ logical: at(0), started: at(0), ended: at(0, 1), outcome: 'failed' }] }];
    const [, , row] = renderTimeline({ since: SINCE, until: at(13), zone: 'UTC', width: 60, jobs }, paint);
    // One escape code a stretch of like cells, not one a cell.
    expect(row).toBe(`x   <r>F</r><d>${'.'.repeat(55)}</d>`);
  });
});
