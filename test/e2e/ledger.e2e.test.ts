import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { liveGroupMembers, Rig, waitFor } from '../helpers/rig.js';

const rigs: Rig[] = [];
const groups: number[] = [];
function rig(yaml: string): Rig {
  const r = new Rig(yaml);
  rigs.push(r);
  return r;
}
afterEach(() => {
  for (const pgid of groups.splice(0)) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const r of rigs.splice(0)) r.cleanup();
});

function segment(r: Rig, job: string): string {
  const dir = path.join(r.stateDir, 'ledger', job);
  const [last] = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort().reverse();
  return path.join(dir, last ?? '');
}

describe('tock status', () => {
  it('shows successes, failures, skips and an interrupted run, as a table and as JSON', async () => {
    const r = rig(`
      version: 1
      jobs:
        good: { schedule: "15 2 * * *", command: "true", description: always works }
        bad: { schedule: "@hourly", timezone: Europe/London, command: "exit 3" }
        after-bad: { needs: [bad], command: "true" }
        crashy: { schedule: "*/5 * * * *", command: "sleep 60" }
        off: { schedule: "@daily", enabled: false, command: "true" }
    `);
    for (let i = 0; i < 3; i++) expect((await r.run(['run', 'good'])).code).toBe(0);
    expect((await r.run(['run', 'bad', '--downstream'])).code).toBe(1);
    const crash = r.start(['run', 'crashy']);
    await waitFor(() => r.ledger('crashy').find((e) => e.type === 'run-started'), 10_000, 'crashy in flight');
    const owner = await waitFor(() => {
      try {
        return (JSON.parse(readFileSync(path.join(r.stateDir, 'locks', 'job.crashy.owner.json'), 'utf8')) as { pgid?: number }).pgid;
      } catch {
        return undefined;
      }
    }, 10_000, 'the attempt group');
    groups.push(owner);
    crash.child.kill('SIGKILL');
    await crash.done;

    const json = await r.run(['status', '--json']);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { jobs: { name: string; schedule: string | null; timezone: string; enabled: boolean; running: boolean; next_run: string | null; last: { outcome: string; reason?: string } | null; recent: string[] }[] };
    const by = Object.fromEntries(doc.jobs.map((j) => [j.name, j]));
    expect(doc.jobs.map((j) => j.name)).toEqual(['good', 'bad', 'after-bad', 'crashy', 'off']);
    expect(by.good).toMatchObject({ schedule: '15 2 * * *', timezone: 'UTC', enabled: true, running: false, last: { outcome: 'success' }, recent: ['success', 'success', 'success'] });
    expect(Date.parse(by.good?.next_run ?? '')).toBeGreaterThan(Date.now());
    expect(new Date(by.good?.next_run ?? '').toISOString().slice(11, 19)).toBe('02:15:00');
    expect(by.bad).toMatchObject({ timezone: 'Europe/London', last: { outcome: 'failed' } });
    expect(by['after-bad']).toMatchObject({ schedule: null, next_run: null, last: { outcome: 'skipped', reason: 'upstream-failed' } });
    // The tock that ran crashy died: the next tock to read the ledger records it interrupted.
    expect(by.crashy).toMatchObject({ running: false, last: { outcome: 'interrupted' } });
    expect(by.off).toMatchObject({ enabled: false, next_run: null, last: null });
    const history = JSON.parse((await r.run(['history', 'crashy', '--json'])).stdout) as { runs: { outcome: string; message?: string }[] };
    expect(history.runs).toHaveLength(1);
    expect(history.runs[0]).toMatchObject({ outcome: 'interrupted', message: expect.stringMatching(/stopped before the run ended/) as unknown });

    const table = await r.run(['status']);
    expect(table.code).toBe(0);
    // The first line says no daemon schedules the state dir; the table under it fits 80 columns.
    // NEXT depends on the time of day (an hourly job near the top of the hour is `in 9s`).
    const lines = table.stdout.trimEnd().split('\n').slice(1);
    expect(lines.every((l) => l.length <= 80)).toBe(true);
    expect(lines[0]).toMatch(/^JOB\s+SCHEDULE\s+STATE\s+LAST\s+RECENT\s+NEXT\s+DESCRIPTION$/);
    expect(lines.find((l) => l.startsWith('good'))).toMatch(/At 02:15 \(UTC\)\s+-\s+success \d+s ago \S*\s+SSS\s+in \d+[smh]\S*\s+always works$/);
    expect(lines.find((l) => l.startsWith('bad '))).toMatch(/Every h\S* \(London\)\s+-\s+failed .* F\s+in \d+[sm]\S*/);
    expect(lines.find((l) => l.startsWith('after-bad'))).toMatch(/after bad\s+-\s+skipped .* -/);
    expect(lines.find((l) => l.startsWith('crashy'))).toMatch(/interrupted\S* .*I/);
    expect(lines.find((l) => l.startsWith('off'))).toMatch(/disabled\s+never ran\s+off$/);
  }, 40_000);

  it('shows a run in progress with its pid, and cuts long names to fit', async () => {
    const long = 'a-very-long-job-name-that-does-not-fit';
    const r = rig(`
      version: 1
      jobs:
        ${long}: { schedule: "@daily", command: "sleep 3" }
    `);
    const run = r.start(['run', long]);
    await waitFor(() => r.ledger(long).find((e) => e.type === 'attempt-started'), 10_000, 'the run to start');
    const status = await r.run(['status']);
    const row = status.stdout.split('\n').find((l) => l.startsWith('a-very-long'));
    expect(row).toMatch(/^a-very-long-job\S*… /);
    expect(row).toMatch(new RegExp(`running \\S+ pid ${String(run.child.pid)}`));
    expect(JSON.parse((await r.run(['status', '--json'])).stdout)).toMatchObject({ jobs: [{ running: true }] });
    expect((await run.done).code).toBe(0);
  }, 20_000);

  it('writes node_exporter textfile metrics atomically that parse back', async () => {
    const r = rig(`
      version: 1
      jobs:
        ok: { schedule: "@daily", command: "true" }
        flaky: { schedule: "@daily", command: "exit 1" }
    `);
    await r.run(['run', 'ok']);
    await r.run(['run', 'ok']);
    await r.run(['run', 'flaky']);
    const file = path.join(r.dir, 'tock.prom');
    const result = await r.run(['status', '--prometheus', file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    const samples = new Map<string, number>();
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const match = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
      expect(match, line).not.toBeNull();
      samples.set(`${match?.[1] ?? ''}${match?.[2] ?? ''}`, Number(match?.[3]));
    }
    expect(samples.get('tock_runs_total{job="ok",outcome="success"}')).toBe(2);
    expect(samples.get('tock_runs_total{job="flaky",outcome="failed"}')).toBe(1);
    expect(samples.get('tock_last_run_outcome{job="flaky",outcome="failed"}')).toBe(1);
    expect(samples.get('tock_last_run_outcome{job="flaky",outcome="success"}')).toBe(0);
    expect(samples.get('tock_running{job="ok"}')).toBe(0);
    expect(Math.abs((samples.get('tock_last_success_timestamp_seconds{job="ok"}') ?? 0) - Date.now() / 1000)).toBeLessThan(60);
    expect(samples.has('tock_last_success_timestamp_seconds{job="flaky"}')).toBe(false);
    expect(readdirSync(r.dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    // node_exporter runs as another user: the file is readable by all whatever tock's umask.
    expect(statSync(file).mode & 0o777).toBe(0o644);
  }, 20_000);
});

describe('the ledger on disk', () => {
  it('writes every run record with its keys in SPEC 6 order, after the line\'s v, type, at and job', async () => {
    const r = rig(`
      version: 1
      jobs:
        flaky: { schedule: "@daily", command: "exit 2" }
    `);
    expect((await r.run(['run', 'flaky'])).code).toBe(1);
    const lines = readFileSync(segment(r, 'flaky'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const line of lines) expect(Object.keys(line).slice(0, 4)).toEqual(['v', 'type', 'at', 'job']);
    const finished = lines.filter((l) => l.type === 'run-finished').at(-1)?.run as Record<string, unknown>;
    expect(Object.keys(finished)).toEqual(['run_id', 'job', 'logical_time', 'trigger', 'outcome', 'message', 'started_at', 'ended_at',
      'duration_ms', 'exit_code', 'signal', 'attempts', 'log', 'host', 'pid', 'pid_start', 'job_hash', 'jobfile_hash'].filter((k) => k in finished));
    expect(Object.keys(finished).slice(0, 5)).toEqual(['run_id', 'job', 'logical_time', 'trigger', 'outcome']);
    expect(Object.keys((finished.attempts as object[])[0] ?? {}).slice(0, 6)).toEqual(['n', 'started_at', 'ended_at', 'exit_code', 'signal', 'outcome']);
  }, 20_000);
});

describe('tock why', () => {
  it('explains the latest failure: attempts in words, log tail, what it blocked, what changed', async () => {
    const r = rig(`
      version: 1
      jobs:
        load: { schedule: "@daily", command: "echo loading; exit 0" }
        report: { needs: [load], command: "true" }
    `);
    expect((await r.run(['run', 'load'])).code).toBe(0);
    r.write(`
      version: 1
      jobs:
        load: { schedule: "@daily", retries: 1, retry_delay: 0.1, command: "echo loading; echo 'disk full' >&2; exit 3" }
        report: { needs: [load], command: "true" }
    `);
    expect((await r.run(['run', 'load', '--downstream'])).code).toBe(1);
    const why = await r.run(['why', 'load']);
    expect(why.code).toBe(0);
    expect(why.stdout).toMatch(/^load failed at /);
    expect(why.stdout).toMatch(/1\. failed after \S+: 3: the command failed/);
    expect(why.stdout).toMatch(/2\. failed after \S+: 3: the command failed/);
    expect(why.stdout).toContain('| disk full');
    expect(why.stdout).toMatch(/report skipped \(upstream-failed\)/);
    expect(why.stdout).toContain('command: was "echo loading; exit 0", now "echo loading; echo \'disk full\' >&2; exit 3"');
    expect(why.stdout).toContain('retries: was 0, now 1');
    expect(why.stdout).toMatch(/jobfile: was "\w+", now "\w+"/);

    const json = JSON.parse((await r.run(['why', 'load', '--json'])).stdout) as { changes: { what: string }[]; blocked: { job: string }[]; attempts: { explained: string }[] };
    expect(json.changes.map((c) => c.what)).toEqual(['command', 'retries', 'jobfile']);
    expect(json.blocked.map((b) => b.job)).toEqual(['report']);
    expect(json.attempts[0]?.explained).toBe('3: the command failed');
  }, 20_000);

  it('says so when a job never failed, and names a signal death', async () => {
    const r = rig(`
      version: 1
      jobs:
        fine: { schedule: "@daily", command: "true" }
        slow: { schedule: "@daily", timeout: 1s, kill_grace: 1s, command: ["sh", "-c", "trap '' TERM; sleep 10"] }
    `);
    await r.run(['run', 'fine']);
    expect((await r.run(['why', 'fine'])).stdout).toBe('fine has no failed run in the ledger\n');
    await r.run(['run', 'slow']);
    expect((await r.run(['why', 'slow'])).stdout).toMatch(/1\. timeout after \S+: killed by SIGKILL \(signal 9\)/);
    expect((await r.run(['why', 'nope'])).code).toBe(2);
  }, 20_000);
});

describe('ledger care', () => {
  it('survives a torn last line: readers skip it, check reports it with its line number, appends go on', async () => {
    const r = rig(`
      version: 1
      jobs:
        j: { schedule: "@daily", command: "true" }
    `);
    expect((await r.run(['run', 'j'])).code).toBe(0);
    const file = segment(r, 'j');
    const lines = readFileSync(file, 'utf8').split('\n').length - 1;
    appendFileSync(file, '{"v":1,"type":"run-finished","at":"2026-');
    expect((await r.run(['history', 'j', '--json'])).code).toBe(0);
    const check = await r.run(['ledger', 'check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(`${file}:${String(lines + 1)}: not a whole ledger event`);
    expect((await r.run(['run', 'j'])).code).toBe(0);
    const history = JSON.parse((await r.run(['history', 'j', '--json'])).stdout) as { runs: { outcome: string }[] };
    expect(history.runs.map((x) => x.outcome)).toEqual(['success', 'success']);
    expect((await r.run(['ledger', 'check'])).stdout).toContain(`${file}:${String(lines + 1)}:`);
  }, 20_000);

  it('compacts old months: drops old runs and their logs, keeps the latest run and latest success', async () => {
    const r = rig(`
      version: 1
      jobs:
        j: { schedule: "@daily", command: "true" }
    `);
    expect((await r.run(['run', 'j'])).code).toBe(0);
    const dir = path.join(r.stateDir, 'ledger', 'j');
    const logs = path.join(r.stateDir, 'logs', 'j');
    mkdirSync(logs, { recursive: true });
    const old = (id: string, at: string, outcome: string): string => {
      writeFileSync(path.join(logs, `${id}.log`), 'old output\n');
      const run = { run_id: id, job: 'j', logical_time: at, trigger: 'schedule', outcome, started_at: at, ended_at: at, duration_ms: 1, exit_code: 0, signal: null, attempts: [], log: path.join(logs, `${id}.log`), host: 'h', pid: 1, job_hash: 'x', jobfile_hash: 'y' };
      return `${JSON.stringify({ v: 1, type: 'run-finished', at, job: 'j', run })}\n`;
    };
    writeFileSync(path.join(dir, '2025-01.jsonl'), old('ancient', '2025-01-05T00:00:00.000Z', 'success') + old('ancient-2', '2025-01-06T00:00:00.000Z', 'failed'));
    const result = await r.run(['ledger', 'compact', '--keep', '90d']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/dropped 2 runs .* and 2 log files/);
    expect(existsSync(path.join(dir, '2025-01.jsonl'))).toBe(false);
    expect(existsSync(path.join(logs, 'ancient.log'))).toBe(false);
    const history = JSON.parse((await r.run(['history', 'j', '--json'])).stdout) as { runs: { run_id: string }[] };
    expect(history.runs).toHaveLength(1);
    expect((await r.run(['ledger', 'compact', '--keep', 'soon'])).code).toBe(2);
  }, 20_000);

  it('logs RUN_ID --follow prints a running attempt\'s output as it comes and stops when the run ends', async () => {
    const r = rig(`
      version: 1
      jobs:
        talk: { schedule: "@daily", command: "for i in 1 2 3 4; do echo line-$i; sleep 0.4; done" }
    `);
    const run = r.start(['run', 'talk']);
    const started = await waitFor(() => r.ledger('talk').find((e) => e.type === 'attempt-started'), 10_000, 'the attempt');
    // With a run id, --follow ends with the run (without one it follows the job's runs until Ctrl-C).
    const follow = await r.run(['logs', 'talk', String(started.run_id), '--follow']);
    expect(follow.code).toBe(0);
    expect(follow.stdout).toBe('line-1\nline-2\nline-3\nline-4\n');
    expect((await run.done).code).toBe(0);
    expect(liveGroupMembers(run.child.pid ?? 0)).toEqual([]);
  }, 20_000);
});
