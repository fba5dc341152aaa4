import { readFileSync } from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { Rig, waitFor } from '../helpers/rig.js';

const rigs: Rig[] = [];
const daemons: { child: { kill: (s: NodeJS.Signals) => boolean } }[] = [];
afterEach(() => {
  for (const d of daemons.splice(0)) d.child.kill('SIGKILL');
  for (const r of rigs.splice(0)) r.cleanup();
});

function rig(yaml: string): Rig {
  const r = new Rig(yaml);
  rigs.push(r);
  return r;
}

/** Logical times the job's command appended to `file`, in order. */
function ticks(r: Rig, file: string): string[] {
  try {
    return readFileSync(path.join(r.dir, file), 'utf8').split('\n').filter((l) => l !== '');
  } catch {
    return [];
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const PIPELINE = `
  version: 1
  jobs:
    tick: { schedule: "* * * * * *", command: 'echo "$TOCK_LOGICAL_TIME" >> ticks' }
    after: { needs: [tick], command: 'echo "$TOCK_LOGICAL_TIME" >> afters' }
    slow: { schedule: "@daily", command: 'true' }
`;

describe('tock pause / resume with a daemon running', () => {
  it('stops runs within a second without SIGHUP, records the instants skipped (paused), and resumes without catching them up', async () => {
    const r = rig(PIPELINE);
    const d = r.start(['daemon']);
    daemons.push(d);
    await waitFor(() => (ticks(r, 'ticks').length >= 2 ? true : undefined), 10_000, 'two ticks before the pause');

    const paused = await r.run(['pause', 'tick']);
    expect(paused.code).toBe(0);
    expect(paused.stdout).toContain('paused tick (the daemon skips its instants until tock resume tick');
    const ranBefore = ticks(r, 'ticks');
    // Then ~1.5 s paused: its instants are recorded skipped (paused), none starts.
    const first = await waitFor(() => r.runs('tick').find((x) => x.reason === 'paused'), 10_000, 'a paused skip');
    await sleep(1_500);
    const skips = await waitFor(() => { const s = r.runs('tick').filter((x) => x.reason === 'paused'); return s.length >= 2 ? s : undefined; }, 10_000, 'paused skips');
    expect(skips.every((x) => x.outcome === 'skipped' && x.attempts.length === 0 && x.trigger === 'schedule')).toBe(true);
    // Only instants after the last one that ran are skipped, and nothing ran from the first skip on
    // (a run dispatched a moment before the pause may still have started: it is not killed).
    expect(skips.every((x) => ranBefore.every((t) => Date.parse(x.logical_time) > Date.parse(t)))).toBe(true);
    const whilePaused = ticks(r, 'ticks');
    expect(whilePaused.filter((t) => Date.parse(t) >= Date.parse(first.logical_time))).toEqual([]);
    // The pipeline it starts is paused with it, not failed: `after` is skipped (paused) too.
    expect(r.runs('after').filter((x) => x.reason === 'paused').map((x) => x.logical_time)).toContain(first.logical_time);
    expect(r.runs('after').some((x) => x.reason === 'upstream-failed')).toBe(false);
    const history = await r.run(['history', 'tick', '--limit', '1']);
    expect(history.stdout).toContain('paused');

    const resumed = await r.run(['resume', 'tick']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('resumed tick');
    await waitFor(() => (ticks(r, 'ticks').length >= whilePaused.length + 2 ? true : undefined), 10_000, 'runs after the resume');
    // What ran after the resume is newer than every skipped instant: none of them was caught up.
    const lastSkip = Math.max(...r.runs('tick').filter((x) => x.reason === 'paused').map((x) => Date.parse(x.logical_time)));
    const ranAfter = ticks(r, 'ticks').slice(whilePaused.length);
    expect(ranAfter.length).toBeGreaterThanOrEqual(2);
    expect(ranAfter.every((t) => Date.parse(t) > lastSkip)).toBe(true);
    expect(r.runs('tick').some((x) => x.trigger === 'catchup')).toBe(false);
    // No SIGHUP was sent: the daemon never reloaded.
    expect(d.output().stderr).not.toContain('reloaded');
  }, 30_000);

  it('pause --all and resume --all, an unknown name with a did-you-mean, a run in flight goes on', async () => {
    const r = rig(`
      version: 1
      jobs:
        long: { schedule: "* * * * * *", concurrency: allow, command: 'echo "start $TOCK_LOGICAL_TIME" >> longs; sleep 1.5; echo end >> longs' }
        other: { schedule: "@daily", command: 'true' }
    `);
    const d = r.start(['daemon']);
    daemons.push(d);
    const starts = (): number[] => ticks(r, 'longs').filter((l) => l.startsWith('start ')).map((l) => Date.parse(l.slice(6)));
    await waitFor(() => (starts().length > 0 ? true : undefined), 10_000, 'a long run in flight');
    const all = await r.run(['pause', '--all']);
    expect(all.code).toBe(0);
    expect(all.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^paused long /), expect.stringMatching(/^paused other /),
    ]);
    // The run that was in flight finishes (suspend does not kill), nothing new starts.
    await waitFor(() => (r.runs('long').some((x) => x.outcome === 'success') ? true : undefined), 10_000, 'the run in flight to end');
    expect(r.runs('long').some((x) => x.outcome === 'killed')).toBe(false);
    const first = await waitFor(() => r.runs('long').find((x) => x.reason === 'paused'), 10_000, 'a paused skip');
    await sleep(1_500);
    // Runs dispatched before the pause (some maybe waiting for a max_parallel slot) may start; none after.
    expect(starts().filter((t) => t >= Date.parse(first.logical_time))).toEqual([]);
    const startsPaused = starts().length;

    const again = await r.run(['pause', 'long']);
    expect(again.stdout).toMatch(/^long was already paused \(since \S+ by \S+\)/);
    const typo = await r.run(['pause', 'lonq']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('got "lonq"');
    expect(typo.stderr).toContain('did you mean "long"?');
    const both = await r.run(['resume', '--all', 'long']);
    expect(both.code).toBe(2);

    const resumeAll = await r.run(['resume', '--all']);
    expect(resumeAll.code).toBe(0);
    expect(resumeAll.stdout).toMatch(/^resumed long .*\nresumed other /);
    await waitFor(() => (starts().length > startsPaused ? true : undefined), 10_000, 'runs again after resume --all');
    const none = await r.run(['resume', '--all']);
    expect(none.stdout.trim()).toBe('no job was paused');
  }, 30_000);
});

describe('backfill and run of a paused job', () => {
  it('backfill refuses it (exit 2, naming the job and the fix) unless --force; tock run still runs it', async () => {
    const r = rig(PIPELINE);
    expect((await r.run(['pause', 'tick'])).code).toBe(0);
    const window = ['--from', '2026-11-30T00:00:00Z', '--to', '2026-11-30T00:00:02Z'];
    const refused = await r.run(['backfill', 'tick', ...window]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('"tick"');
    expect(refused.stderr).toContain('tock resume tick');
    expect(refused.stderr).toContain('--force');
    expect(r.runs('tick')).toEqual([]);
    // --downstream reaches a paused dependent: refused too.
    expect((await r.run(['resume', 'tick'])).code).toBe(0);
    expect((await r.run(['pause', 'after'])).code).toBe(0);
    const downstream = await r.run(['backfill', 'tick', '--downstream', ...window]);
    expect(downstream.code).toBe(2);
    expect(downstream.stderr).toContain('"after"');

    const forced = await r.run(['backfill', 'after', '--force', ...window]);
    expect(forced.code).toBe(0);
    expect(r.runs('after').filter((x) => x.outcome === 'success' && x.trigger === 'backfill')).toHaveLength(3);

    // An explicit request: `tock run` of a paused job runs it, and says the daemon still skips it.
    const manual = await r.run(['run', 'after']);
    expect(manual.code).toBe(0);
    expect(manual.stderr).toContain('after is paused');
    expect(r.runs('after').filter((x) => x.trigger === 'manual' && x.outcome === 'success')).toHaveLength(1);
  }, 30_000);
});
