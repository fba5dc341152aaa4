import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { JsonlLedger } from '../../src/io/jsonl-ledger.js';
import type { Attempt, LedgerEvent, Outcome, RunRecord } from '../../src/ledger/records.js';
import { parseEvent, scanSuccesses, serializeEvent } from '../../src/ledger/serialize.js';
import { tempDirs } from '../helpers/temp-dir.js';

const tempDir = tempDirs('tock-serialize');

/** The same object with its keys in reverse order, all the way down. */
function reversed<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversed) as T;
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversed(v)])) as T;
}

function attempt(n: number, outcome: Attempt['outcome']): Attempt {
  return { n, started_at: '2026-11-01T00:00:00.000Z', ended_at: '2026-11-01T00:00:01.000Z', exit_code: outcome === 'success' ? 0 : 1, signal: null, outcome };
}

function finished(minute: number, outcome: Outcome, attempts: Attempt[], scramble: 'run' | 'all'): LedgerEvent {
  const at = `2026-11-01T00:${String(minute).padStart(2, '0')}:00.000Z`;
  const run: RunRecord = {
    run_id: `r${String(minute)}`, job: 'etl', logical_time: at, trigger: 'backfill', outcome, message: 'ünï "outcome":"success"',
    started_at: at, ended_at: at, duration_ms: 1000, exit_code: attempts.at(-1)?.exit_code ?? null, signal: null, attempts,
    log: '/l', host: 'h', pid: 1, job_hash: 'j', jobfile_hash: 'f', hooks: [{ hook: 'on_failure', kind: 'command', ok: true, detail: 'exit 0' }],
  };
  const event: LedgerEvent = { v: 1, type: 'run-finished', at, job: 'etl', run };
  // 'run': the header in order but the record backwards, so an attempt's outcome comes first;
  // 'all': the header backwards too, so the line does not start as a run-finished line.
  return scramble === 'all' ? reversed(event) : { ...event, run: reversed(run) };
}

// Failures with a successful attempt, successes after a failed attempt, and plain ones, built
// with their keys in the wrong order, as code that assembles a record piece by piece might.
const EVENTS: LedgerEvent[] = [
  finished(0, 'success', [attempt(1, 'success')], 'all'),
  finished(1, 'failed', [attempt(1, 'success'), attempt(2, 'failed')], 'run'),
  finished(2, 'success', [attempt(1, 'failed'), attempt(2, 'success')], 'run'),
  finished(3, 'skipped', [], 'all'),
  finished(4, 'success', [attempt(1, 'timeout'), attempt(2, 'success')], 'all'),
  finished(5, 'timeout', [attempt(1, 'success'), attempt(2, 'timeout')], 'run'),
];

describe('serializeEvent', () => {
  it('writes every line with its keys in one order: v, type, at, job, then the run record in SPEC 6 order', () => {
    const line = serializeEvent(EVENTS[0] as LedgerEvent);
    const parsed = JSON.parse(line) as { run: RunRecord };
    expect(Object.keys(parsed)).toEqual(['v', 'type', 'at', 'job', 'run']);
    expect(Object.keys(parsed.run)).toEqual(['run_id', 'job', 'logical_time', 'trigger', 'outcome', 'message', 'started_at', 'ended_at',
      'duration_ms', 'exit_code', 'signal', 'attempts', 'log', 'host', 'pid', 'job_hash', 'jobfile_hash', 'hooks']);
    expect(Object.keys(parsed.run.attempts[0] ?? {})).toEqual(['n', 'started_at', 'ended_at', 'exit_code', 'signal', 'outcome']);
    expect(Object.keys(parsed.run.hooks?.[0] ?? {})).toEqual(['hook', 'kind', 'ok', 'detail']);
    expect(parseEvent(line)).toEqual(EVENTS[0]);
  });

  it('keeps keys it does not know, after the known ones', () => {
    const event = { extra: 1, run_id: 'r', job: 'etl', type: 'sla-missed', sla_ms: 5, at: '2026-11-01T00:00:00.000Z', v: 1 } as unknown as LedgerEvent;
    expect(serializeEvent(event)).toBe('{"v":1,"type":"sla-missed","at":"2026-11-01T00:00:00.000Z","job":"etl","run_id":"r","sla_ms":5,"extra":1}');
  });
});

describe('the success byte scan', () => {
  it('finds exactly the successes a full parse finds, however the records were built', () => {
    const dir = tempDir();
    const store = new JsonlLedger(dir);
    for (const event of EVENTS) store.append(event);
    store.close();
    const parsed = new Set([...store.allEvents('etl')].flatMap((e) => (e.type === 'run-finished' && e.run.outcome === 'success' ? [e.run.logical_time] : [])));
    expect([...parsed].sort()).toEqual(['2026-11-01T00:00:00.000Z', '2026-11-01T00:02:00.000Z', '2026-11-01T00:04:00.000Z']);
    expect([...store.succeededSince('etl', '2026-11-01T00:00:00.000Z')]).toEqual([...parsed].sort().map((iso) => Date.parse(iso)));

    // The scan relies on the order alone: the same records written as built fool it both ways
    // (a failure taken for a success, successes missed).
    const asBuilt: number[] = [];
    scanSuccesses(Buffer.from(EVENTS.map((e) => `${JSON.stringify(e)}\n`).join('')), asBuilt);
    expect(asBuilt.sort()).not.toEqual([...parsed].sort().map((iso) => Date.parse(iso)));
    expect(asBuilt).not.toContain(Date.parse('2026-11-01T00:00:00.000Z'));
    const attemptFirst = '{"v":1,"type":"run-finished","at":"x","job":"etl","run":{"logical_time":"2026-11-01T00:01:00.000Z","attempts":[{"outcome":"success"}],"outcome":"failed"}}\n';
    scanSuccesses(Buffer.from(attemptFirst), asBuilt);
    expect(asBuilt).toContain(Date.parse('2026-11-01T00:01:00.000Z'));
    // ...and the file on disk is the serializer's, line for line.
    expect(readFileSync(path.join(dir, 'etl', '2026-11.jsonl'), 'utf8')).toBe(EVENTS.map((e) => `${serializeEvent(e)}\n`).join(''));
  });
});
