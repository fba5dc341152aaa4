// The schedule figures of the bench (bench/README.md, "The schedule"): tock's own cron evaluator
// in-process, 100,000 instants of `30 2 * * *` in America/New_York (a DST zone: each spring's 02:30
// is shifted by the gap, each autumn's change is passed) and of `* * * * *` in UTC. Target: under
// 0.5 s each. The first call in the process also reads the zone's offset changes for the 274
// years it walks (once a day per year, then cached); it is shown apart from the warm median.
//
// Called from bench/run.mjs (skip with --no-schedule). Standalone, after `npm run build`, it runs
// only these figures and prints its report (no results.json):
//
//   node bench/schedule.mjs [--runs N] [--json]
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { runStandalone } from './standalone.mjs';
import { r3, round, summary } from './stats.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH);
const COUNT = 100_000;
const TARGET_MS = 500;
const FROM = Date.parse('2026-01-01T00:00:00Z');
const CASES = [
  { id: 'schedule-100k-dst', expression: '30 2 * * *', zone: 'America/New_York' },
  { id: 'schedule-100k-minutely', expression: '* * * * *', zone: 'UTC' },
];

/**
 * The schedule figures. `ctx` is run.mjs's toolkit ({ figures, waitQuiet, progress, CommandFailed })
 * and optionally { runs }. Pushes one figure a case and returns { report, extras }.
 */
export async function scheduleFigures(ctx) {
  const { progress, CommandFailed } = ctx;
  const runs = Math.max(1, ctx.runs ?? 7);
  const href = (p) => pathToFileURL(path.join(ROOT, 'dist', p)).href;
  const { nextInstants } = await import(href('schedule/next.js'));
  const { parseSchedule } = await import(href('schedule/parse.js'));
  const report = ['', 'schedule (in-process, tock\'s own evaluator):'];
  const extras = {};
  for (const c of CASES) {
    const parsed = parseSchedule(c.expression);
    if (!parsed.ok) throw new CommandFailed(`bench: ${c.expression} does not parse`);
    const busy = ctx.waitQuiet();
    progress(`schedule: ${String(COUNT)} instants of "${c.expression}" in ${c.zone} (${String(runs)} runs after the first call)`);
    const samples = [];
    let first;
    let last;
    for (let i = 0; i <= runs; i++) {
      const t0 = process.hrtime.bigint();
      const instants = nextInstants(parsed.schedule, c.zone, FROM, COUNT);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (instants.length !== COUNT) throw new CommandFailed(`schedule: ${String(instants.length)} instants of "${c.expression}", expected ${String(COUNT)}`);
      last = instants.at(-1);
      if (i === 0) first = ms;
      else samples.push(ms);
    }
    const s = summary(samples);
    ctx.figures.push({
      id: c.id,
      name: `schedule: ${String(COUNT)} instants of "${c.expression}" in ${c.zone} (in-process)`,
      command: `nextInstants(parseSchedule(${JSON.stringify(c.expression)}).schedule, ${JSON.stringify(c.zone)}, 2026-01-01, ${String(COUNT)})`,
      unit: 'ms',
      subject: s,
      baseline: null,
      ratio: null,
      target: { kind: 'ms', value: TARGET_MS, text: `< ${String(TARGET_MS)} ms` },
      meets: s.median < TARGET_MS && first < TARGET_MS,
      first_call_ms: r3(first),
      last_instant: new Date(last).toISOString(),
      cpu_busy_pct_before: busy ?? null,
      note: 'the median is of warm calls; the first call of the process also reads the zone\'s offset changes, and meets counts both',
    });
    extras[c.id] = { first_call_ms: r3(first), median_ms: s.median, per_instant_us: round((s.median * 1000) / COUNT, 3) };
    report.push(`  "${c.expression}" in ${c.zone}: ${String(COUNT)} instants to ${new Date(last).toISOString().slice(0, 10)}, median ${s.median.toFixed(1)} ms (min ${s.min.toFixed(1)}, max ${s.max.toFixed(1)}), first call ${first.toFixed(1)} ms; target < ${String(TARGET_MS)} ms`);
  }
  return { report, extras };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runStandalone('schedule', process.argv.slice(2), (context, option) => scheduleFigures({
    ...context, runs: Number(option('--runs', '7')),
  }));
}
