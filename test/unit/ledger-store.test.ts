import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { JsonlLedger } from '../../src/io/jsonl-ledger.js';
import { foldRuns } from '../../src/ledger/fold.js';
import type { LedgerEvent, RunRecord } from '../../src/ledger/records.js';
import { ROOT } from '../helpers/rig.js';
import { tempDirs } from '../helpers/temp-dir.js';

const tempDir = tempDirs('tock-ledger');

function finished(runId: string, outcome: RunRecord['outcome'] = 'success'): LedgerEvent {
  const run: RunRecord = {
    run_id: runId, job: 'backup', logical_time: '2026-11-21T02:15:00.000Z', trigger: 'manual', outcome,
    started_at: '2026-11-21T02:15:00.000Z', ended_at: '2026-11-21T02:15:01.000Z', duration_ms: 1000, exit_code: 0,
    signal: null, attempts: [], log: '/l', host: 'h', pid: 1, job_hash: 'j', jobfile_hash: 'f',
  };
  return { v: 1, type: 'run-finished', at: run.ended_at, job: 'backup', run };
}

describe('JsonlLedger', () => {
  it('appends one line per event, files 0600, and reads them back', () => {
    const store = new JsonlLedger(tempDir());
    store.append(finished('r1'));
    store.append(finished('r2', 'failed'));
    store.close();
    expect([...store.allEvents('backup')].map((e) => e.type)).toEqual(['run-finished', 'run-finished']);
    expect(statSync(path.join(store.dir, 'backup', '2026-11.jsonl')).mode & 0o777).toBe(0o600);
    expect(store.hasSuccess('backup', '2026-11-21T02:15:00.000Z')).toBe(true);
  });

  it('appendAll writes consecutive events of a segment together, in order, and each month to its own segment', () => {
    const store = new JsonlLedger(tempDir());
    const december = finished('r3');
    december.at = '2026-12-01T00:00:00.000Z';
    store.appendAll([finished('r1'), finished('r2', 'failed'), december]);
    store.close();
    const lines = (month: string): string[] => readFileSync(path.join(store.dir, 'backup', `${month}.jsonl`), 'utf8').split('\n').filter(Boolean);
    expect(lines('2026-11').map((l) => (JSON.parse(l) as { run: { run_id: string } }).run.run_id)).toEqual(['r1', 'r2']);
    expect(lines('2026-12')).toHaveLength(1);
  });

  it('skips a torn last line, reports it with its line number, and starts the next append on a fresh line', () => {
    const dir = tempDir();
    const store = new JsonlLedger(dir);
    store.append(finished('r1'));
    store.close();
    appendFileSync(path.join(dir, 'backup', '2026-11.jsonl'), '{"v":1,"type":"run-fin');
    expect([...store.allEvents('backup')]).toHaveLength(1);
    expect(store.check()).toEqual([{ file: path.join(dir, 'backup', '2026-11.jsonl'), line: 2, text: '{"v":1,"type":"run-fin' }]);

    const again = new JsonlLedger(dir);
    again.append(finished('r2'));
    again.close();
    expect([...again.allEvents('backup')].map((e) => (e.type === 'run-finished' ? e.run.run_id : ''))).toEqual(['r1', 'r2']);
    expect(readFileSync(path.join(dir, 'backup', '2026-11.jsonl'), 'utf8').split('\n')[2]).toContain('"r2"');
  });

  it('folds a run started but not finished as in flight, with its attempts', () => {
    const store = new JsonlLedger(tempDir());
    const s = '2026-11-21T02:15:00.000Z';
    const e = '2026-11-21T02:15:01.000Z';
    const start = { run_id: 'r9', job: 'backup', logical_time: s, trigger: 'manual' as const, started_at: s, log: 'l', host: 'h', pid: 1, job_hash: 'j', jobfile_hash: 'f' };
    store.append({ v: 1, type: 'run-started', at: s, job: 'backup', run: start });
    store.append({ v: 1, type: 'attempt-finished', at: e, job: 'backup', run_id: 'r9', attempt: { n: 1, started_at: s, ended_at: e, exit_code: 1, signal: null, outcome: 'failed' } });
    store.close();
    const [run] = foldRuns([...store.allEvents('backup')]);
    expect(run).toMatchObject({ run_id: 'r9', in_flight: true, outcome: null, attempts: [{ n: 1, outcome: 'failed' }] });
  });

  it('keeps every line whole when four processes append 2,000 records each at once', async () => {
    const dir = tempDir();
    const script = `
      import { JsonlLedger } from ${JSON.stringify(path.join(ROOT, 'dist', 'io', 'jsonl-ledger.js'))};
      const store = new JsonlLedger(process.argv[1]);
      const writer = process.argv[2];
      for (let i = 0; i < 2000; i++) {
        store.append({ v: 1, type: 'hook-finished', at: '2026-11-21T02:15:00.000Z', job: 'shared', run_id: writer + '-' + i, result: { hook: 'on_success', kind: 'command', ok: true, detail: 'x'.repeat(300) } });
      }
      store.close();`;
    const writers = ['a', 'b', 'c', 'd'].map((w) => new Promise<number | null>((resolve) => {
      spawn(process.execPath, ['--input-type=module', '-e', script, dir, w], { stdio: 'inherit' }).on('close', resolve);
    }));
    expect(await Promise.all(writers)).toEqual([0, 0, 0, 0]);
    const store = new JsonlLedger(dir);
    expect(store.check()).toEqual([]);
    const ids = [...store.allEvents('shared')].map((e) => (e.type === 'hook-finished' ? e.run_id : ''));
    expect(ids).toHaveLength(8000);
    expect(new Set(ids).size).toBe(8000);
  });
});
