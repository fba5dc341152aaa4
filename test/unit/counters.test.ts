import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { RunCounters } from '../../src/daemon/counters.js';
import { JsonlLedger } from '../../src/io/jsonl-ledger.js';
import { compactLedger } from '../../src/ledger/compact.js';
import type { LedgerEvent, Outcome, RunRecord } from '../../src/ledger/records.js';
import { serializeEvent } from '../../src/ledger/serialize.js';
import { countOutcomes } from '../../src/ledger/summary.js';
import { tempDirs } from '../helpers/temp-dir.js';

const tempDir = tempDirs('tock-counters');

function finished(runId: string, at: string, outcome: Outcome): LedgerEvent {
  const run: RunRecord = {
    run_id: runId, job: 'tick', logical_time: at, trigger: 'schedule', outcome, started_at: at, ended_at: at, duration_ms: 0,
    exit_code: 0, signal: null, attempts: [], log: '/nowhere', host: 'h', pid: 1, job_hash: 'j', jobfile_hash: 'f',
  };
  return { v: 1, type: 'run-finished', at, job: 'tick', run };
}

describe('RunCounters', () => {
  it('count the ledger once in the background, then only what is appended, and follow compaction', async () => {
    const store = new JsonlLedger(tempDir());
    // Written whole (an fsync per append would make this slow for nothing).
    const old = Array.from({ length: 2000 }, (_, i) => finished(`old-${String(i)}`, `2026-08-01T00:${String(i % 60).padStart(2, '0')}:00.000Z`, i % 4 === 0 ? 'failed' : 'success'));
    mkdirSync(path.join(store.dir, 'tick'), { recursive: true });
    writeFileSync(path.join(store.dir, 'tick', '2026-08.jsonl'), old.map((e) => `${serializeEvent(e)}\n`).join(''));
    store.append(finished('recent', '2026-11-02T00:00:00.000Z', 'success'));
    let pauses = 0;
    const counters = new RunCounters(store, () => {
      pauses++;
      return Promise.resolve();
    });
    const truth = (): Partial<Record<Outcome, number>> => countOutcomes(store, 'tick');

    const seeding = counters.seed();
    expect(counters.seeded).toBe(false);
    counters.refresh(); // a scrape while seeding serves what has been counted
    await seeding;
    expect(pauses).toBeGreaterThan(0);
    expect(counters.seeded).toBe(true);
    expect(counters.jobMetrics('tick', undefined).counts).toEqual(truth());
    expect(counters.jobMetrics('tick', undefined).lastSuccess?.run_id).toBe('recent');

    store.append(finished('new-1', '2026-11-02T00:00:01.000Z', 'failed'));
    // Another tock (a shell `tock run`) appending to the same segment is counted too.
    const other = new JsonlLedger(store.dir);
    other.append(finished('new-2', '2026-11-02T00:00:02.000Z', 'success'));
    // A torn tail is not counted until it is a whole line.
    appendFileSync(path.join(store.dir, 'tick', '2026-11.jsonl'), '{"v":1,"type":"run-fin');
    counters.refresh();
    expect(counters.jobMetrics('tick', undefined).counts).toEqual(truth());
    expect(counters.jobMetrics('tick', undefined).lastSuccess?.run_id).toBe('new-2');

    compactLedger(store, 24 * 3600_000, Date.parse('2026-12-15T00:00:00Z'), () => false);
    counters.refresh();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(counters.jobMetrics('tick', undefined).counts).toEqual(truth());
    expect(truth()).toEqual({ success: 2, failed: 1 });
    store.close();
    other.close();
  });

  it('stop reading in the background once closed (a stopping daemon waits for no count)', async () => {
    const store = new JsonlLedger(tempDir());
    const dir = path.join(store.dir, 'tick');
    mkdirSync(dir, { recursive: true });
    const line = `${serializeEvent(finished('r', '2026-11-02T00:00:00.000Z', 'success'))}\n`;
    writeFileSync(path.join(dir, '2026-11.jsonl'), line.repeat(Math.ceil((8 * 1024 * 1024) / line.length)));
    let pauses = 0;
    const counters = new RunCounters(store, () => {
      if (++pauses === 2) counters.close();
      return Promise.resolve();
    });
    await counters.seed();
    expect(pauses).toBe(2);
    expect(counters.seeded).toBe(false);
    expect(counters.families()[0]?.samples).toEqual([{ value: 0 }]);
  });
});
