import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statfsSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { Rig, waitFor } from '../helpers/rig.js';

const rigs: Rig[] = [];
const daemons: ReturnType<Rig['start']>[] = [];
afterEach(async () => {
  for (const d of daemons.splice(0)) {
    d.child.kill('SIGKILL');
    await d.done;
  }
  for (const r of rigs.splice(0)) r.cleanup();
});

// Node cannot make a string longer than this (~512 MiB): a segment past it was skipped silently.
const STRING_LIMIT = 2 ** 29;
const free = statfsSync(tmpdir());
const FREE_BYTES = free.bavail * free.bsize;
const LOW_DISK = FREE_BYTES < 2 * 1024 ** 3;
const LOW_DISK_REASON = `needs 2 GB free in ${tmpdir()} for a segment past Node's string limit (has ${String(Math.round(FREE_BYTES / 1024 ** 2))} MB)`;

/** One run-finished ledger line of exactly `width` bytes with its newline (the record's message pads it). */
function runLine(job: string, at: string, runId: string, width: number): string {
  const run = {
    run_id: runId, job, logical_time: at, trigger: 'schedule', outcome: 'success', message: '', started_at: at, ended_at: at,
    duration_ms: 5, exit_code: 0, signal: null, attempts: [], log: `/nonexistent/${runId}.log`, host: 'elsewhere', pid: 1, job_hash: 'j', jobfile_hash: 'f',
  };
  const bare = JSON.stringify({ v: 1, type: 'run-finished', at, job, run });
  run.message = 'x'.repeat(width - 1 - bare.length);
  return `${JSON.stringify({ v: 1, type: 'run-finished', at, job, run })}\n`;
}

/** `count` lines of `width` bytes at `at`, as one buffer to write many times. */
function block(job: string, at: string, prefix: string, count: number, width: number): Buffer {
  return Buffer.from(Array.from({ length: count }, (_, i) => runLine(job, at, `${prefix}-${String(i)}`, width)).join(''));
}

/** Writes pieces to `file` with plain write(2) calls: hundreds of MB in a second or two. */
function writePieces(file: string, pieces: (Buffer | string)[]): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, 'w', 0o600);
  try {
    for (const piece of pieces) {
      const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
      for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done);
    }
  } finally {
    closeSync(fd);
  }
}

/** Newlines in a file, counted in chunks (the test must not read it into one string either). */
function countLines(file: string): number {
  const fd = openSync(file, 'r');
  const chunk = Buffer.alloc(8 * 1024 * 1024);
  let lines = 0;
  try {
    for (let got = readSync(fd, chunk); got > 0; got = readSync(fd, chunk)) {
      for (let i = chunk.indexOf(0x0a); i !== -1 && i < got; i = chunk.indexOf(0x0a, i + 1)) lines++;
    }
  } finally {
    closeSync(fd);
  }
  return lines;
}

/** `YYYY-MM` of the month `back` months before now (UTC, as segment names are). */
function monthBack(back: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1)).toISOString().slice(0, 7);
}

/** The sum of `tock_runs_total` over outcomes for a job, and the seeded gauge, from a scrape. */
function totals(text: string, job: string): { runs: number; seeded: number | undefined } {
  let runs = 0;
  for (const m of text.matchAll(new RegExp(`^tock_runs_total\\{job="${job}",outcome="[a-z]+"\\} (\\d+)$`, 'gm'))) runs += Number(m[1]);
  const seeded = /^tock_metrics_seeded (\d+)$/m.exec(text)?.[1];
  return { runs, seeded: seeded === undefined ? undefined : Number(seeded) };
}

/** A rig with one job, `tick`, on `schedule`. */
function tickRig(schedule: string): Rig {
  const r = new Rig(`version: 1\njobs:\n  tick: { schedule: "${schedule}", command: "true" }\n`);
  rigs.push(r);
  return r;
}

describe('big ledgers', () => {
  it.skipIf(LOW_DISK)(`check, status --prometheus and compact read a segment past 512 MiB whole (${LOW_DISK ? LOW_DISK_REASON : 'disk ok'})`, async () => {
    const r = tickRig('@daily');
    // A closed month (compact rewrites only those): day 1 then day 3, a torn line between them and one at the end.
    const month = monthBack(3);
    const width = 2048;
    const perBlock = 4096;
    const blocks = 73;
    const early = block('tick', `${month}-01T00:00:00.000Z`, 'early', perBlock, width);
    const late = block('tick', `${month}-03T00:00:00.000Z`, 'late', perBlock, width);
    const earlyBlocks = 36;
    const torn = runLine('tick', `${month}-02T00:00:00.000Z`, 'torn', width).slice(0, 700);
    const file = path.join(r.stateDir, 'ledger', 'tick', `${month}.jsonl`);
    writePieces(file, [...Array<Buffer>(earlyBlocks).fill(early), `${torn}\n`, ...Array<Buffer>(blocks - earlyBlocks).fill(late), torn]);
    expect(statSync(file).size).toBeGreaterThan(STRING_LIMIT);
    const runs = blocks * perBlock;
    const tornLine = earlyBlocks * perBlock + 1;

    // A JavaScript heap far smaller than the segment: a reader holding it whole would die of it.
    const small = { env: { NODE_OPTIONS: '--max-old-space-size=48' } };
    const check = await r.run(['ledger', 'check'], small);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(`${file}:${String(tornLine)}: not a whole ledger event`);
    expect(check.stdout).toContain(`${file}:${String(runs + 2)}: not a whole ledger event`);
    expect(check.stdout).toContain('2 bad lines');

    const prom = path.join(r.dir, 'tock.prom');
    expect((await r.run(['status', '--prometheus', prom], small)).code).toBe(0);
    expect(totals(readFileSync(prom, 'utf8'), 'tick').runs).toBe(runs);

    // Keep from day 2 of that month: the early half and both torn lines go, the late half stays.
    const keepSeconds = Math.floor((Date.now() - Date.parse(`${month}-02T00:00:00.000Z`)) / 1000);
    const compact = await r.run(['ledger', 'compact', '--keep', String(keepSeconds)], small);
    expect(compact.stderr).toBe('');
    expect(compact.code).toBe(0);
    const kept = (blocks - earlyBlocks) * perBlock;
    expect(compact.stdout).toContain(`dropped ${String(earlyBlocks * perBlock)} runs`);
    expect(compact.stdout).toContain('rewrote 1 ');
    expect(countLines(file)).toBe(kept);
    expect((await r.run(['ledger', 'check'])).stdout).toContain('every line whole');
  }, 180_000);

  it.skipIf(LOW_DISK)(`the daemon's /metrics counts a big ledger once and every run after, without delaying a fire (${LOW_DISK ? LOW_DISK_REASON : 'disk ok'})`, async () => {
    const r = tickRig('* * * * * *');
    const premadeMonth = monthBack(1);
    const perBlock = 8192;
    const blocks = 122;
    const premade = blocks * perBlock; // 1M runs, 448 MB
    const dir = path.join(r.stateDir, 'ledger', 'tick');
    writePieces(path.join(dir, `${premadeMonth}.jsonl`), Array<Buffer>(blocks).fill(block('tick', `${premadeMonth}-10T00:00:00.000Z`, 'old', perBlock, 448)));
    // What this daemon adds goes to other segments (this month's); count their runs as a scrape is made.
    const added = (): { runs: number; missed: number } => {
      let runs = 0;
      let missed = 0;
      for (const f of readdirSync(dir).filter((n) => n.endsWith('.jsonl') && n !== `${premadeMonth}.jsonl`)) {
        for (const line of readFileSync(path.join(dir, f), 'utf8').split('\n')) {
          if (!line.includes('"type":"run-finished"')) continue;
          runs++;
          if (line.includes('"outcome":"missed"')) missed++;
        }
      }
      return { runs, missed };
    };

    const d = r.start(['daemon', '--listen', '127.0.0.1:0']);
    daemons.push(d);
    const address = await waitFor(() => / listen=(\S+)/.exec(d.output().stderr)?.[1], 20_000, 'the listening address');
    const started = Date.now();
    let seededAt: number | undefined;
    let scrapes = 0;
    let seededScrapes = 0;
    while (seededAt === undefined || Date.now() - seededAt < 6_000 || Date.now() - started < 10_000) {
      expect(Date.now() - started).toBeLessThan(90_000);
      const before = added().runs;
      const text = await (await fetch(`http://${address}/metrics`)).text();
      const after = added().runs;
      const { runs, seeded } = totals(text, 'tick');
      scrapes++;
      if (seeded === 1) {
        seededAt ??= Date.now();
        seededScrapes++;
        // Every premade run, plus every run finished by the time of the scrape.
        expect(runs).toBeGreaterThanOrEqual(premade + before);
        expect(runs).toBeLessThanOrEqual(premade + after);
      } else {
        expect(seeded).toBe(0);
        expect(runs).toBeLessThanOrEqual(premade + after);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const status = readFileSync(`/proc/${String(d.child.pid)}/status`, 'utf8');
    const hwmKb = Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1]);
    d.child.kill('SIGTERM');
    expect((await d.done).code).toBe(0);

    const { runs, missed } = added();
    expect(scrapes).toBeGreaterThan(50);
    expect(seededScrapes).toBeGreaterThan(20);
    expect(runs).toBeGreaterThanOrEqual(5);
    expect(missed).toBe(0);
    expect(hwmKb).toBeGreaterThan(0);
    expect(hwmKb).toBeLessThan(300 * 1024);
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);
});
