// What a person reads, end to end on the built CLI: times in the job's zone (and --utc),
// durations back from now, backfill's counts, hints that repeat -f/--state-dir, the daemon's
// log levels, and colour only on a terminal.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { Rig } from '../helpers/rig.js';
import { BIN, waitFor } from '../helpers/rig.js';
import { rigsCleanedAfterEach } from '../helpers/rigs.js';

const rig = rigsCleanedAfterEach();
const daemons: { child: { kill: (s: NodeJS.Signals) => boolean } }[] = [];
afterEach(() => {
  for (const d of daemons.splice(0)) d.child.kill('SIGKILL');
});

const BERLIN = `
  version: 1
  timezone: Europe/Berlin
  jobs:
    daily: { schedule: "@daily", command: "true" }
    after: { needs: [daily], command: "true" }
`;

// ANSI colour escapes: what these tests look for (built from a string: a control character in a
// regex literal is a lint error).
const ESC = '\u001b';
const ANSI = new RegExp(`${ESC}\\[\\d+m`);
/** `text` in the colour escape `code` (31 red), as chalk writes it. */
const coloured = (code: number, text: string): string => `${ESC}[${String(code)}m${text}`;

describe('times in the job\'s zone', () => {
  it('a Europe/Berlin @daily dry run of 2026-11-10..14 shows local midnights; --utc shows UTC', async () => {
    const r = rig(BERLIN);
    const local = await r.run(['backfill', 'daily', '--from', '2026-11-10', '--to', '2026-11-14', '--dry-run']);
    expect(local.code).toBe(0);
    const rows = local.stdout.trim().split('\n');
    expect(rows.slice(0, 5)).toEqual(['10', '11', '12', '13', '14'].map((d) => `run   daily  2026-11-${d} 00:00 CET`));
    expect(local.stdout).not.toContain('2026-11-09');
    expect(rows.at(-1)).toBe('5 instants x 1 job = 5 runs: 5 would run, 0 skipped');

    const utc = await r.run(['backfill', 'daily', '--from', '2026-11-10', '--to', '2026-11-14', '--dry-run', '--utc']);
    expect(utc.stdout.split('\n')[0]).toBe('run   daily  2026-11-09 23:00 UTC');
    // --json keeps ISO 8601 UTC.
    const json = await r.run(['backfill', 'daily', '--from', '2026-11-10', '--to', '2026-11-14', '--dry-run', '--json']);
    expect((JSON.parse(json.stdout) as { runs: { logical_time: string }[] }).runs[0]?.logical_time).toBe('2026-11-09T23:00:00.000Z');
  });

  it('backfill counts instants and runs apart, shows progress in the zone, and history reads in the zone', async () => {
    const r = rig(BERLIN);
    const result = await r.run(['backfill', 'daily', '--downstream', '--from', '2026-11-10', '--to', '2026-11-12']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('[1/3] daily 2026-11-10 00:00 CET success');
    expect(result.stderr).toMatch(/tock: backfill: 3 instants x 2 jobs = 6 runs: 6 succeeded, in \S+\n/);
    const dry = await r.run(['backfill', 'daily', '--downstream', '--from', '2026-11-10', '--to', '2026-11-13', '--dry-run']);
    expect(dry.stdout.trim().split('\n').at(-1)).toBe('4 instants x 2 jobs = 8 runs: 2 would run, 6 skipped (succeeded before; --force runs them again)');

    const history = await r.run(['history', 'daily']);
    expect(history.stdout).toMatch(/^STARTED +JOB +OUTCOME +DURATION +TRIGGER +LOGICAL TIME +RUN ID$/m);
    expect(history.stdout).toMatch(/ backfill +2026-11-12 00:00 CET /);
    // The start is a time of today, in the job's zone to the second.
    expect(history.stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d CES?T +daily /m);
    const utc = await r.run(['history', 'daily', '--utc']);
    expect(utc.stdout).toMatch(/ backfill +2026-11-11 23:00 UTC /);
    expect(utc.stdout).not.toContain('CET');
  }, 20_000);

  it('--since 2d leaves out a run started three days ago', async () => {
    const r = rig(BERLIN);
    expect((await r.run(['run', 'daily'])).code).toBe(0);
    // The same run, as if it had started three days ago, in the segment of that month.
    const [finished] = r.ledger('daily').filter((e) => e.type === 'run-finished') as { run: Record<string, unknown> }[];
    const old = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const run = { ...finished?.run, run_id: 'old-run', started_at: old, ended_at: old, logical_time: old };
    const dir = path.join(r.stateDir, 'ledger', 'daily');
    mkdirSync(dir, { recursive: true });
    appendFileSync(path.join(dir, `${old.slice(0, 7)}.jsonl`), `${JSON.stringify({ v: 1, type: 'run-finished', at: old, job: 'daily', run })}\n`, { mode: 0o600 });

    const ids = async (args: string[]) => (JSON.parse((await r.run(['history', ...args, '--json'])).stdout) as { runs: { run_id: string }[] }).runs.map((x) => x.run_id);
    expect(await ids([])).toContain('old-run');
    const recent = await ids(['--since', '2d']);
    expect(recent).toHaveLength(1);
    expect(recent).not.toContain('old-run');
    expect(await ids(['--since', '4d'])).toContain('old-run');
    const bad = await r.run(['history', '--since', '2 days']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('or a duration back from now like 2d');
  });
});

describe('hints repeat -f and --state-dir', () => {
  it('after `run -f X` a failure points at `tock logs JOB RUN -f X`, quoted for the shell', async () => {
    const r = rig(`
      version: 1
      jobs:
        ok: { schedule: "@daily", command: "true" }
        bad: { needs: [ok], command: "exit 3" }
    `);
    const result = await r.run(['run', 'ok', 'bad', '-f', 'tock.yaml', '--state-dir', 'my state'], { common: false });
    expect(result.code).toBe(1);
    const hint = /see the output: (tock logs bad \S+ .*)$/m.exec(result.stderr)?.[1];
    expect(hint).toMatch(/^tock logs bad \S+ -f tock\.yaml --state-dir 'my state'$/);
    // The command runs as printed (through a shell, from where the user was).
    const again = spawnSync('sh', ['-c', (hint ?? '').replace(/^tock/, `${process.execPath} ${BIN}`)], { cwd: r.dir, encoding: 'utf8', env: r.env() });
    expect(again.status, again.stderr).toBe(0);
  });

  it('an invalid jobfile\'s hint is `tock validate -f X`', async () => {
    const r = rig('version: 1\njobs:\n  a: { schedule: "nope", command: "true" }\n');
    const result = await r.run(['history', '-f', 'tock.yaml'], { common: false });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('hint: fix them and check with `tock validate -f tock.yaml`');
  });
});

describe('the daemon\'s log levels', () => {
  const TICK = `
    version: 1
    timezone: Europe/Berlin
    jobs:
      tick: { schedule: "* * * * * *", command: "true" }
      after: { needs: [tick], command: "true" }
      off: { schedule: "@daily", enabled: false, command: "true" }
  `;

  async function logOf(r: Rig, args: string[]): Promise<string[]> {
    const d = r.start(['daemon', ...args]);
    daemons.push(d);
    await waitFor(() => ((d.output().stderr.match(/run-finished(?: job=|","job":")after/g) ?? []).length >= 2 ? true : undefined), 10_000, 'two pipelines');
    d.child.kill('SIGTERM');
    const result = await d.done;
    expect(result.code).toBe(0);
    return result.stderr.trim().split('\n');
  }

  it('info: a start line per job with its next instant in its zone, then one line per finished run', async () => {
    const r = rig(TICK);
    const log = await logOf(r, []);
    expect(log.filter((l) => / scheduled /.test(l))).toEqual([
      expect.stringMatching(/ scheduled job=tick next="\d{4}-\d\d-\d\d \d\d:\d\d:\d\d CES?T"$/),
      expect.stringMatching(/ scheduled job=after after=tick$/),
      expect.stringMatching(/ scheduled job=off disabled=true$/),
    ]);
    const finished = log.filter((l) => / run-finished /.test(l));
    // On a loaded machine the every-second tick can fall a second behind: the instant it did not
    // see is a `missed` warning line (its catchup policy), not a finished run.
    const ran = [...r.runs('tick'), ...r.runs('after')].filter((run) => run.outcome !== 'missed');
    expect(finished).toHaveLength(ran.length);
    expect(finished[0]).toMatch(/ run-finished job=tick run=\S+ logical_time="[^"]+ CES?T" outcome=success duration=\S+ attempts=1 exit_code=0$/);
    expect(log.some((l) => / (armed|fired|attempt-started|run-started) /.test(l))).toBe(false);
    expect(log.every((l) => / (started|scheduled|run-finished|missed|stopping|stopped)( |$)/.test(l))).toBe(true);
  }, 20_000);

  it('debug adds the armed, fired and attempt lines; --utc logs job times in UTC; JSON keeps every field', async () => {
    const r = rig(TICK);
    const log = await logOf(r, ['--log-level', 'debug', '--utc']);
    expect(log.some((l) => / fired job=tick logical_time="[^"]+ UTC" trigger=schedule$/.test(l))).toBe(true);
    expect(log.some((l) => / armed job=tick /.test(l))).toBe(true);
    expect(log.some((l) => / attempt-started job=tick /.test(l))).toBe(true);

    const json = (await logOf(rig(TICK), ['--log-format', 'json'])).map((l) => JSON.parse(l) as Record<string, unknown>);
    const run = json.find((e) => e.event === 'run-finished');
    expect(run).toMatchObject({ level: 'info', job: 'tick', outcome: 'success', attempts: 1, exit_code: 0 });
    expect(run?.logical_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    expect(typeof run?.duration_ms).toBe('number');
    expect(json.some((e) => e.event === 'fired')).toBe(false);
  }, 30_000);
});

describe('colour on a terminal only', () => {
  const hasScript = spawnSync('script', ['--version']).status === 0;
  const BROKEN = 'version: 1\njobs:\n  a: { schedule: "nope", command: "true" }\n';

  /** `tock ARGS` under a pseudo-terminal (script), stdout and stderr together. */
  function onTerminal(r: Rig, args: string[], env: Record<string, string> = {}): string {
    const command = [process.execPath, BIN, ...args, '-f', r.jobfile, '--state-dir', r.stateDir].map((w) => `'${w}'`).join(' ');
    return spawnSync('script', ['-qec', command, '/dev/null'], { cwd: r.dir, encoding: 'utf8', env: r.env({ NO_COLOR: '', ...env }) }).stdout;
  }

  it.skipIf(!hasScript)('validate and audit are coloured under a pseudo-terminal, not with NO_COLOR, --no-color or a pipe', async () => {
    const r = rig(BROKEN);
    const tty = onTerminal(r, ['validate']);
    expect(tty).toContain(coloured(31, 'error:'));
    expect(onTerminal(r, ['validate'], { NO_COLOR: '1' })).not.toMatch(ANSI);
    expect(onTerminal(r, ['validate', '--no-color'])).not.toMatch(ANSI);
    const piped = await r.run(['validate'], { env: { NO_COLOR: '' } });
    expect(piped.stderr).toContain('error:');
    expect(piped.stderr).not.toMatch(ANSI);

    const crontab = path.join(r.dir, 'crontab');
    appendFileSync(crontab, '0 0 30 2 * never.sh\n');
    expect(onTerminal(r, ['audit', crontab])).toContain(coloured(31, 'never-runs'));
    const auditPiped = await r.run(['audit', crontab], { env: { NO_COLOR: '' } });
    expect(auditPiped.stdout).toContain('never-runs');
    expect(auditPiped.stdout).not.toMatch(ANSI);
  });

  it.skipIf(!hasScript)('why colours the failed outcome on a terminal, in the job\'s zone', async () => {
    const r = rig('version: 1\ntimezone: Asia/Kolkata\njobs:\n  bad: { schedule: "@daily", command: "exit 3" }\n');
    await r.run(['run', 'bad', '--at', '2026-11-10T06:00']);
    const tty = onTerminal(r, ['why', 'bad']);
    expect(tty).toContain(`${coloured(31, 'failed')}${ESC}[39m`);
    expect(tty).toContain('logical time 2026-11-10 06:00 IST');
    const piped = await r.run(['why', 'bad'], { env: { NO_COLOR: '' } });
    expect(piped.stdout).not.toMatch(ANSI);
    expect(piped.stdout).toContain(`full output: tock logs bad ${r.runs('bad')[0]?.run_id ?? ''} -f ${r.jobfile} --state-dir ${r.stateDir}`);
  });

  it.skipIf(!hasScript)('the daemon log is coloured on a terminal', () => {
    const r = rig('version: 1\njobs:\n  bad: { schedule: "* * * * * *", command: "exit 1" }\n');
    const command = [process.execPath, BIN, 'daemon', '-f', r.jobfile, '--state-dir', r.stateDir].map((w) => `'${w}'`).join(' ');
    const child = spawnSync('timeout', ['-s', 'INT', '2.5', 'script', '-qec', command, '/dev/null'], { cwd: r.dir, encoding: 'utf8', env: r.env({ NO_COLOR: '' }) });
    expect(child.stdout).toContain(`run-finished${ESC}[22m job=bad `);
    expect(child.stdout).toContain(`outcome=${coloured(31, 'failed')}${ESC}[39m`);
  });
});
