import { describe, expect, it } from 'vitest';

import { DAEMON_LATE_MS, lateGraceMs, lateSince } from '../../src/daemon/late.js';
import { LATE_MS } from '../../src/daemon/due.js';
import { renderStatusTable } from '../../src/cli/render/status-table.js';
import type { StatusRow } from '../../src/cli/render/status-table.js';
import { plainPaint } from '../../src/cli/render/style.js';
import { jobfileFrom } from '../helpers/engine.js';

const jobs = jobfileFrom(`
  version: 1
  jobs:
    beat: { schedule: "*/5 * * * * *", command: "true" }
    off: { schedule: "*/5 * * * * *", command: "true", enabled: false }
    after: { needs: [beat], command: "true" }
`).jobs;
const job = (name: string) => jobs.get(name) ?? (() => { throw new Error(name); })();
const at = (iso: string): number => Date.parse(iso);

describe('late', () => {
  const now = at('2026-12-01T12:05:00Z');

  it('is the first instant after the last handled one, once it is past the grace', () => {
    // Last run 5 minutes ago: late since the instant 5 s after it, with or without a daemon.
    expect(lateSince(job('beat'), at('2026-12-01T12:00:00Z'), now, LATE_MS, false)).toBe(at('2026-12-01T12:00:05Z'));
    expect(lateSince(job('beat'), at('2026-12-01T12:00:00Z'), now, DAEMON_LATE_MS, false)).toBe(at('2026-12-01T12:00:05Z'));
  });

  it('waits for the grace: a minute with no daemon, a few seconds with one', () => {
    const handled = at('2026-12-01T12:04:50Z'); // next instant 12:04:55, 5 s ago
    expect(lateSince(job('beat'), handled, now, lateGraceMs(false), false)).toBeUndefined();
    expect(lateSince(job('beat'), handled, now, lateGraceMs(true), false)).toBe(at('2026-12-01T12:04:55Z'));
    expect(lateSince(job('beat'), at('2026-12-01T12:04:55Z'), now, lateGraceMs(true), false)).toBeUndefined();
  });

  it('is never late when paused, disabled, unscheduled or never handled', () => {
    const long = at('2026-11-01T00:00:00Z');
    expect(lateSince(job('beat'), long, now, LATE_MS, true)).toBeUndefined();
    expect(lateSince(job('off'), long, now, LATE_MS, false)).toBeUndefined();
    expect(lateSince(job('after'), long, now, LATE_MS, false)).toBeUndefined();
    expect(lateSince(job('beat'), undefined, now, LATE_MS, false)).toBeUndefined();
  });
});

describe('the status table', () => {
  const row = (over: Partial<StatusRow>): StatusRow => ({
    name: 'extract', description: 'pulls the orders from the shop into the warehouse', schedule: 'At 23:30, only on Sunday', zone: 'Los Angeles',
    state: '-', stateTone: 'none', last: 'success 5h ago 0.4s', lastOutcome: 'success', recent: ['success', 'failed', 'timeout', 'killed', 'skipped'], next: 'in 19h', ...over,
  });

  it.each([40, 60, 80, 100, 160])('fits %i columns when it can, cutting words but never the zone', (width) => {
    const lines = renderStatusTable([row({}), row({ name: 'b', schedule: 'after extract', zone: undefined, description: '' })], plainPaint, width);
    const table = lines.slice(0, 3);
    if (width >= 60) expect(table.every((l) => l.length <= width), table.join('\n')).toBe(true);
    expect(table[1]).toContain('(Los Angeles)');
    expect(lines.slice(3).every((l) => l.length <= width)).toBe(true);
  });

  it('keeps one letter per outcome in the strip, and its legend', () => {
    const lines = renderStatusTable([row({})], plainPaint, 160);
    expect(lines[1]).toContain(' SFTK- ');
    expect(lines.at(-1)).toMatch(/S=success F=failed T=timeout D=deadline K=killed I=interrupted M=missed -=skipped$/);
  });

  it('gives spare width to the description and leaves it out when it cannot keep 12 columns', () => {
    expect(renderStatusTable([row({})], plainPaint, 160)[1]).toMatch(/ pulls the orders from the shop into the warehouse$/);
    expect(renderStatusTable([row({})], plainPaint, 60)[0]).not.toContain('DESCRIPTION');
  });
});
