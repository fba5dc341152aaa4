// The cost of one daemon wake (issue 13: "O(log n): a heap of next fires, not a scan of every
// job"), in-process, from dist/ (build first). For each size, n jobs with distinct daily instants
// (`S M H * * *`, so a wake fires one or two of them) are put in the daemon's FireQueue, then the
// wakes are replayed in order as the Scheduler does them: pop what starts by the next instant,
// and for each job popped take its due instants (dueInstants) and put its next fire back
// (nextFire, once per job per instant). Timed per wake with hrtime, after a warm-up.
//
//   node bench/wake.mjs [--jobs 100000] [--wakes 20000]
//
// Prints one JSON line on stdout:
//   { "figure": "daemon-wake", "unit": "us",
//     "sizes": [ { "jobs": 1000, "wakes": N, "fires_per_wake": x,
//                  "wake_us": { "mean", "p50", "p99", "max" },     <- the whole wake
//                  "queue_us": { "mean", "p50", "p99", "max" },    <- the heap's pop + push only
//                  "scan_us": { "mean" },                           <- for scale: one pass over every job (what each wake cost before the heap)
//                  "build_ms": x }, ... for 1000, 10000 and --jobs ],
//     "growth_p50": x }  // wake_us.p50 at the largest size / at 1,000: O(log n) keeps it near
//                        // log(100k)/log(1k) = 1.7 (cache misses add some); a scan would be 100
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = (p) => import(pathToFileURL(path.join(ROOT, 'dist', p)).href);
const { FireQueue } = await dist('daemon/fire-queue.js');
const { dueInstants, nextFire } = await dist('daemon/due.js');
const { validateText } = await dist('jobfile/load.js');
const { parseSchedule } = await dist('schedule/parse.js');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const largest = arg('--jobs', 100_000);
const wakes = arg('--wakes', 20_000);
const WARM = 500;

// One real job, validated as tock would; the others are it with their own name and schedule.
const loaded = validateText('version: 1\njobs:\n  template: { schedule: "0 0 * * *", command: ["true"] }\n', path.join(ROOT, 'tock.yaml'));
if (!loaded.ok) throw new Error('bench/wake.mjs: the template jobfile does not validate');
const template = loaded.jobfile.jobs.get('template');

function jobsOf(n) {
  const jobs = [];
  for (let i = 0; i < n; i++) {
    // Spread over the day's 86,400 seconds, walking by a step prime to it so neighbours differ.
    const second = (i * 7919) % 86_400;
    const parsed = parseSchedule(`${String(second % 60)} ${String(Math.floor(second / 60) % 60)} ${String(Math.floor(second / 3600))} * * *`);
    if (!parsed.ok) throw new Error(`bench/wake.mjs: schedule ${String(i)} does not parse`);
    jobs.push({ ...template, name: `job-${String(i).padStart(6, '0')}`, schedule: parsed.schedule });
  }
  return jobs;
}

const stats = (xs) => {
  const s = Float64Array.from(xs).sort();
  const at = (p) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1)))];
  const r = (x) => Math.round(x * 100) / 100;
  return { mean: r(s.reduce((a, b) => a + b, 0) / s.length), p50: r(at(0.5)), p99: r(at(0.99)), max: r(s[s.length - 1]) };
};
const now = () => Number(process.hrtime.bigint()) / 1e3;

function measure(n) {
  const jobs = jobsOf(n);
  const start = Date.parse('2026-11-21T00:00:00Z');
  const marks = new Map(jobs.map((j) => [j.name, start]));
  const t0 = now();
  const queue = new FireQueue(jobs.map((job, order) => ({ job: job.name, order, ...nextFire(job, start) })));
  const buildMs = (now() - t0) / 1000;
  const byName = new Map(jobs.map((j) => [j.name, j]));
  const wakeUs = [];
  const queueUs = [];
  let fired = 0;
  for (let w = 0; w < wakes + WARM; w++) {
    const at = queue.peek().fireAt;
    const t1 = now();
    // The Scheduler's wake: pop what starts by then, take each job's instant, push its next fire.
    const due = queue.popUntil(at);
    for (const fire of due) {
      const job = byName.get(fire.job);
      const plan = dueInstants(job, marks.get(job.name), at);
      marks.set(job.name, plan.watermark);
      const next = nextFire(job, plan.watermark);
      queue.push({ job: job.name, order: fire.order, ...next });
    }
    const t2 = now();
    // The heap alone, on the same entries: popped and pushed back unchanged.
    const again = [];
    for (let k = 0; k < due.length; k++) again.push(queue.pop());
    for (const fire of again) queue.push(fire);
    const t3 = now();
    if (w >= WARM) {
      wakeUs.push(t2 - t1);
      queueUs.push(t3 - t2);
      fired += due.length;
    }
  }
  // For scale: what a wake cost before the heap, one pass over every job's cached next fire.
  const cached = new Map(jobs.map((j) => [j.name, { fireAt: marks.get(j.name) }]));
  const passes = Math.max(3, Math.min(200, Math.floor(2e6 / n)));
  const t4 = now();
  let best = Infinity;
  for (let p = 0; p < passes; p++) for (const job of jobs) best = Math.min(best, cached.get(job.name).fireAt);
  const scanUs = (now() - t4) / passes;
  if (!Number.isFinite(best)) throw new Error('bench/wake.mjs: the scan found no fire');
  return {
    jobs: n, wakes, fires_per_wake: Math.round((fired / wakes) * 100) / 100,
    wake_us: stats(wakeUs), queue_us: stats(queueUs), scan_us: { mean: Math.round(scanUs * 100) / 100 },
    build_ms: Math.round(buildMs * 10) / 10,
  };
}

const sizes = [...new Set([1000, 10_000, largest])].sort((a, b) => a - b).map(measure);
const first = sizes[0];
const last = sizes.at(-1);
console.log(JSON.stringify({
  figure: 'daemon-wake', unit: 'us', node: process.version, sizes,
  growth_p50: Math.round((last.wake_us.p50 / first.wake_us.p50) * 100) / 100,
}));
