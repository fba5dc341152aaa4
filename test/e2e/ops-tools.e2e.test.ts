// The operator's tools, end to end on the built CLI: logs -n and --follow, graph and ledger
// --json, init, shell completion, and path mistakes said as "expected X, got Y".
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { BIN, ROOT, waitFor } from '../helpers/rig.js';
import { rigsCleanedAfterEach } from '../helpers/rigs.js';

const rig = rigsCleanedAfterEach();

describe('tock logs', () => {
  it('-n N prints the last N lines of the latest run, a last line without a newline included', async () => {
    const r = rig(`
      version: 1
      jobs:
        five: { schedule: "@daily", command: "for i in 1 2 3 4; do echo line-$i; done; printf line-5" }
    `);
    expect((await r.run(['run', 'five'])).code).toBe(0);
    const two = await r.run(['logs', 'five', '-n', '2']);
    expect(two.code).toBe(0);
    expect(two.stdout).toBe('line-4\nline-5');
    expect((await r.run(['logs', 'five', '-n', '0'])).stdout).toBe('');
    expect((await r.run(['logs', 'five', '-n', '99'])).stdout).toBe('line-1\nline-2\nline-3\nline-4\nline-5');
    const bad = await r.run(['logs', 'five', '-n', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected a whole number (0 or more), got "x"');
  }, 20_000);

  it('--follow without RUN_ID follows the job: its latest run, then a newer run under a header, until SIGINT (exit 0)', async () => {
    const r = rig(`
      version: 1
      jobs:
        talk: { schedule: "@daily", concurrency: allow, command: "for i in 1 2 3 4 5; do echo $TOCK_RUN_ID line-$i; sleep 0.5; done" }
    `);
    const first = r.start(['run', 'talk']);
    const started = await waitFor(() => r.ledger('talk').find((e) => e.type === 'attempt-started'), 10_000, 'the first attempt');
    const follow = r.start(['logs', 'talk', '--follow']);
    const firstId = String(started.run_id);
    await waitFor(() => (follow.output().stdout.includes(`${firstId} line-2`) ? true : undefined), 10_000, 'the first run\'s lines');
    expect((await first.done).code).toBe(0);
    const second = r.start(['run', 'talk']);
    const secondId = await waitFor(() => {
      const ids = r.ledger('talk').filter((e) => e.type === 'attempt-started').map((e) => String(e.run_id));
      return ids.find((id) => id !== firstId);
    }, 10_000, 'the second attempt');
    await waitFor(() => (follow.output().stdout.includes(`${secondId} line-2`) ? true : undefined), 10_000, 'the second run\'s lines');
    follow.child.kill('SIGINT');
    const result = await follow.done;
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    const headers = lines.filter((l) => l.startsWith('==> '));
    expect(headers).toEqual([
      expect.stringMatching(new RegExp(`^==> talk run ${firstId} \\(manual, logical time .+\\) <==$`)),
      expect.stringMatching(new RegExp(`^==> talk run ${secondId} \\(manual, logical time .+\\) <==$`)),
    ]);
    // Every line of the first run, in order, before the second run's header.
    const secondHeader = lines.indexOf(headers[1] ?? '');
    expect(lines.slice(1, secondHeader)).toEqual([1, 2, 3, 4, 5].map((i) => `${firstId} line-${String(i)}`));
    expect(lines[secondHeader + 1]).toBe(`${secondId} line-1`);
    expect((await second.done).code).toBe(0);
  }, 30_000);
});

const PIPELINE = `
  version: 1
  jobs:
    extract: { description: Pull, schedule: "15 2 * * *", timezone: Europe/Berlin, command: "true" }
    report: { needs: [extract], command: "true" }
    alert: { needs: [extract, report], when: failure, command: "true" }
    old: { schedule: "@daily", enabled: false, command: "true" }
`;

describe('graph --json and ledger check|compact --json', () => {
  it('graph --json lists every job, needs first, and every edge', async () => {
    const result = await rig(PIPELINE).run(['graph', '--json']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as { jobs: Record<string, unknown>[]; edges: Record<string, unknown>[] };
    const names = doc.jobs.map((j) => j.name);
    expect(names.sort()).toEqual(['alert', 'extract', 'old', 'report']);
    const order = doc.jobs.map((j) => j.name);
    expect(order.indexOf('extract')).toBeLessThan(order.indexOf('report'));
    expect(order.indexOf('report')).toBeLessThan(order.indexOf('alert'));
    expect(doc.jobs.find((j) => j.name === 'extract')).toEqual({ name: 'extract', description: 'Pull', needs: [], when: 'success', schedule: '15 2 * * *', timezone: 'Europe/Berlin', enabled: true });
    expect(doc.jobs.find((j) => j.name === 'old')).toMatchObject({ enabled: false, schedule: '@daily' });
    expect(doc.jobs.find((j) => j.name === 'alert')).toMatchObject({ needs: ['extract', 'report'], when: 'failure', schedule: null });
    expect(doc.edges).toEqual(expect.arrayContaining([
      { from: 'extract', to: 'report', when: 'success' },
      { from: 'extract', to: 'alert', when: 'failure' },
      { from: 'report', to: 'alert', when: 'failure' },
    ]));
    expect(doc.edges).toHaveLength(3);
  });

  it('ledger check --json counts segments and names each bad line by file and line; compact --json counts what went', async () => {
    const r = rig(PIPELINE);
    expect((await r.run(['run', 'extract'])).code).toBe(0);
    const clean = await r.run(['ledger', 'check', '--json']);
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout)).toEqual({ ok: true, jobs: 1, segments: 1, bad_lines: [] });
    const dir = path.join(r.stateDir, 'ledger', 'extract');
    const [segment] = readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
    const file = path.join(dir, segment ?? '');
    const lines = readFileSync(file, 'utf8').split('\n').length - 1;
    appendFileSync(file, '{"v":1,"type":"run-fini\n');
    const torn = await r.run(['ledger', 'check', '--json']);
    expect(torn.code).toBe(1);
    const doc = JSON.parse(torn.stdout) as { ok: boolean; bad_lines: { file: string; line: number; text: string }[] };
    expect(doc.ok).toBe(false);
    expect(doc.bad_lines).toEqual([{ file, line: lines + 1, text: '{"v":1,"type":"run-fini' }]);

    const compact = await r.run(['ledger', 'compact', '--keep', '90d', '--json']);
    expect(compact.code).toBe(0);
    const counts = JSON.parse(compact.stdout) as Record<string, unknown>;
    expect(counts).toMatchObject({ keep_ms: 90 * 86_400_000, runs_dropped: 0, events_dropped: 0, segments_rewritten: 0, old_logs_removed: 0 });
    for (const key of ['logs_removed', 'segments_removed', 'bytes_before', 'bytes_after', 'old_logs_bytes']) expect(typeof counts[key]).toBe('number');
  }, 20_000);
});

describe('tock init', () => {
  it('ships its templates: the package npm would publish holds every file of examples/init/', () => {
    // --ignore-scripts: the list, without the build `prepare` would run first.
    const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    expect(pack.status, pack.stderr).toBe(0);
    const [manifest] = JSON.parse(pack.stdout) as { files: { path: string }[] }[];
    const packed = new Set(manifest?.files.map((f) => f.path));
    const templates = readdirSync(path.join(ROOT, 'examples', 'init'));
    expect(templates.length).toBeGreaterThan(0);
    for (const name of templates) expect(packed, `examples/init/${name} in the package`).toContain(`examples/init/${name}`);
    expect(packed).toContain('schema/tock.schema.json');
  }, 20_000);

  it('writes a starter tock.yaml here that validates and runs, and never overwrites it', async () => {
    const r = rig('');
    const env = { XDG_CONFIG_HOME: path.join(r.dir, 'config'), TOCK_STATE_DIR: r.stateDir };
    const jobfile = path.join(r.dir, 'tock.yaml');
    // Rig wrote an empty jobfile; a fresh directory has none.
    rmSync(jobfile);
    const missing = await r.run(['validate'], { common: false, env: { ...env, TOCK_JOBFILE: path.join(r.dir, 'none.yaml') } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('`tock init -f FILE` writes a starter one');
    if (!existsSync('/etc/tock/tock.yaml')) {
      const none = await r.run(['validate'], { common: false, env });
      expect(none.stderr).toContain('hint: write a starter one here with `tock init`');
    }
    const init = await r.run(['init'], { common: false, env });
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(/^wrote tock\.yaml: 2 jobs \(hello, disk-report\)\nnext: tock validate && tock run hello\n$/);
    expect(readFileSync(jobfile, 'utf8')).toMatch(/^# yaml-language-server: \$schema=.*tock\.schema\.json\n# tock\.yaml: a starter jobfile/);
    expect((await r.run(['validate'], { common: false, env })).stdout).toBe('ok: 2 jobs\n');
    const ran = await r.run(['run', 'hello', '--downstream'], { common: false, env });
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/\[hello\] hello from tock, logical date \d{4}-\d{2}-\d{2}/);

    const before = readFileSync(jobfile, 'utf8');
    writeFileSync(jobfile, `${before}# my edit\n`);
    const again = await r.run(['init'], { common: false, env });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`expected a file path tock can write, got a file that already exists: ${jobfile}`);
    expect(again.stderr).toContain('tock init never overwrites');
    expect(readFileSync(jobfile, 'utf8')).toBe(`${before}# my edit\n`);
  }, 20_000);

  it('--example pipeline writes a self-contained pipeline that `tock run --downstream extract` runs where it is written', async () => {
    const r = rig('');
    mkdirSync(path.join(r.dir, 'elsewhere'));
    const file = path.join(r.dir, 'elsewhere', 'pipe.yaml');
    const init = await r.run(['init', '--example', 'pipeline', '-f', file], { common: false });
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('6 jobs (extract, validate, features, report, train, evaluate)');
    expect(init.stdout).toContain(`next: tock validate -f elsewhere/pipe.yaml && tock run --downstream extract -f elsewhere/pipe.yaml`);
    const ran = await r.run(['run', '--downstream', 'extract', '-f', file], { common: false });
    expect(ran.stderr).toContain('6 succeeded, 0 failed, 0 skipped');
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/\[evaluate\] evaluate: n=50 mae=[\d.]+ score=[\d.]+/);
    const [day] = readdirSync(path.join(r.dir, 'elsewhere', 'data'));
    expect(readdirSync(path.join(r.dir, 'elsewhere', 'data', day ?? '')).sort()).toEqual(['features.csv', 'model.txt', 'raw.csv', 'report.txt']);
  }, 30_000);
});

/** `tock` on PATH in the rig's `bin`, as the README's install leaves it; returns that directory. */
function tockOnPath(dir: string): string {
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'tock'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(path.join(bin, 'tock'), 0o755);
  return bin;
}

const hasFish = spawnSync('fish', ['--version']).status === 0;

describe('tock completion', () => {
  it('bash: the script loads, completes commands, flags, subcommands, choices and the jobfile\'s job names', async () => {
    const r = rig(PIPELINE);
    const bin = tockOnPath(r.dir);
    const script = await r.run(['completion', 'bash'], { common: false });
    expect(script.code).toBe(0);
    writeFileSync(path.join(r.dir, 'tock.bash'), script.stdout);
    const complete = (words: string[]): string => {
      const shell = `source ./tock.bash && complete -p tock && COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}) && COMP_CWORD=${String(words.length - 1)} && { _tock; printf '%s\\n' "\${COMPREPLY[@]}"; }`;
      const result = spawnSync('bash', ['-c', shell], { cwd: r.dir, encoding: 'utf8', env: r.env({ PATH: `${bin}:${process.env.PATH ?? ''}` }) });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      const [loaded, ...reply] = result.stdout.trimEnd().split('\n');
      expect(loaded).toBe('complete -F _tock tock');
      return reply.join(' ');
    };
    expect(complete(['tock', 'run', ''])).toBe('extract report alert old');
    expect(complete(['tock', 'run', '-f', r.jobfile, 'report', 'e'])).toBe('extract');
    expect(complete(['tock', 'st'])).toBe('status');
    expect(complete(['tock', 'ledger', ''])).toBe('check compact');
    expect(complete(['tock', 'graph', '--format', ''])).toBe('text dot mermaid');
    expect(complete(['tock', 'logs', '--f'])).toBe('--follow');
    expect(complete(['tock', 'completion', ''])).toBe('bash zsh fish');
    // No jobfile to be found: nothing, and nothing on stderr.
    writeFileSync(path.join(r.dir, 'tock.yaml'), 'version: 1\njobs: [');
    expect(complete(['tock', 'why', ''])).toBe('');
  }, 30_000);

  it.skipIf(!hasFish)('fish: job names only where a command takes a job (the machine has no fish when skipped)', async () => {
    const r = rig(PIPELINE);
    const bin = tockOnPath(r.dir);
    const script = await r.run(['completion', 'fish'], { common: false });
    expect(script.code).toBe(0);
    writeFileSync(path.join(r.dir, 'tock.fish'), script.stdout);
    const complete = (line: string): string => {
      const result = spawnSync('fish', ['--no-config', '-c', `source ./tock.fish; complete -C '${line}'`], { cwd: r.dir, encoding: 'utf8', env: r.env({ PATH: `${bin}:${process.env.PATH ?? ''}` }) });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      return result.stdout.trimEnd().split('\n').map((l) => l.split('\t')[0]).join(' ');
    };
    const jobs = 'alert extract old report';
    expect(complete('tock logs ')).toBe(jobs);
    // RUN_ID is not a job; why and history take one job.
    expect(complete('tock logs extract ')).toBe('');
    expect(complete('tock why extract ')).toBe('');
    expect(complete('tock history report ')).toBe('');
    // A variadic JOB... takes job names to the end; -f's value is not counted.
    expect(complete(`tock run -f ${r.jobfile} report `)).toBe(jobs);
    expect(complete('tock status extract report ')).toBe(jobs);
    // Commands without a job argument never offer them.
    expect(complete('tock validate ')).toBe('');
    expect(complete('tock ledger check ')).toBe('');
    expect(complete('tock completion ')).toBe('bash fish zsh');
    expect(complete('tock completion fish ')).toBe('');
  }, 30_000);

  it('zsh and fish scripts name every command and complete job names through the hidden command', async () => {
    const r = rig(PIPELINE);
    for (const shell of ['zsh', 'fish']) {
      const script = await r.run(['completion', shell], { common: false });
      expect(script.code).toBe(0);
      for (const command of ['validate', 'run', 'logs', 'graph', 'ledger', 'init', 'completion']) expect(script.stdout).toContain(command);
      expect(script.stdout).toContain('__complete-jobs');
    }
    const jobs = await r.run(['__complete-jobs']);
    expect(jobs.stdout).toBe('extract\nreport\nalert\nold\n');
    const none = await r.run(['__complete-jobs', '-f', path.join(r.dir, 'none.yaml')], { common: false });
    expect(none).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect((await r.run(['--help'], { common: false })).stdout).not.toContain('__complete-jobs');
  }, 20_000);
});

describe('path mistakes, said as expected X, got Y', () => {
  it('-f naming a directory names the jobfile in it', async () => {
    const r = rig(PIPELINE);
    const result = await r.run(['validate', '-f', r.dir], { common: false });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`tock: error: -f/--jobfile: expected the jobfile, a YAML file, got a directory: ${r.dir}\n  hint: name the file: -f ${r.jobfile}\n`);
  });

  it('a missing -f, an -o that is a directory or under a missing one, and a --state-dir that is a file', async () => {
    const r = rig(PIPELINE);
    const missing = await r.run(['status', '-f', path.join(r.dir, 'nope.yaml')], { common: false });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`expected the jobfile, got no such file or directory: ${path.join(r.dir, 'nope.yaml')}`);
    expect(missing.stderr).toContain('tock init');

    const crontab = path.join(r.dir, 'crontab');
    writeFileSync(crontab, '*/5 * * * * true\n');
    const intoDir = await r.run(['import', crontab, '-o', r.dir], { common: false });
    expect(intoDir.code).toBe(2);
    expect(intoDir.stderr).toContain(`tock: error: -o/--output: expected a file path tock can write, got a directory: ${r.dir}`);
    expect(intoDir.stderr).not.toMatch(/\n\s+at /);
    const underMissing = path.join(r.dir, 'no', 'such', 'tock.yaml');
    const noParent = await r.run(['import', crontab, '-o', underMissing], { common: false });
    expect(noParent.code).toBe(2);
    expect(noParent.stderr).toContain(`got no such file or directory: ${underMissing}`);
    expect(noParent.stderr).toContain(`mkdir -p ${path.dirname(underMissing)}`);
    const exportIntoFile = await r.run(['export', 'systemd', '-o', crontab]);
    expect(exportIntoFile.code).toBe(2);
    expect(exportIntoFile.stderr).toContain(`-o/--output: expected a directory, got a file: ${crontab}`);

    for (const command of [['status'], ['run', 'extract']]) {
      const stateFile = await r.run([...command, '-f', r.jobfile, '--state-dir', crontab], { common: false });
      expect(stateFile.code).toBe(2);
      expect(stateFile.stderr).toContain(`--state-dir: expected the state dir, a directory, got a regular file: ${crontab}`);
    }
    expect(existsSync(path.join(r.dir, 'no'))).toBe(false);
  }, 20_000);

  it('--state-dir\'s help shows the default that applies to the caller', async () => {
    const r = rig(PIPELINE);
    const help = await r.run(['status', '--help'], { common: false, env: { XDG_STATE_HOME: '/srv/state' } });
    const expected = process.getuid?.() === 0 ? 'else /var/lib/tock' : 'else $XDG_STATE_HOME/tock: /srv/state/tock';
    expect(help.stdout.replace(/\s+/g, ' ')).toContain(expected);
  });
});
