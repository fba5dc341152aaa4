// `tock run` end to end: the built CLI, real processes, real files, real signals.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { RunRecordLike } from '../helpers/rig.js';
import { liveGroupMembers, Rig, running, waitFor } from '../helpers/rig.js';

const rigs: Rig[] = [];
function rig(yaml: string): Rig {
  const r = new Rig(yaml);
  rigs.push(r);
  return r;
}
afterEach(() => {
  for (const r of rigs.splice(0)) r.cleanup();
});

const ms = (iso: string): number => Date.parse(iso);

function only(r: Rig, job: string): RunRecordLike {
  const runs = r.runs(job);
  expect(runs, `runs of ${job}`).toHaveLength(1);
  return runs[0] as RunRecordLike;
}

function hookResults(r: Rig, job: string): { hook: string; kind: string; ok: boolean; detail: string }[] {
  return r.ledger(job).filter((e) => e.type === 'hook-finished').map((e) => e.result as { hook: string; kind: string; ok: boolean; detail: string });
}

describe('tock run: retries', () => {
  it('retries a failing job with backoff until it succeeds', async () => {
    const r = rig(`
      version: 1
      jobs:
        flaky:
          schedule: "@daily"
          command: sh -c 'n=$(cat c 2>/dev/null || echo 0); n=$((n+1)); echo $n > c; [ $n -ge 3 ]'
          retries: 3
          retry_delay: 0.2
          retry_backoff: 2
    `);
    const result = await r.run(['run', 'flaky']);
    expect(result.code, result.stderr).toBe(0);
    const run = only(r, 'flaky');
    expect(run.outcome).toBe('success');
    expect(run.attempts.map((a) => a.outcome)).toEqual(['failed', 'failed', 'success']);
    expect(run.attempts.map((a) => a.n)).toEqual([1, 2, 3]);
    expect(run.attempts.map((a) => a.exit_code)).toEqual([1, 1, 0]);
    const [a1, a2, a3] = run.attempts as [RunRecordLike['attempts'][0], RunRecordLike['attempts'][0], RunRecordLike['attempts'][0]];
    const gap1 = ms(a2.started_at) - ms(a1.ended_at);
    const gap2 = ms(a3.started_at) - ms(a2.ended_at);
    expect(gap1).toBeGreaterThanOrEqual(180);
    expect(gap1).toBeLessThan(1500);
    expect(gap2).toBeGreaterThanOrEqual(380);
    expect(gap2).toBeLessThan(2000);
    expect(readFileSync(path.join(r.dir, 'c'), 'utf8').trim()).toBe('3');
  });

  it('honours retry_on_exit, no_retry_on_exit and max_retry_delay', async () => {
    const r = rig(`
      version: 1
      defaults:
        retry_delay: 0.1
      jobs:
        only75:
          schedule: "@daily"
          command: exit 3
          retries: 3
          retry_on_exit: [75]
        is75:
          schedule: "@daily"
          command: exit 75
          retries: 1
          retry_on_exit: [75]
        not2:
          schedule: "@daily"
          command: exit 2
          retries: 3
          no_retry_on_exit: [2]
        other:
          schedule: "@daily"
          command: exit 4
          retries: 1
          no_retry_on_exit: [2]
        capped:
          schedule: "@daily"
          command: exit 1
          retries: 2
          retry_delay: 0.2
          retry_backoff: 10
          max_retry_delay: 0.3
    `);
    const result = await r.run(['run', 'only75', 'is75', 'not2', 'other', 'capped']);
    expect(result.code, result.stderr).toBe(1);

    const only75 = only(r, 'only75');
    expect(only75.outcome).toBe('failed');
    expect(only75.attempts.map((a) => a.exit_code)).toEqual([3]);
    expect(only(r, 'is75').attempts.map((a) => a.exit_code)).toEqual([75, 75]);

    const not2 = only(r, 'not2');
    expect(not2.outcome).toBe('failed');
    expect(not2.attempts.map((a) => a.exit_code)).toEqual([2]);
    expect(only(r, 'other').attempts.map((a) => a.exit_code)).toEqual([4, 4]);

    const capped = only(r, 'capped');
    expect(capped.attempts).toHaveLength(3);
    const [c1, c2, c3] = capped.attempts as [RunRecordLike['attempts'][0], RunRecordLike['attempts'][0], RunRecordLike['attempts'][0]];
    expect(ms(c2.started_at) - ms(c1.ended_at)).toBeGreaterThanOrEqual(180);
    const gap2 = ms(c3.started_at) - ms(c2.ended_at);
    expect(gap2).toBeGreaterThanOrEqual(280);
    expect(gap2).toBeLessThan(1200); // uncapped it would be 2 s
  });
});

describe('tock run: timeouts, deadlines and signals', () => {
  it('a timeout kills the whole process group, grandchildren included', async () => {
    const r = rig(`
      version: 1
      jobs:
        slow:
          schedule: "@daily"
          command: sh -c 'sleep 30 & echo $! > grandchild.pid; sleep 30'
          timeout: 1s
          kill_grace: 1s
    `);
    const started = Date.now();
    const result = await r.run(['run', 'slow']);
    expect(result.code, result.stderr).toBe(1);
    expect(Date.now() - started).toBeLessThan(8000);
    const run = only(r, 'slow');
    expect(run.outcome).toBe('timeout');
    expect(run.attempts).toHaveLength(1);
    expect(run.attempts[0]?.outcome).toBe('timeout');
    expect(run.attempts[0]?.error).toMatch(/time(d)? ?out/i);
    const grandchild = Number(readFileSync(path.join(r.dir, 'grandchild.pid'), 'utf8').trim());
    expect(grandchild).toBeGreaterThan(1);
    await waitFor(() => (running(grandchild) ? undefined : true), 3000, `grandchild ${String(grandchild)} to be gone`);
  });

  // The same TERM-ignoring job as an argv (the trapping shell is the group leader) and as a
  // shell string (tock's `/bin/sh -c` is the leader; dash does not exec the last command, so
  // the leader itself dies of TERM while the job's own processes need the KILL).
  it.each([
    ['argv', `["sh", "-c", "trap '' TERM; sleep 30"]`],
    ['shell string', `sh -c 'trap "" TERM; sleep 30'`],
  ])('a job that ignores SIGTERM (%s) gets SIGKILL after kill_grace', async (_form, command) => {
    const r = rig(`
      version: 1
      jobs:
        stubborn:
          schedule: "@daily"
          command: ${command}
          timeout: 1s
          kill_grace: 1s
    `);
    const started = Date.now();
    const result = await r.run(['run', 'stubborn']);
    const wall = Date.now() - started;
    expect(result.code, result.stderr).toBe(1);
    const run = only(r, 'stubborn') as RunRecordLike & { duration_ms: number };
    expect(run.outcome).toBe('timeout');
    expect(run.attempts[0]?.outcome).toBe('timeout');
    expect(run.duration_ms).toBeGreaterThanOrEqual(1900);
    expect(run.duration_ms).toBeLessThan(6000);
    expect(wall).toBeGreaterThanOrEqual(1900);
    expect(wall).toBeLessThan(8000);
    expect(run.attempts[0]?.signal).toBe('SIGKILL');
    expect(run.signal).toBe('SIGKILL');
  });

  it('a deadline ends a run whose retries would take longer', async () => {
    const r = rig(`
      version: 1
      jobs:
        doomed:
          schedule: "@daily"
          command: exit 1
          retries: 10
          retry_delay: 0.8
          retry_backoff: 1
          deadline: 2s
    `);
    const started = Date.now();
    const result = await r.run(['run', 'doomed']);
    expect(result.code, result.stderr).toBe(1);
    expect(Date.now() - started).toBeLessThan(6000);
    const run = only(r, 'doomed');
    expect(run.outcome).toBe('deadline');
    expect(run.attempts.length).toBeGreaterThanOrEqual(2);
    expect(run.attempts.length).toBeLessThan(5);
  });

  it('SIGINT stops a running `tock run`: exit 1, run killed, process group gone', async () => {
    const r = rig(`
      version: 1
      jobs:
        sleeper:
          schedule: "@daily"
          command: sleep 30
          kill_grace: 1s
    `);
    const { child, done } = r.start(['run', 'sleeper']);
    const pgid = await waitFor(() => {
      const event = r.ledger('sleeper').find((e) => e.type === 'attempt-started');
      return typeof event?.pid === 'number' ? event.pid : undefined;
    }, 10_000, 'the attempt to start');
    expect(liveGroupMembers(pgid).length).toBeGreaterThan(0);
    const sent = Date.now();
    child.kill('SIGINT');
    const result = await done;
    expect(Date.now() - sent).toBeLessThan(5000);
    expect(result.code, result.stderr).toBe(1);
    const run = only(r, 'sleeper');
    expect(run.outcome).toBe('killed');
    await waitFor(() => (liveGroupMembers(pgid).length === 0 ? true : undefined), 3000, `process group ${String(pgid)} to be gone`);
  });
});

describe('tock run: wait_for', () => {
  it('waits for a templated path that appears, and fails with wait-for-timeout for one that never does', async () => {
    const r = rig(`
      version: 1
      jobs:
        waiter:
          schedule: "@daily"
          command: echo got it
          wait_for: { path: "ready-{{ ds }}.txt", timeout: 5s, poll: 0.2 }
        never:
          schedule: "@daily"
          command: echo never
          wait_for: { path: "never-{{ ds }}.txt", timeout: 1s, poll: 0.2 }
    `);
    const started = Date.now();
    const timer = setTimeout(() => { writeFileSync(path.join(r.dir, 'ready-2026-03-04.txt'), 'ok\n'); }, 1000);
    const result = await r.run(['run', 'waiter', '--at', '2026-03-04T12:00:00Z']);
    clearTimeout(timer);
    expect(result.code, result.stderr).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const waiter = only(r, 'waiter');
    expect(waiter.outcome).toBe('success');
    expect(waiter.attempts).toHaveLength(1);

    const missing = await r.run(['run', 'never', '--at', '2026-03-04T12:00:00Z']);
    expect(missing.code, missing.stderr).toBe(1);
    const never = only(r, 'never');
    expect(never.outcome).toBe('failed');
    expect(never.reason).toBe('wait-for-timeout');
    expect(never.attempts).toHaveLength(0);
  });
});

describe('tock run: templates, environment and secrets', () => {
  it('renders templates and TOCK_* in the job zone, resolves env, and keeps secrets out of the ledger', async () => {
    const r = rig(`
      version: 1
      jobs:
        tpl:
          schedule: "@daily"
          timezone: Asia/Tokyo
          command: 'echo "T {{ ds }} {{ ds_nodash }} {{ ts }} {{ job }} {{ run_id }} {{ attempt }}"; echo "E $TOCK_JOB $TOCK_RUN_ID $TOCK_ATTEMPT $TOCK_LOGICAL_TIME $TOCK_DS $TOCK_TRIGGER $TOCK_JOBFILE"; echo "V $A $S $H"'
          env:
            A: "x-{{ ds }}"
            S: { from_file: secret.txt }
            H: { from_env: TOCK_TEST_VAR }
    `);
    const secret = 'sup3r-s3cret-9f1c';
    writeFileSync(path.join(r.dir, 'secret.txt'), `${secret}\n`, { mode: 0o600 });
    const result = await r.run(['run', 'tpl', '--at', '2026-03-04T05:06:07Z'], { env: { TOCK_TEST_VAR: 'from-the-env' } });
    expect(result.code, result.stderr).toBe(0);
    const run = only(r, 'tpl');
    expect(run.outcome).toBe('success');
    expect(run.trigger).toBe('manual');
    expect(ms(run.logical_time)).toBe(Date.parse('2026-03-04T05:06:07Z'));
    const id = run.run_id;

    const check = (text: string): void => {
      const lines = text.split('\n');
      const t = lines.find((l) => l.startsWith('T '));
      const e = lines.find((l) => l.startsWith('E '));
      const v = lines.find((l) => l.startsWith('V '));
      expect(t).toBe(`T 2026-03-04 20260304 2026-03-04T14:06:07+09:00 tpl ${id} 1`);
      const [, job, runId, attempt, logical, ds, trigger, jobfile, ...rest] = (e ?? '').split(' ');
      expect({ job, runId, attempt, ds, trigger, jobfile, rest }).toEqual({
        job: 'tpl', runId: id, attempt: '1', ds: '2026-03-04', trigger: 'manual', jobfile: r.jobfile, rest: [],
      });
      expect(Date.parse(logical ?? '')).toBe(Date.parse('2026-03-04T05:06:07Z'));
      expect(v).toBe(`V x-2026-03-04 ${secret} from-the-env`);
    };
    check(result.stdout);
    const log = readFileSync(run.log, 'utf8');
    check(log);
    expect(path.dirname(run.log)).toBe(path.join(r.stateDir, 'logs', 'tpl'));
    expect(path.basename(run.log)).toBe(`${id}.log`);

    const logs = await r.run(['logs', 'tpl']);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toBe(log);

    const ledgerText = r.ledgerText('tpl');
    expect(ledgerText).not.toContain(secret);
    expect(ledgerText).not.toContain('from-the-env');
  });
});

describe('tock run: secrets are verbatim', () => {
  it('a from_file or from_env value is passed as is, never rendered as a template', async () => {
    const r = rig(`
      version: 1
      jobs:
        raw:
          schedule: "@daily"
          command: 'printf "%s|%s\\n" "$S" "$H"'
          env:
            S: { from_file: secret.txt }
            H: { from_env: TOCK_TEST_VAR }
    `);
    writeFileSync(path.join(r.dir, 'secret.txt'), 'pw{{ job }}x\n', { mode: 0o600 });
    const result = await r.run(['run', 'raw'], { env: { TOCK_TEST_VAR: 'a{{ ds }}b' } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('pw{{ job }}x|a{{ ds }}b\n');
  });
});

describe('tock run: pipelines', () => {
  it('--downstream runs the graph, skips what a failure blocks, and runs when: failure / always', async () => {
    const r = rig(`
      version: 1
      jobs:
        extract:
          schedule: "@daily"
          command: echo extract-out
        a:
          needs: [extract]
          command: echo a-out
        b:
          needs: [extract]
          command: echo b-out; test -f b-ok
        join:
          needs: [a, b]
          command: echo join-out
        alert:
          needs: [b]
          when: failure
          command: echo alert-out
        cleanup:
          needs: [a, b]
          when: always
          command: echo cleanup-out
    `);
    const at = '2026-03-04T00:00:00Z';
    const result = await r.run(['run', 'extract', '--downstream', '--at', at]);
    expect(result.code, result.stderr).toBe(1);
    expect(only(r, 'extract').outcome).toBe('success');
    expect(only(r, 'a').outcome).toBe('success');
    expect(only(r, 'b').outcome).toBe('failed');
    const join = only(r, 'join');
    expect(join.outcome).toBe('skipped');
    expect(join.reason).toBe('upstream-failed');
    expect(join.attempts).toHaveLength(0);
    expect(only(r, 'alert').outcome).toBe('success');
    expect(only(r, 'cleanup').outcome).toBe('success');
    const lines = result.stdout.split('\n');
    for (const job of ['extract', 'a', 'b', 'alert', 'cleanup']) expect(lines).toContain(`[${job}] ${job}-out`);
    expect(result.stdout).not.toContain('join-out');

    // --upstream on join: b has no success for this logical time, extract and a do.
    writeFileSync(path.join(r.dir, 'b-ok'), '');
    const again = await r.run(['run', 'join', '--upstream', '--at', at]);
    expect(again.code, again.stderr).toBe(0);
    expect(r.runs('extract')).toHaveLength(1);
    expect(r.runs('a')).toHaveLength(1);
    expect(r.runs('b').map((x) => x.outcome)).toEqual(['failed', 'success']);
    expect(r.runs('join').map((x) => x.outcome)).toEqual(['skipped', 'success']);
    expect(r.runs('alert')).toHaveLength(1);
    expect(r.runs('cleanup')).toHaveLength(1);
    for (const job of ['b', 'join']) expect(r.runs(job).at(-1)?.logical_time).toBe(new Date(at).toISOString());
  });
});

describe('tock run: prefixed output', () => {
  it('a last line without a newline is still printed, prefixed, when several jobs run', async () => {
    const r = rig(`
      version: 1
      jobs:
        p:
          schedule: "@daily"
          command: printf 'p-first\\np-tail'
        q:
          needs: [p]
          command: printf 'q-only'
    `);
    const result = await r.run(['run', 'p', '--downstream']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n').filter((l) => l !== '');
    expect(lines).toEqual(['[p] p-first', '[p] p-tail', '[q] q-only']);
  });
});

describe('tock run: command not found', () => {
  it('an argv command that does not exist fails with 127', async () => {
    const r = rig(`
      version: 1
      jobs:
        missing:
          schedule: "@daily"
          command: ["definitely-not-a-command-xyz"]
        missing-sh:
          schedule: "@daily"
          command: definitely-not-a-command-xyz
    `);
    for (const job of ['missing', 'missing-sh']) {
      const result = await r.run(['run', job]);
      expect(result.code, result.stderr).toBe(1);
      const run = only(r, job);
      expect(run.outcome).toBe('failed');
      expect(run.attempts).toHaveLength(1);
      expect(run.attempts[0]?.exit_code).toBe(127);
      expect(run.exit_code).toBe(127);
      expect(run.attempts[0]?.error).toMatch(/command not found/);
      expect(result.stderr).toMatch(/command not found/);
    }
  });
});

describe('tock run: hooks', () => {
  it('on_failure gets TOCK_OUTCOME, TOCK_EXIT_CODE, TOCK_LOG and the run record on stdin', async () => {
    const r = rig(`
      version: 1
      jobs:
        fails:
          schedule: "@daily"
          command: echo boom; exit 3
          on_failure:
            command: 'printf "%s|%s|%s\\n" "$TOCK_OUTCOME" "$TOCK_EXIT_CODE" "$TOCK_LOG" > hook.env; cat > hook.json'
          on_success: { command: 'touch wrong-hook' }
    `);
    const result = await r.run(['run', 'fails']);
    expect(result.code, result.stderr).toBe(1);
    const run = only(r, 'fails');
    expect(run.outcome).toBe('failed');
    const [outcome, code, log] = readFileSync(path.join(r.dir, 'hook.env'), 'utf8').trim().split('|');
    expect(outcome).toBe('failed');
    expect(code).toBe('3');
    expect(log).toBe(run.log);
    const record = JSON.parse(readFileSync(path.join(r.dir, 'hook.json'), 'utf8')) as RunRecordLike;
    expect(record.job).toBe('fails');
    expect(record.run_id).toBe(run.run_id);
    expect(record.outcome).toBe('failed');
    expect(record.exit_code).toBe(3);
    expect(record.attempts).toHaveLength(1);
    expect(record.attempts[0]?.exit_code).toBe(3);
    expect(existsSync(path.join(r.dir, 'wrong-hook'))).toBe(false);
    expect(hookResults(r, 'fails')).toEqual([expect.objectContaining({ hook: 'on_failure', kind: 'command', ok: true })]);
  });

  it('on_success runs after a success; a failing hook is recorded and changes nothing else', async () => {
    const r = rig(`
      version: 1
      jobs:
        fine:
          schedule: "@daily"
          command: echo fine
          on_success: { command: 'echo "$TOCK_OUTCOME $TOCK_JOB" > success.txt' }
          on_failure: { command: 'touch wrong-hook' }
        badhook:
          schedule: "@daily"
          command: echo fine
          on_success: { command: 'exit 9' }
    `);
    const fine = await r.run(['run', 'fine']);
    expect(fine.code, fine.stderr).toBe(0);
    expect(readFileSync(path.join(r.dir, 'success.txt'), 'utf8').trim()).toBe('success fine');
    expect(existsSync(path.join(r.dir, 'wrong-hook'))).toBe(false);

    const bad = await r.run(['run', 'badhook']);
    expect(bad.code, bad.stderr).toBe(0);
    expect(only(r, 'badhook').outcome).toBe('success');
    const hooks = hookResults(r, 'badhook');
    expect(hooks).toHaveLength(1);
    expect(hooks[0]).toMatchObject({ hook: 'on_success', kind: 'command', ok: false });
    expect(hooks[0]?.detail).toContain('9');
  });

  it('on_retry runs between attempts', async () => {
    const r = rig(`
      version: 1
      jobs:
        retrier:
          schedule: "@daily"
          command: n=$(cat c 2>/dev/null || echo 0); n=$((n+1)); echo $n > c; [ $n -ge 3 ]
          retries: 3
          retry_delay: 0.1
          on_retry: { command: 'echo "after $(cat c) $TOCK_OUTCOME" >> retry.txt' }
    `);
    const result = await r.run(['run', 'retrier']);
    expect(result.code, result.stderr).toBe(0);
    expect(only(r, 'retrier').attempts.map((a) => a.outcome)).toEqual(['failed', 'failed', 'success']);
    expect(readFileSync(path.join(r.dir, 'retry.txt'), 'utf8').trim().split('\n')).toEqual(['after 1 failed', 'after 2 failed']);
    const hooks = hookResults(r, 'retrier');
    expect(hooks.map((h) => [h.hook, h.ok])).toEqual([['on_retry', true], ['on_retry', true]]);
  });

  it('a webhook gets the run record as a JSON POST; a dead webhook is recorded and changes nothing', async () => {
    const received: { method: string; url: string; type: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', type: req.headers['content-type'] ?? '', body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    // A port that was just free and is closed again.
    const closedServer = createServer();
    await new Promise<void>((resolve) => closedServer.listen(0, '127.0.0.1', resolve));
    const closedPort = (closedServer.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closedServer.close(() => { resolve(); }));
    try {
      const r = rig(`
        version: 1
        jobs:
          hooked:
            schedule: "@daily"
            command: exit 4
            on_failure: { webhook: "http://127.0.0.1:${String(port)}/hook" }
          deadhook:
            schedule: "@daily"
            command: exit 4
            on_failure: { webhook: "http://127.0.0.1:${String(closedPort)}/hook" }
      `);
      const result = await r.run(['run', 'hooked']);
      expect(result.code, result.stderr).toBe(1);
      const run = only(r, 'hooked');
      expect(received).toHaveLength(1);
      const [post] = received as [(typeof received)[0]];
      expect(post.method).toBe('POST');
      expect(post.url).toBe('/hook');
      expect(post.type).toMatch(/^application\/json/);
      const body = JSON.parse(post.body) as RunRecordLike;
      expect(body).toMatchObject({ job: 'hooked', run_id: run.run_id, outcome: 'failed', exit_code: 4 });
      expect(body.attempts).toHaveLength(1);
      expect(hookResults(r, 'hooked')).toEqual([expect.objectContaining({ hook: 'on_failure', kind: 'webhook', ok: true })]);

      const dead = await r.run(['run', 'deadhook']);
      expect(dead.code, dead.stderr).toBe(1);
      expect(only(r, 'deadhook').outcome).toBe('failed');
      expect(hookResults(r, 'deadhook')).toEqual([expect.objectContaining({ hook: 'on_failure', kind: 'webhook', ok: false })]);
      expect(received).toHaveLength(1);
    } finally {
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    }
  });
});

describe('tock run --json, history and logs', () => {
  it('--json prints one { runs } document; job output goes only to the log', async () => {
    const r = rig(`
      version: 1
      jobs:
        quiet:
          schedule: "@daily"
          command: echo MARKER-OUT; echo MARKER-ERR >&2
    `);
    const result = await r.run(['run', 'quiet', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('MARKER');
    expect(result.stderr).not.toContain('MARKER');
    const doc = JSON.parse(result.stdout) as { runs: Record<string, unknown>[] };
    expect(Object.keys(doc)).toEqual(['runs']);
    expect(doc.runs).toHaveLength(1);
    const run = doc.runs[0] as Record<string, unknown>;
    const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;
    const types = (o: Record<string, unknown>): Record<string, string> =>
      Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v]));
    expect(types(run)).toMatchObject({
      run_id: 'string', job: 'string', logical_time: 'string', trigger: 'string', outcome: 'string', started_at: 'string', ended_at: 'string',
      duration_ms: 'number', exit_code: 'number', signal: 'null', attempts: 'array', log: 'string', host: 'string', pid: 'number',
    });
    expect(run).toMatchObject({ job: 'quiet', trigger: 'manual', outcome: 'success', exit_code: 0, signal: null });
    for (const key of ['logical_time', 'started_at', 'ended_at']) expect(run[key]).toMatch(iso);
    const attempts = run.attempts as Record<string, unknown>[];
    expect(attempts).toHaveLength(1);
    const attempt = attempts[0] as Record<string, unknown>;
    expect(types(attempt)).toEqual({ n: 'number', started_at: 'string', ended_at: 'string', exit_code: 'number', signal: 'null', outcome: 'string' });
    expect(attempt).toMatchObject({ n: 1, exit_code: 0, signal: null, outcome: 'success' });
    for (const key of ['started_at', 'ended_at']) expect(attempt[key]).toMatch(iso);
    expect(run).toEqual(only(r, 'quiet'));
    const log = readFileSync(run.log as string, 'utf8');
    expect(log).toContain('MARKER-OUT');
    expect(log).toContain('MARKER-ERR');
    // SPEC 1: the state dir is 0700, log and ledger files 0600.
    expect(statSync(r.stateDir).mode & 0o777).toBe(0o700);
    expect(statSync(run.log as string).mode & 0o777).toBe(0o600);
    const segments = readdirSync(path.join(r.stateDir, 'ledger', 'quiet'));
    expect(segments.length).toBeGreaterThan(0);
    for (const segment of segments) expect(statSync(path.join(r.stateDir, 'ledger', 'quiet', segment)).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(r.stateDir, 'ledger', 'quiet')).mode & 0o777).toBe(0o700);
  });

  it('history is newest first and filters; logs prints the latest or a given run', async () => {
    const r = rig(`
      version: 1
      jobs:
        h:
          schedule: "@daily"
          command: echo "out {{ run_id }}"; test ! -f fail-flag
    `);
    const ids: string[] = [];
    for (const fail of [false, true, false]) {
      if (fail) writeFileSync(path.join(r.dir, 'fail-flag'), '');
      const result = await r.run(['run', 'h']);
      expect(result.code, result.stderr).toBe(fail ? 1 : 0);
      if (fail) execFileSync('rm', [path.join(r.dir, 'fail-flag')]);
      ids.push(r.runs('h').at(-1)?.run_id ?? '');
    }
    expect(new Set(ids).size).toBe(3);

    const all = await r.run(['history', 'h', '--json']);
    expect(all.code, all.stderr).toBe(0);
    const doc = JSON.parse(all.stdout) as { runs: RunRecordLike[] };
    expect(Object.keys(doc)).toEqual(['runs']);
    expect(doc.runs.map((x) => x.run_id)).toEqual([...ids].reverse());
    expect(doc.runs.map((x) => x.outcome)).toEqual(['success', 'failed', 'success']);
    expect(doc.runs[0]?.attempts[0]).toMatchObject({ n: 1, exit_code: 0, outcome: 'success' });

    const limited = JSON.parse((await r.run(['history', 'h', '--json', '--limit', '1'])).stdout) as { runs: RunRecordLike[] };
    expect(limited.runs.map((x) => x.run_id)).toEqual([ids[2]]);
    const failed = JSON.parse((await r.run(['history', '--json', '--outcome', 'failed'])).stdout) as { runs: RunRecordLike[] };
    expect(failed.runs.map((x) => x.run_id)).toEqual([ids[1]]);

    const text = await r.run(['history', 'h']);
    expect(text.code, text.stderr).toBe(0);
    const positions = ids.map((id) => text.stdout.indexOf(id));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions[2]).toBeLessThan(positions[1] ?? -1);
    expect(positions[1]).toBeLessThan(positions[0] ?? -1);

    const latest = await r.run(['logs', 'h']);
    expect(latest.code, latest.stderr).toBe(0);
    expect(latest.stdout).toBe(`out ${ids[2] ?? ''}\n`);
    const first = await r.run(['logs', 'h', ids[0] ?? '']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe(`out ${ids[0] ?? ''}\n`);
  });
});

describe('tock run as root', () => {
  const root = process.getuid?.() === 0;

  it.skipIf(!root)('runs a job as `user:` and refuses a jobfile writable by others', async () => {
    const nobodyUid = execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim();
    const r = rig(`
      version: 1
      jobs:
        who:
          schedule: "@daily"
          user: nobody
          command: id -u
    `);
    chmodSync(r.dir, 0o755); // the job's working dir must be reachable for nobody
    const result = await r.run(['run', 'who']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(nobodyUid);
    expect(only(r, 'who').outcome).toBe('success');

    chmodSync(r.jobfile, 0o666);
    const refused = await r.run(['run', 'who']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/writable by group or others/);
    expect(refused.stderr).not.toMatch(/^\s+at /m);
    expect(r.runs('who')).toHaveLength(1);

    chmodSync(r.jobfile, 0o644);
    chownSync(r.jobfile, Number(nobodyUid), 0);
    const foreign = await r.run(['run', 'who']);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toMatch(/owned by/);
    expect(r.runs('who')).toHaveLength(1);
  });
});
