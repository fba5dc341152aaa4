import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import type { DaemonEvent } from '../../src/daemon/events.js';
import { limitStorageFailures } from '../../src/daemon/storage-log.js';
import { runJob } from '../../src/engine/run-job.js';
import { RunLog } from '../../src/io/run-log.js';
import type { Job } from '../../src/jobfile/types.js';
import type { LedgerEvent } from '../../src/ledger/records.js';
import { formatSize, parseSize } from '../../src/util/size.js';
import { jobfileFrom, testEngine } from '../helpers/engine.js';
import { FakeSpawner } from '../helpers/fake-spawner.js';
import { tempDirs } from '../helpers/temp-dir.js';

const tempDir = tempDirs('tock-run-log');

describe('parseSize', () => {
  it.each([
    ['64MiB', 64 * 2 ** 20], ['1MB', 1_000_000], ['512KiB', 512 * 1024], ['100k', 100_000], ['2 GiB', 2 * 2 ** 30],
    ['1048576', 1_048_576], ['10B', 10], ['1.5MiB', 1.5 * 2 ** 20], [4096, 4096],
  ] as const)('reads %s', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });
  it.each(['', 'MiB', '-1MiB', '1 TiB', 'lots', '1MiBs'])('refuses %j', (text) => {
    expect(parseSize(text)).toBeUndefined();
  });
  it('writes a whole unit back', () => {
    expect([formatSize(64 * 2 ** 20), formatSize(512 * 1024), formatSize(1500)]).toEqual(['64MiB', '512KiB', '1500B']);
  });
});

describe('RunLog', () => {
  const bytes = (n: number, fill: (i: number) => number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => fill(i)));

  it('keeps output under log_max as it came', () => {
    const file = path.join(tempDir(), 'run.log');
    const log = new RunLog(file, 1000);
    for (const piece of ['one\n', 'two ', 'three\n']) log.write(Buffer.from(piece));
    expect(log.close()).toEqual({});
    expect(readFileSync(file, 'utf8')).toBe('one\ntwo three\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('keeps the head and the tail of more, and marks how much was cut between them', () => {
    const file = path.join(tempDir(), 'run.log');
    const all = bytes(10_000, (i) => 33 + (i % 90));
    const log = new RunLog(file, 1000);
    // Odd chunk sizes, so the head's end and the tail's start fall inside chunks.
    for (let at = 0; at < all.length; at += 333) log.write(all.subarray(at, at + 333));
    log.close();
    const text = readFileSync(file);
    const marker = Buffer.from(`\n[tock: ${String(10_000 - 1000)} bytes cut here]\n`);
    expect(text).toEqual(Buffer.concat([all.subarray(0, 500), marker, all.subarray(-500)]));
  });

  it('starts a later attempt\'s head where the earlier attempts left the file', () => {
    const file = path.join(tempDir(), 'run.log');
    writeFileSync(file, 'x'.repeat(800));
    const log = new RunLog(file, 1000);
    log.write(Buffer.from('y'.repeat(2000)));
    log.close();
    expect(readFileSync(file, 'utf8')).toBe(`${'x'.repeat(800)}\n[tock: 1500 bytes cut here]\n${'y'.repeat(500)}`);
  });

  it('never throws when the file cannot be written: the reason comes back at close', () => {
    const log = new RunLog(path.join(tempDir(), 'missing-dir', 'run.log'), 1000);
    log.write(Buffer.from('lost'));
    expect(log.close()).toEqual({ error: 'log: ENOENT' });
    expect(log.bytesSeen).toBe(4);
  });
});

describe('limitStorageFailures', () => {
  it('logs the first refused write at once, then at most one line a minute with the count lost since', () => {
    let now = 0;
    const lines: DaemonEvent[] = [];
    const log = limitStorageFailures((e) => lines.push(e), () => now);
    const refused = (what: string): DaemonEvent => ({ type: 'run', event: { type: 'storage-failed', at: '', job: 'j', run_id: 'r', what, error: 'no space left on device' } });
    log(refused('run-started'));
    for (let i = 0; i < 5; i++) {
      now += 1000;
      log(refused('log'));
      log({ type: 'storage-failed', error: 'no space left on device', lost: 1, what: ['watermarks'] });
    }
    now = 61_000;
    log(refused('log'));
    log({ type: 'clock-jump', by_ms: 5 });
    log(refused('log'));
    log({ type: 'stopped' });
    expect(lines).toEqual([
      { type: 'storage-failed', error: 'no space left on device', lost: 1, what: ['run-started'] },
      { type: 'storage-failed', error: 'no space left on device', lost: 11, what: ['log', 'watermarks'] },
      { type: 'clock-jump', by_ms: 5 },
      { type: 'storage-failed', error: 'no space left on device', lost: 1, what: ['log'] },
      { type: 'stopped' },
    ]);
  });
});

describe('a run the disk will not record', () => {
  const job = (): Job => jobfileFrom(`
    version: 1
    jobs:
      work: { schedule: "15 2 * * *", command: do-work }
  `).jobs.get('work') as Job;
  const enospc = (): Error => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

  it('is not started when its start cannot be recorded, and fails with the reason', async () => {
    const engine = testEngine();
    engine.ledger.append = () => { throw enospc(); };
    const run = await runJob(engine.deps, { job: job(), logicalMs: Date.parse('2026-11-21T02:15:00Z'), trigger: 'schedule', jobfilePath: '/j/tock.yaml', jobfileHash: 'h' });
    expect(engine.spawner.spawned).toHaveLength(0);
    expect(run).toMatchObject({ outcome: 'failed', reason: 'storage-failed', message: 'ledger: no space left on device; the run was not started' });
    // The listeners still hear every fact, each after the notice that it was not recorded.
    expect(engine.events.map((e) => (e.type === 'storage-failed' ? `!${e.what}` : e.type))).toEqual(['!run-started', 'run-started', '!run-finished', 'run-finished']);
  });

  it('runs on when a later fact cannot be recorded, and its final record says how it ended', async () => {
    const engine = testEngine({ spawner: new FakeSpawner(() => 0) });
    const append = engine.ledger.append.bind(engine.ledger);
    engine.ledger.append = (event: LedgerEvent) => {
      if (event.type === 'attempt-started') throw enospc();
      append(event);
    };
    const run = await runJob(engine.deps, { job: job(), logicalMs: Date.parse('2026-11-21T02:15:00Z'), trigger: 'schedule', jobfilePath: '/j/tock.yaml', jobfileHash: 'h' });
    expect(run.outcome).toBe('success');
    expect(engine.ledger.types('work')).toEqual(['run-started', 'attempt-finished', 'run-finished']);
  });

  it('writes the last attempt with the final record in one append, told after it, and says both were lost when it fails', async () => {
    const engine = testEngine({ spawner: new FakeSpawner(() => 0) });
    const together: string[][] = [];
    let refuse = false;
    Object.assign(engine.ledger, {
      appendAll: (events: readonly LedgerEvent[]) => {
        together.push(events.map((e) => e.type));
        if (refuse) throw enospc();
        for (const e of events) engine.ledger.append(e);
      },
    });
    const request = { job: job(), logicalMs: Date.parse('2026-11-21T02:15:00Z'), trigger: 'schedule' as const, jobfilePath: '/j/tock.yaml', jobfileHash: 'h' };
    await runJob(engine.deps, request);
    expect(together).toEqual([['attempt-finished', 'run-finished']]);
    expect(engine.ledger.types('work')).toEqual(['run-started', 'attempt-started', 'attempt-finished', 'run-finished']);
    expect(engine.events.map((e) => e.type).slice(-2)).toEqual(['attempt-finished', 'run-finished']);

    refuse = true;
    engine.events.length = 0;
    await runJob(engine.deps, { ...request, rerun: true });
    expect(engine.events.map((e) => (e.type === 'storage-failed' ? `!${e.what}` : e.type)).slice(-4)).toEqual(['!attempt-finished', '!run-finished', 'attempt-finished', 'run-finished']);
  });

  it('tells the attempt\'s start with the next fact written when its own fsync has not finished, in ledger order', async () => {
    const engine = testEngine({ spawner: new FakeSpawner(() => 0) });
    const pending: LedgerEvent[] = [];
    // An fsync that never finishes: the next write's fsync covers the line.
    Object.assign(engine.ledger, { appendSoon: (event: LedgerEvent) => { engine.ledger.append(event); pending.push(event); return new Promise(() => undefined); } });
    await runJob(engine.deps, { job: job(), logicalMs: Date.parse('2026-11-21T02:15:00Z'), trigger: 'schedule', jobfilePath: '/j/tock.yaml', jobfileHash: 'h' });
    expect(pending.map((e) => e.type)).toEqual(['attempt-started']);
    expect(engine.events.map((e) => e.type)).toEqual(['run-started', 'attempt-started', 'attempt-finished', 'run-finished']);

  });

  it('stays a bug when the error is not the disk\'s', async () => {
    const engine = testEngine();
    engine.ledger.append = () => { throw new TypeError('bad'); };
    const run = await runJob(engine.deps, { job: job(), logicalMs: Date.parse('2026-11-21T02:15:00Z'), trigger: 'schedule', jobfilePath: '/j/tock.yaml', jobfileHash: 'h' }).catch((error: unknown) => error);
    expect(run).toBeInstanceOf(TypeError);
  });
});
