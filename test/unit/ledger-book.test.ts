import { describe, expect, it } from 'vitest';

import { JsonlLedger } from '../../src/io/jsonl-ledger.js';
import type { LedgerBook } from '../../src/ledger/book.js';
import type { RunRecord, RunStart } from '../../src/ledger/records.js';
import { MemoryLedger } from '../helpers/memory-ledger.js';
import { tempDirs } from '../helpers/temp-dir.js';

const tempDir = tempDirs('tock-book');

const adapters: [string, () => LedgerBook][] = [
  ['the JSON Lines store', () => new JsonlLedger(tempDir())],
  ['the in-memory test double', () => new MemoryLedger()],
];

const T = '2026-11-01T00:00:00.000Z';
const start: RunStart = { run_id: 'r1', job: 'etl', logical_time: T, trigger: 'schedule', started_at: T, log: '/l', host: 'h', pid: 7, job_hash: 'j', jobfile_hash: 'f' };
function done(runId: string, logicalTime: string, outcome: RunRecord['outcome'], at: string): RunRecord {
  return { ...start, run_id: runId, logical_time: logicalTime, outcome, started_at: at, ended_at: at, duration_ms: 0, exit_code: 0, signal: null, attempts: [] };
}

describe.each(adapters)('the Ledger rules over %s', (_name, make) => {
  it('hasSuccess: a success for exactly that logical time, written at it or after', () => {
    const ledger = make();
    ledger.append({ v: 1, type: 'run-finished', at: '2026-11-01T00:00:30.000Z', job: 'etl', run: done('a', T, 'success', '2026-11-01T00:00:30.000Z') });
    ledger.append({ v: 1, type: 'run-finished', at: '2026-11-01T00:01:30.000Z', job: 'etl', run: done('b', '2026-11-01T00:01:00.000Z', 'failed', '2026-11-01T00:01:30.000Z') });
    expect(ledger.hasSuccess('etl', T)).toBe(true);
    expect(ledger.hasSuccess('etl', '2026-11-01T00:01:00.000Z')).toBe(false);
    expect(ledger.hasSuccess('other', T)).toBe(false);
  });

  it('recordInterrupted: once, for a run in flight, with its attempts, its last exit and its mid-run hooks', () => {
    const ledger = make();
    ledger.append({ v: 1, type: 'run-started', at: T, job: 'etl', run: start });
    ledger.append({ v: 1, type: 'attempt-finished', at: '2026-11-01T00:00:05.000Z', job: 'etl', run_id: 'r1', attempt: { n: 1, started_at: T, ended_at: '2026-11-01T00:00:05.000Z', exit_code: 3, signal: null, outcome: 'failed' } });
    ledger.append({ v: 1, type: 'hook-finished', at: '2026-11-01T00:00:06.000Z', job: 'etl', run_id: 'r1', result: { hook: 'on_retry', kind: 'command', ok: true, detail: 'exit 0' } });
    const record = ledger.recordInterrupted('etl', 'r1', '2026-11-01T00:01:00.000Z', 'tock died');
    expect(record).toMatchObject({
      run_id: 'r1', outcome: 'interrupted', message: 'tock died', duration_ms: 60_000, exit_code: 3,
      attempts: [{ n: 1, exit_code: 3 }], hooks: [{ hook: 'on_retry' }],
    });
    expect(record).not.toHaveProperty('in_flight');
    expect(ledger.recordInterrupted('etl', 'r1', '2026-11-01T00:02:00.000Z', 'again')).toBeUndefined();
    expect(ledger.recordInterrupted('etl', 'nope', '2026-11-01T00:02:00.000Z', 'no such run')).toBeUndefined();
  });
});
