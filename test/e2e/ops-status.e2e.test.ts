import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { BIN, ROOT, Rig, waitFor } from '../helpers/rig.js';

const rigs: Rig[] = [];
const daemons: ReturnType<Rig['start']>[] = [];
function rig(yaml: string): Rig {
  const r = new Rig(yaml);
  rigs.push(r);
  return r;
}
afterEach(() => {
  for (const d of daemons.splice(0)) {
    d.child.kill('SIGCONT');
    d.child.kill('SIGKILL');
  }
  for (const r of rigs.splice(0)) r.cleanup();
});

const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const ESC = String.fromCharCode(27);
const HAS_SCRIPT = existsSync('/usr/bin/script') || existsSync('/bin/script');

interface DaemonDoc { running: boolean; pid: number; started_at: string; version: string; jobfile_hash: string; listen: string | null; jobfile_current: boolean }
interface JobDoc { name: string; description: string | null; paused: boolean; running: boolean; late: boolean; next_run: string | null; last: unknown }
interface StatusDoc { daemon: DaemonDoc | null; jobs: JobDoc[] }

async function statusJson(r: Rig): Promise<StatusDoc> {
  const result = await r.run(['status', '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as StatusDoc;
}

function record(r: Rig): { pid: number; jobfile_hash: string; listen: string | null } | undefined {
  try {
    return JSON.parse(readFileSync(path.join(r.stateDir, 'daemon.json'), 'utf8')) as { pid: number; jobfile_hash: string; listen: string | null };
  } catch {
    return undefined;
  }
}

function startDaemon(r: Rig, args: string[] = []) {
  const d = r.start(['daemon', ...args]);
  daemons.push(d);
  return d;
}

/** waitFor for a check that runs a command. */
async function poll<T>(check: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const DAILY = `
  version: 1
  jobs:
    beat: { schedule: "@daily", command: "true" }
`;

async function expectNoDaemon(r: Rig): Promise<void> {
  expect((await r.run(['status'])).stdout).toMatch(/^no daemon is scheduling /);
  expect((await statusJson(r)).daemon).toBeNull();
}

const row = (out: string, job: string): string => out.split('\n').find((l) => l.startsWith(`${job} `)) ?? '';

describe('tock status: the daemon, visible', () => {
  it('says a daemon schedules the state dir (pid, since, version, listen) in text, JSON and /status, and that none does once it stopped', async () => {
    const r = rig(`
      version: 1
      jobs:
        beat: { schedule: "@daily", command: "true", description: "keeps the lights on" }
    `);
    const before = await r.run(['status']);
    expect(before.stdout.split('\n')[0]).toBe(`no daemon is scheduling ${r.stateDir}: jobs run only when started by hand; start one with tock daemon -f ${r.jobfile} --state-dir ${r.stateDir} or tock service install -f ${r.jobfile} --state-dir ${r.stateDir}`);
    expect((await statusJson(r)).daemon).toBeNull();

    const d = startDaemon(r, ['--listen', '127.0.0.1:0']);
    const rec = await waitFor(() => (record(r)?.listen ? record(r) : undefined), 10_000, 'the daemon record');
    expect(rec.pid).toBe(d.child.pid);
    const doc = await statusJson(r);
    expect(doc.daemon).toMatchObject({ running: true, pid: d.child.pid, version: VERSION, listen: rec.listen, jobfile_hash: rec.jobfile_hash, jobfile_current: true });
    const startedAt = Date.parse(doc.daemon?.started_at ?? '');
    expect(Math.abs(startedAt - Date.now())).toBeLessThan(60_000);
    // The daemon's start in the host's zone (Tokyo: UTC+9 all year), as other human times are shown; --utc in UTC.
    const wall = (offsetMs: number): string => new Date(Math.floor(startedAt / 1000) * 1000 + offsetMs).toISOString().slice(0, 19).replace('T', ' ');
    const line = (zone: string): RegExp => new RegExp(`^daemon: pid ${String(d.child.pid)} since ${zone} \\(\\d+s ago\\), tock ${VERSION.replaceAll('.', '\\.')}, listening on ${rec.listen ?? ''}, jobfile current$`);
    const text = await r.run(['status'], { env: { TZ: 'Asia/Tokyo' } });
    expect(text.stdout.split('\n')[0]).toMatch(line(`${wall(9 * 3_600_000)} (JST|\\+0900)`));
    const utc = await r.run(['status', '--utc'], { env: { TZ: 'Asia/Tokyo' } });
    expect(utc.stdout.split('\n')[0]).toMatch(line(`${wall(0)} UTC`));
    expect(doc.jobs).toEqual([expect.objectContaining({ name: 'beat', description: 'keeps the lights on', paused: false, running: false, late: false })]);
    // /status is the same document, built by the same code.
    const served = await (await fetch(`http://${rec.listen ?? ''}/status`)).json() as StatusDoc;
    expect(Object.keys(served)).toEqual(Object.keys(doc));
    expect(served.daemon).toEqual(doc.daemon);
    expect(Object.keys(served.jobs[0] ?? {})).toEqual(Object.keys(doc.jobs[0] ?? {}));

    d.child.kill('SIGTERM');
    expect((await d.done).code).toBe(0);
    expect(record(r)).toBeUndefined();
    await expectNoDaemon(r);
  }, 30_000);

  it('takes a record left by a daemon killed -9 for no daemon', async () => {
    const r = rig(DAILY);
    const d = startDaemon(r);
    await waitFor(() => record(r), 10_000, 'the daemon record');
    d.child.kill('SIGKILL');
    await d.done;
    expect(record(r)?.pid).toBe(d.child.pid);
    await expectNoDaemon(r);
  }, 20_000);

  it('says the daemon runs an older jobfile after an edit (send SIGHUP), and current after the reload', async () => {
    const r = rig(DAILY);
    const d = startDaemon(r);
    const first = await waitFor(() => record(r), 10_000, 'the daemon record');
    appendFileSync(r.jobfile, '  other: { schedule: "@hourly", command: "true" }\n');
    const stale = await r.run(['status']);
    expect(stale.stdout.split('\n')[0]).toMatch(/, jobfile stale$/);
    expect(stale.stdout).toContain(`${r.jobfile} changed since the daemon loaded it: send SIGHUP: systemctl reload tock, or kill -HUP ${String(d.child.pid)}`);
    expect((await statusJson(r)).daemon).toMatchObject({ jobfile_current: false, jobfile_hash: first.jobfile_hash });

    d.child.kill('SIGHUP');
    await waitFor(() => (record(r)?.jobfile_hash !== first.jobfile_hash ? true : undefined), 10_000, 'the reload to be recorded');
    const current = await r.run(['status']);
    expect(current.stdout.split('\n')[0]).toMatch(/, jobfile current$/);
    expect(current.stdout).not.toContain('SIGHUP');
    expect((await statusJson(r)).daemon?.jobfile_current).toBe(true);
  }, 30_000);
});

describe('tock status: late', () => {
  it('shows a 5-second job last run 5 minutes ago, with no daemon, late by about 5 minutes, not "in 2s"', async () => {
    const r = rig(`
      version: 1
      jobs:
        beat: { schedule: "*/5 * * * * *", command: "true" }
        fresh: { schedule: "*/5 * * * * *", command: "true" }
        held: { schedule: "*/5 * * * * *", command: "true" }
    `);
    const fiveAgo = new Date(Math.floor(Date.now() / 5000) * 5000 - 300_000).toISOString();
    expect((await r.run(['run', 'beat', '--at', fiveAgo])).code).toBe(0);
    expect((await r.run(['run', 'held', '--at', fiveAgo])).code).toBe(0);
    writeFileSync(path.join(r.stateDir, 'paused.json'), '["held"]\n');
    const out = (await r.run(['status'])).stdout;
    // The first instant after the last run was 4m55s ago (plus the seconds this test took).
    expect(row(out, 'beat')).toMatch(/ late (4m5\ds|5m\d+s) /);
    expect(row(out, 'beat')).toMatch(/ late$/);
    expect(row(out, 'beat')).not.toMatch(/ in \d+s/);
    // Never scheduled by anything: nothing to be late against. Paused: paused, not late.
    expect(row(out, 'fresh')).not.toMatch(/late/);
    expect(row(out, 'held')).toMatch(/ paused /);
    expect(row(out, 'held')).not.toMatch(/late/);
    const doc = await statusJson(r);
    expect(doc.jobs.map((j) => [j.name, j.late, j.paused])).toEqual([['beat', true, false], ['fresh', false, false], ['held', false, true]]);
  }, 20_000);

  it('shows a job late when the daemon is up but behind (stopped with SIGSTOP), and on time again when it resumes', async () => {
    const r = rig(`
      version: 1
      jobs:
        beat: { schedule: "*/2 * * * * *", command: "true" }
    `);
    const d = startDaemon(r);
    await waitFor(() => (r.runs('beat').length > 0 ? true : undefined), 10_000, 'a first run');
    expect((await statusJson(r)).jobs[0]?.late).toBe(false);
    d.child.kill('SIGSTOP');
    const doc = await poll(async () => {
      const s = await statusJson(r);
      return s.jobs[0]?.late === true ? s : undefined;
    }, 15_000, 'the job to be late');
    expect(doc.daemon?.pid).toBe(d.child.pid);
    expect(row((await r.run(['status'])).stdout, 'beat')).toMatch(/ late \d/);
    d.child.kill('SIGCONT');
    await poll(async () => ((await statusJson(r)).jobs[0]?.late === false ? true : undefined), 15_000, 'the daemon to catch up');
  }, 40_000);
});

describe('tock status: the table', () => {
  const yaml = `
    version: 1
    jobs:
      extract: { schedule: "15 2 * * *", timezone: Europe/London, command: "true", description: "pulls yesterday's orders from the shop database into the warehouse" }
      train: { schedule: "30 23 * * 0", timezone: America/Los_Angeles, command: "true", description: "retrains the model" }
      features: { needs: [extract], command: "true" }
  `;

  it('fits 60 columns without cutting a zone, and gives the spare width of 120 to descriptions', async () => {
    const r = rig(yaml);
    for (const job of ['extract', 'train']) expect((await r.run(['run', job])).code).toBe(0);
    const narrow = (await r.run(['status'], { env: { COLUMNS: '60' } })).stdout.trimEnd().split('\n').slice(1);
    expect(narrow.every((l) => l.length <= 60), narrow.join('\n')).toBe(true);
    expect(row(narrow.join('\n'), 'extract')).toMatch(/ \(London\) /);
    expect(row(narrow.join('\n'), 'train')).toMatch(/ \(Los Angeles\) /);
    expect(narrow[0]).toMatch(/^JOB\s+SCHEDULE\s+STATE\s+LAST\s+RECENT\s+NEXT$/);

    const wide = (await r.run(['status'], { env: { COLUMNS: '120' } })).stdout.trimEnd().split('\n').slice(1);
    expect(wide.every((l) => l.length <= 120), wide.join('\n')).toBe(true);
    expect(wide[0]).toMatch(/^JOB\s+SCHEDULE\s+STATE\s+LAST\s+RECENT\s+NEXT\s+DESCRIPTION$/);
    // The spare width goes to descriptions: a short one whole, a long one cut with "…".
    expect(row(wide.join('\n'), 'extract')).toMatch(/At 02:15 \(London\) .* pulls yesterday's orders .*…$/);
    expect(row(wide.join('\n'), 'extract')).toHaveLength(120);
    expect(row(wide.join('\n'), 'train')).toMatch(/At 23:30, only on Sunday \(Los Angeles\) .* retrains the model$/);
    const wider = (await r.run(['status'], { env: { COLUMNS: '200' } })).stdout;
    expect(row(wider, 'extract')).toMatch(/ pulls yesterday's orders from the shop database into the warehouse$/);
  }, 20_000);

  it('refuses --watch off a terminal with a usage error', async () => {
    const r = rig(yaml);
    const result = await r.run(['status', '--watch']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('tock: error: --watch redraws a terminal; stdout is not one');
    const given = `-f ${r.jobfile} --state-dir ${r.stateDir}`;
    expect(result.stderr).toContain(`hint: run tock status ${given} without --watch, or tock status --json ${given} in a loop`);
  });

  it.skipIf(!HAS_SCRIPT)('redraws in place under a pseudo-terminal, with a running run ticking, until Ctrl-C (exit 0)', async () => {
    const r = rig(`
      version: 1
      jobs:
        slow: { schedule: "@daily", command: "sleep 6", description: "takes its time" }
    `);
    const run = r.start(['run', 'slow']);
    await waitFor(() => r.ledger('slow').find((e) => e.type === 'attempt-started'), 10_000, 'the run to start');
    const command = `timeout --preserve-status -s INT 3.5 ${process.execPath} ${BIN} status --watch --interval 1s -f ${r.jobfile} --state-dir ${r.stateDir}`;
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: r.dir, env: r.env({ COLUMNS: '100' }), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, out).toBe(0);
    const frames = out.split('every 1s: tock status (Ctrl-C to stop)');
    expect(frames.length - 1).toBeGreaterThanOrEqual(2);
    // Each frame after the first goes back over the one before it and erases it.
    expect(out).toMatch(new RegExp(`${ESC}\\[\\d+A\\r${ESC}\\[0J`));
    const running = frames.slice(1).map((f) => /running (\d+\.\d)s pid/.exec(f)?.[1]).filter((s) => s !== undefined).map(Number);
    expect(running.length).toBeGreaterThanOrEqual(2);
    expect(running.at(-1)).toBeGreaterThan(running[0] ?? Infinity);
    await run.done;
  }, 20_000);
});
