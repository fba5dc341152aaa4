import { isoInZone, isoUtc } from '../../engine/logical-time.js';
import { formatDuration } from '../../util/duration.js';
import { assertKnownJobs } from '../../jobfile/known-jobs.js';
import type { Job } from '../../jobfile/types.js';
import { jitterOffsetMs } from '../../schedule/jitter.js';
import { nextStarts } from '../../schedule/next-run.js';
import { UserError } from '../../util/user-error.js';
import { loadForCommand } from '../load-jobfile.js';
import { parseTime } from '../parse-time.js';
import type { CommonOptions } from '../paths.js';
import type { Paint } from '../render/style.js';
import { loadPaint, wantsColor } from '../render/style.js';

export interface NextOptions extends CommonOptions {
  count: number;
  from?: string;
  json?: boolean;
}

/** The most instants `next` lists per job: more is a usage error, not minutes of output. */
export const MAX_COUNT = 10_000;

/** One job's upcoming starts: its logical instants plus its jitter. */
interface Upcoming {
  job: Job;
  jitterMs: number;
  starts: number[];
}

/** `tock next [JOB...]`: upcoming starts of each job, in its zone and UTC, jitter and DST rule applied. */
export async function nextCommand(names: string[], options: NextOptions): Promise<void> {
  if (options.count > MAX_COUNT) {
    throw new UserError('usage', `--count: expected at most ${String(MAX_COUNT)} instants per job, got ${String(options.count)}`,
      `ask for ${String(MAX_COUNT)} or fewer; for later ones, start further on with --from TIME`);
  }
  const jobfile = loadForCommand(options, process.env);
  assertKnownJobs(jobfile, names);
  const afterMs = options.from === undefined ? Date.now() : await parseTime(options.from, jobfile.timezone, '--from');
  const upcoming = [...jobfile.jobs.values()]
    .filter((job) => names.length === 0 || names.includes(job.name))
    .map((job) => upcomingOf(job, afterMs, options.count));

  if (options.json === true) {
    const jobs = upcoming.map((u) => ({ name: u.job.name, timezone: u.job.timezone, instants: u.starts.map((ms) => localIso(ms, u.job.timezone)) }));
    console.log(JSON.stringify({ jobs }, null, 2));
  } else {
    const paint = await loadPaint(wantsColor(process.stdout, process.env, options.color));
    console.log(upcoming.map((u) => renderJob(u, paint).join('\n')).join('\n\n'));
  }
  process.exitCode = 0;
}

function upcomingOf(job: Job, afterMs: number, count: number): Upcoming {
  return { job, jitterMs: jitterOffsetMs(job.name, job.jitterMs), starts: nextStarts(job, afterMs, count) };
}

function renderJob({ job, jitterMs, starts }: Upcoming, paint: Paint): string[] {
  // A job without a schedule has no zone of its own to speak of: it runs at its needs' times.
  const schedule = job.schedule === undefined ? '' : `  ${job.schedule.text}  ${job.timezone}`;
  const jitter = job.jitterMs > 0 ? paint.dim(`  jitter +${formatDuration(jitterMs)} (of ${formatDuration(job.jitterMs)})`) : '';
  const lines = [`${paint.bold(job.name)}${schedule}${jitter}`];
  if (!job.enabled) lines.push('  disabled (enabled: false)');
  else if (job.schedule === undefined) lines.push(`  runs after ${job.needs.join(', ')}`);
  else if (starts.length === 0) lines.push('  never: no date matches this schedule');
  else for (const ms of starts) lines.push(`  ${localTime(ms, job.timezone)}  ${paint.dim(`(${utcIso(ms)})`)}`);
  if (job.enabled && job.schedule !== undefined && job.needs.length > 0) lines.push(paint.dim(`  each waits for ${job.needs.join(', ')}`));
  return lines;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** `Sun 2026-03-08 03:30:00 -04:00`: the wall clock a person in the zone sees, and its offset. */
function localTime(ms: number, zone: string): string {
  const iso = localIso(ms, zone);
  const weekday = WEEKDAYS[new Date(`${iso.slice(0, 10)}T00:00:00Z`).getUTCDay()] ?? '';
  const offset = iso.endsWith('Z') ? '+00:00' : iso.slice(-6);
  return `${weekday} ${iso.slice(0, 10)} ${iso.slice(11, iso.length - (iso.endsWith('Z') ? 1 : 6))} ${offset}`;
}

/** Local ISO 8601 with offset (as `{{ ts }}` reads); milliseconds only when a jitter leaves some. */
function localIso(ms: number, zone: string): string {
  const iso = isoInZone(ms, zone);
  const millis = ((ms % 1000) + 1000) % 1000;
  return millis === 0 ? iso : `${iso.slice(0, 19)}.${String(millis).padStart(3, '0')}${iso.slice(19)}`;
}

function utcIso(ms: number): string {
  return ms % 1000 === 0 ? isoUtc(ms).replace('.000Z', 'Z') : isoUtc(ms);
}
