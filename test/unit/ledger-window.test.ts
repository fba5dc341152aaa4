import { describe, expect, it } from 'vitest';

import type { Outcome, RunRecord, RunStart } from '../../src/ledger/records.js';
import { runsInWindow } from '../../src/ledger/window.js';
import { MemoryLedger } from '../helpers/memory-ledger.js';

const T = (hhmm: string): string => `2026-11-30T${hhmm}:00.000Z`;

function started(runId: string, at: string): RunStart {
  return { run_id: runId, job: 'etl', logical_time: at, trigger: 'schedule', started_at: at, log: `/logs/${runId}.log`, host: 'h', pid: 1, job_hash: 'j', jobfile_hash: 'f' };
}
function record(runId: string, from: string, to: string, outcome: Outcome): RunRecord {
  return { ...started(runId, from), outcome, ended_at: to, duration_ms: Date.parse(to) - Date.parse(from), exit_code: 0, signal: null, attempts: [] };
}
function ran(store: MemoryLedger, runId: string, from: string, to?: string, outcome: Outcome = 'success'): void {
  store.append({ v: 1, type: 'run-started', at: from, job: 'etl', run: started(runId, from) });
  if (to !== undefined) store.append({ v: 1, type: 'run-finished', at: to, job: 'etl', run: record(runId, from, to, outcome) });
}

describe('runsInWindow', () => {
  it('gives the runs that started in the window and those from before it that reach into it, oldest first', () => {
    const store = new MemoryLedger();
    ran(store, 'long-ago', T('00:00'), T('00:10'));
    store.append({ v: 1, type: 'run-started', at: T('10:00'), job: 'etl', run: started('still-running', T('10:00')) });
    store.append({ v: 1, type: 'run-started', at: T('11:00'), job: 'etl', run: started('spanning', T('11:00')) });
    ran(store, 'just-before', T('11:30'), T('11:40'));
    store.append({ v: 1, type: 'run-finished', at: T('12:30'), job: 'etl', run: record('spanning', T('11:00'), T('12:30'), 'failed') });
    ran(store, 'inside', T('13:00'), T('13:05'));
    const runs = runsInWindow(store, 'etl', T('12:00'));
    expect(runs.map((r) => [r.run_id, r.outcome])).toEqual([['still-running', null], ['spanning', 'failed'], ['inside', 'success']]);
  });

  it('is empty for a job with nothing in the window', () => {
    const store = new MemoryLedger();
    ran(store, 'a', T('01:00'), T('01:01'));
    expect(runsInWindow(store, 'etl', T('12:00'))).toEqual([]);
    expect(runsInWindow(store, 'other', T('12:00'))).toEqual([]);
  });
});
