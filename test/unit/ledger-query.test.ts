import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { JsonlLedger } from '../../src/io/jsonl-ledger.js';
import { compactLedger } from '../../src/ledger/compact.js';
import type { LedgerEvent, Outcome, RunRecord } from '../../src/ledger/records.js';
import { reconcileInterrupted } from '../../src/ledger/reconcile.js';
import { lastSuccess, recentRuns } from '../../src/ledger/query.js';
import { summarizeJob } from '../../src/ledger/summary.js';
import { ROOT } from '../helpers/rig.js';
import { tempDirs } from '../helpers/temp-dir.js';

const tempDir = tempDirs('tock-query');
function store(): JsonlLedger {
  return new JsonlLedger(tempDir());
}

function record(runId: string, at: string, outcome: Outcome, extra: Partial<RunRecord> = {}): RunRecord {
  return {
    run_id: runId, job: 'etl', logical_time: at, trigger: 'schedule', outcome, started_at: at, ended_at: at,
    duration_ms: 1000, exit_code: outcome === 'success' ? 0 : 1, signal: null, attempts: [], log: `/logs/${runId}.log`,
    host: 'h1', pid: 10, job_hash: 'j', jobfile_hash: 'f', ...extra,
  };
}
function finish(s: JsonlLedger, runId: string, at: string, outcome: Outcome, extra: Partial<RunRecord> = {}): void {
  s.append({ v: 1, type: 'run-finished', at, job: 'etl', run: record(runId, at, outcome, extra) });
}
function start(s: JsonlLedger, runId: string, at: string, pid = 10, host = 'h1'): void {
  const { outcome: _o, ended_at: _e, duration_ms: _d, exit_code: _x, signal: _s, attempts: _a, ...run } = record(runId, at, 'success', { pid, host });
  s.append({ v: 1, type: 'run-started', at, job: 'etl', run });
}

describe('recentRuns', () => {
  it('reads the newest runs from the end, across monthly segments, in flight included', () => {
    const s = store();
    finish(s, 'a', '2026-09-30T23:00:00.000Z', 'success');
    finish(s, 'b', '2026-10-15T00:00:00.000Z', 'failed');
    finish(s, 'c', '2026-11-01T00:00:00.000Z', 'success');
    start(s, 'd', '2026-11-02T00:00:00.000Z');
    expect(readdirSync(path.join(s.dir, 'etl')).sort()).toEqual(['2026-09.jsonl', '2026-10.jsonl', '2026-11.jsonl']);
    expect(recentRuns(s, 'etl', 3).map((r) => [r.run_id, r.outcome])).toEqual([['d', null], ['c', 'success'], ['b', 'failed']]);
    expect(recentRuns(s, 'etl', 10).map((r) => r.run_id)).toEqual(['d', 'c', 'b', 'a']);
    expect(lastSuccess(s, 'etl')?.run_id).toBe('c');
    expect(recentRuns(s, 'etl', 10, { since: '2026-10-01T00:00:00.000Z' }).map((r) => r.run_id)).toEqual(['d', 'c', 'b']);
  });

  it('reads lines that cross chunk boundaries whole, multi-byte text included', () => {
    const s = store();
    for (let i = 0; i < 300; i++) finish(s, `r${String(i)}`, '2026-11-01T00:00:00.000Z', 'success', { message: `ünïcødé ${'x'.repeat(i * 7)}` });
    const runs = recentRuns(s, 'etl', 300);
    expect(runs).toHaveLength(300);
    expect(runs[299]?.run_id).toBe('r0');
    expect(runs.every((r, i) => r.in_flight !== true && r.message === `ünïcødé ${'x'.repeat((299 - i) * 7)}`)).toBe(true);
  });

  it('summarizes the latest run, what runs now and a strip of the last ten outcomes, oldest first', () => {
    const s = store();
    const outcomes: Outcome[] = ['success', 'failed', 'success', 'skipped', 'timeout', 'success', 'success', 'killed', 'success', 'failed', 'success', 'success'];
    outcomes.forEach((o, i) => { finish(s, `r${String(i)}`, `2026-11-01T00:${String(i).padStart(2, '0')}:00.000Z`, o); });
    start(s, 'now', '2026-11-01T01:00:00.000Z');
    const summary = summarizeJob(s, 'etl');
    expect(summary.last?.run_id).toBe('r11');
    expect(summary.running.map((r) => r.run_id)).toEqual(['now']);
    expect(summary.recent).toEqual(outcomes.slice(2));
  });
});

describe('succeededSince', () => {
  it('finds the logical times of successes by scanning bytes: first line, later lines, not failures', () => {
    const s = store();
    finish(s, 'first', '2026-11-01T00:00:00.000Z', 'success');
    finish(s, 'failed', '2026-11-01T00:01:00.000Z', 'failed', { attempts: [{ n: 1, started_at: 'x', ended_at: 'x', exit_code: 0, signal: null, outcome: 'success' }] });
    start(s, 'flight', '2026-11-01T00:02:00.000Z');
    finish(s, 'later', '2026-11-01T00:03:00.000Z', 'success', { message: 'ünï "outcome":"success"' });
    finish(s, 'old', '2026-09-01T00:00:00.000Z', 'success');
    expect([...s.succeededSince('etl', '2026-10-31T00:00:00.000Z')]).toEqual([Date.parse('2026-11-01T00:00:00.000Z'), Date.parse('2026-11-01T00:03:00.000Z')]);
    expect(s.succeededSince('etl', '2026-08-01T00:00:00.000Z').size).toBe(3);
  });

  it('reads a logical time as Date.parse does, in the ledger\'s shape or any other; a key that succeeded twice counts once', () => {
    const s = store();
    const times = ['2026-11-01T00:05:00.000Z', '2026-11-01T00:05:00.000Z', '2026-11-01T00:06:00Z', '2026-11-31T00:00:00.000Z', '2026-11-01T25:00:00.000Z', '0099-11-01T00:00:00.000Z', 'soon'];
    times.forEach((t, i) => { s.append({ v: 1, type: 'run-finished', at: '2026-11-02T00:00:00.000Z', job: 'etl', run: record(`r${String(i)}`, t, 'success') }); });
    const found = s.succeededSince('etl', '2026-11-01T00:00:00.000Z');
    const expected = [...new Set(times.map((t) => Date.parse(t)).filter((ms) => !Number.isNaN(ms)))].sort((a, b) => a - b);
    expect([...found]).toEqual(expected);
    expect(found.has(Date.parse('2026-12-01T00:00:00.000Z'))).toBe(true);
    expect(found.has(Date.parse('2026-11-01T00:07:00.000Z'))).toBe(false);
  });
});

describe('reconcileInterrupted', () => {
  it('records interrupted only for runs of this host whose writer is provably gone', () => {
    const s = store();
    start(s, 'dead', '2026-11-01T00:00:00.000Z', 111);
    start(s, 'alive', '2026-11-01T00:01:00.000Z', 222);
    start(s, 'elsewhere', '2026-11-01T00:02:00.000Z', 333, 'other-host');
    const probe = { hostname: 'h1', isAlive: (pid: number) => pid === 222 };
    const recorded = reconcileInterrupted(s, ['etl'], probe, '2026-11-01T00:05:00.000Z');
    expect(recorded.map((r) => [r.run_id, r.outcome])).toEqual([['dead', 'interrupted']]);
    expect(recorded[0]?.duration_ms).toBe(300_000);
    // A second pass finds nothing more to do.
    expect(reconcileInterrupted(s, ['etl'], probe, '2026-11-01T00:06:00.000Z')).toEqual([]);
    expect(recentRuns(s, 'etl', 5).map((r) => [r.run_id, r.outcome])).toEqual([['dead', 'interrupted'], ['elsewhere', null], ['alive', null]]);
  });
});

describe('compactLedger', () => {
  const now = Date.parse('2026-11-21T12:00:00Z');
  const day = 86_400_000;

  it('drops runs older than the window from closed segments, keeping the latest run and latest success', () => {
    const s = store();
    const logs = path.join(s.dir, 'logs');
    for (const [id, at, outcome] of [
      ['old-ok', '2026-05-01T00:00:00.000Z', 'success'], ['old-fail', '2026-06-01T00:00:00.000Z', 'failed'],
      ['kept-success', '2026-07-01T00:00:00.000Z', 'success'], ['mid-fail', '2026-09-01T00:00:00.000Z', 'failed'],
      ['recent-fail', '2026-11-20T00:00:00.000Z', 'failed'],
    ] as const) {
      finish(s, id, at, outcome, { log: path.join(logs, `${id}.log`) });
    }
    const removed: string[] = [];
    const result = compactLedger(s, 30 * day, now, (file) => { removed.push(path.basename(file)); return true; });
    expect(recentRuns(s, 'etl', 10).map((r) => r.run_id)).toEqual(['recent-fail', 'kept-success']);
    expect(removed.sort()).toEqual(['mid-fail.log', 'old-fail.log', 'old-ok.log']);
    expect(result).toMatchObject({ runsDropped: 3, segmentsRemoved: 3, segmentsRewritten: 0 });
    expect(readdirSync(path.join(s.dir, 'etl')).sort()).toEqual(['2026-07.jsonl', '2026-11.jsonl']);
  });

  it('never touches the current or previous month, and loses nothing appended while it works', async () => {
    const s = store();
    for (let m = 1; m <= 9; m++) {
      for (let i = 0; i < 200; i++) finish(s, `m${String(m)}-${String(i)}`, `2026-0${String(m)}-10T00:00:00.000Z`, 'success');
    }
    const script = `
      import { JsonlLedger } from ${JSON.stringify(path.join(ROOT, 'dist', 'io', 'jsonl-ledger.js'))};
      const store = new JsonlLedger(process.argv[1]);
      for (let i = 0; i < 3000; i++) {
        const at = new Date().toISOString();
        store.append({ v: 1, type: 'run-finished', at, job: 'etl', run: { run_id: 'live-' + i, job: 'etl', outcome: 'success', started_at: at, ended_at: at, logical_time: at, trigger: 'manual', duration_ms: 0, exit_code: 0, signal: null, attempts: [], log: '/x', host: 'h', pid: 1, job_hash: 'j', jobfile_hash: 'f' } });
      }
      store.close();`;
    const appender = new Promise<number | null>((resolve) => {
      spawn(process.execPath, ['--input-type=module', '-e', script, s.dir], { stdio: 'inherit' }).on('close', resolve);
    });
    let passes = 0;
    const state = { done: false };
    void appender.then(() => { state.done = true; });
    const appending = (): boolean => !state.done;
    while (appending()) {
      compactLedger(s, 1 * day, Date.now(), () => false);
      passes++;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await appender).toBe(0);
    expect(passes).toBeGreaterThan(0);
    const live = [...s.allEvents('etl')].filter((e: LedgerEvent) => e.type === 'run-finished' && e.run.run_id.startsWith('live-'));
    expect(live).toHaveLength(3000);
    expect(s.check()).toEqual([]);
  }, 30_000); // 4,800 fsync'd appends: seconds on a loaded disk
});

