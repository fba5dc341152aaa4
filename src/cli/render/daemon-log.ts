import type { DaemonEvent } from '../../daemon/events.js';
import type { EngineEvent } from '../../engine/events.js';
import type { Outcome } from '../../ledger/records.js';
import { unreachable } from '../../util/unreachable.js';
import type { Paint } from './style.js';
import { formatElapsed, paintOutcome, plainPaint } from './style.js';
import { formatTime } from './time.js';

/** `--log-level`: `info` logs finished runs, warnings and errors; `debug` adds armed, fired and attempt lines. */
export type LogLevel = 'info' | 'debug';
type Severity = 'debug' | 'info' | 'warning' | 'error';

/** A job's time: the job's zone in text, ISO 8601 UTC in JSON. */
interface At { at: string; job: string }
/** A duration: `1.2s` in text, milliseconds in JSON. */
interface Took { ms: number }
type Value = string | number | boolean | null | undefined | readonly string[] | At | Took;
type Fields = Record<string, Value>;

export interface DaemonLogStyle {
  format: 'text' | 'json';
  level?: LogLevel;
  /** --utc: job times in UTC in text lines. */
  utc?: boolean;
  /** Each job's zone, for its times in text lines. */
  zoneOf?: (job: string) => string | undefined;
  paint?: Paint;
}

/**
 * One line per daemon event at or above the level (undefined below it): `time event
 * key=value...` for journalctl, with job times in the job's zone, or one JSON object with every
 * field and ISO 8601 UTC times. Every line about a run carries its job and run id.
 */
export function renderDaemonLine(event: DaemonEvent, style: DaemonLogStyle, now: Date): string | undefined {
  const [name, severity, fields, outcome] = describe(event);
  if (severity === 'debug' && style.level !== 'debug') return undefined;
  if (style.format === 'json') {
    const plain = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, isAt(v) ? v.at : isTook(v) ? v.ms : v]));
    return JSON.stringify({ time: now.toISOString(), level: severity, event: name, ...plain });
  }
  const paint = style.paint ?? plainPaint;
  const pairs = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => {
      if (isTook(v)) return `${k.replace(/_ms$/, '')}=${formatElapsed(v.ms)}`;
      const text = isAt(v) ? formatTime(v.at, style.zoneOf?.(v.job) ?? 'UTC', { utc: style.utc === true }) : Array.isArray(v) ? v.join(',') : String(v);
      const quoted = /[\s"]/.test(text) ? JSON.stringify(text) : text;
      return `${k}=${k === 'outcome' && outcome !== undefined && outcome !== null ? paintOutcome(paint, outcome, quoted) : quoted}`;
    });
  return [now.toISOString(), paintSeverity(paint, severity, name), ...pairs].join(' ');
}

function paintSeverity(paint: Paint, severity: Severity, text: string): string {
  switch (severity) {
    case 'error':
      return paint.red(text);
    case 'warning':
      return paint.yellow(text);
    case 'debug':
      return paint.dim(text);
    case 'info':
      return paint.bold(text);
  }
  return unreachable(severity);
}

function isAt(v: Value): v is At {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'at' in v;
}

function isTook(v: Value): v is Took {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'ms' in v;
}

type Described = [string, Severity, Fields, (Outcome | null)?];

function describe(event: DaemonEvent): Described {
  switch (event.type) {
    case 'started':
      return ['started', 'info', { jobs: event.jobs, pid: event.pid, state_dir: event.state_dir, listen: event.listen }];
    case 'scheduled':
      return ['scheduled', 'info', { job: event.job, next: event.next !== undefined ? { at: event.next, job: event.job } : undefined,
        after: event.after, disabled: event.disabled }];
    case 'armed':
      return ['armed', 'debug', { job: event.job, logical_time: { at: event.logical_time, job: event.job }, fire_at: { at: event.fire_at, job: event.job } }];
    case 'fired':
      return ['fired', 'debug', { job: event.jobs, logical_time: { at: event.logical_time, job: event.jobs[0] ?? '' }, trigger: event.trigger }];
    case 'missed':
      return ['missed', 'warning', { job: event.job, logical_time: { at: event.logical_time, job: event.job }, catchup: event.policy }];
    case 'catchup-capped':
      return ['catchup-capped', 'warning', { job: event.job, limit: event.limit, message: `more than ${String(event.limit)} instants were missed; only the newest ${String(event.limit)} are handled` }];
    case 'clock-jump':
      return ['clock-jump', 'warning', { by_ms: event.by_ms }];
    case 'reloaded':
      return ['reloaded', 'info', { jobs: event.jobs }];
    case 'reload-failed':
      return ['reload-failed', 'error', { message: 'the new jobfile is invalid; the old one keeps running', problems: event.problems }];
    case 'stopping':
      return ['stopping', 'info', { signal: event.signal, running: event.running }];
    case 'stopped':
      return ['stopped', 'info', {}];
    case 'error':
      return ['error', 'error', { message: event.message }];
    case 'catchup-failed':
      return ['catchup-failed', 'error', { job: event.job, logical_time: { at: event.logical_time, job: event.job }, message: event.message }];
    case 'storage-failed':
      return ['storage-failed', 'error', { error: event.error, lost: event.lost, what: event.what }];
    case 'run':
      return describeRun(event.event);
  }
  return unreachable(event);
}

function describeRun(event: EngineEvent): Described {
  switch (event.type) {
    case 'run-started':
      return ['run-started', 'debug', { job: event.run.job, run: event.run.run_id, logical_time: { at: event.run.logical_time, job: event.run.job }, trigger: event.run.trigger }];
    case 'lock-waiting':
      return ['lock-waiting', 'debug', { job: event.job, run: event.run_id, lock: event.lock }];
    case 'lock-taken-over':
      return ['lock-taken-over', 'warning', { job: event.job, run: event.run_id, lock: event.lock, from_run: event.from.run_id, from_pid: event.from.pid }];
    case 'waiting-for-path':
      return ['waiting-for-path', 'debug', { job: event.job, run: event.run_id, path: event.path }];
    case 'attempt-started':
      return ['attempt-started', 'debug', { job: event.job, run: event.run_id, attempt: event.of !== undefined ? `${String(event.n)}/${String(event.of)}` : event.n, pid: event.pid }];
    case 'attempt-finished':
      return ['attempt-finished', 'debug', { job: event.job, run: event.run_id, attempt: event.attempt.n, outcome: event.attempt.outcome, exit_code: event.attempt.exit_code, signal: event.attempt.signal, error: event.attempt.error }, event.attempt.outcome];
    case 'retry-scheduled':
      return ['retry-scheduled', 'debug', { job: event.job, run: event.run_id, next_attempt: event.next, delay_ms: event.delay_ms }];
    case 'hook-finished':
      return ['hook-finished', event.result.ok ? 'debug' : 'warning', { job: event.job, run: event.run_id, hook: event.result.hook, kind: event.result.kind, ok: event.result.ok, detail: event.result.detail }];
    case 'sla-missed':
      return ['sla-missed', 'warning', { job: event.job, run: event.run_id, sla_ms: event.sla_ms }];
    case 'storage-failed':
      return ['storage-failed', 'error', { job: event.job, run: event.run_id, what: event.what, error: event.error }];
    case 'run-finished': {
      const r = event.run;
      return ['run-finished', 'info', { job: r.job, run: r.run_id, logical_time: { at: r.logical_time, job: r.job }, outcome: r.outcome, reason: r.reason,
        duration_ms: { ms: r.duration_ms }, attempts: r.attempts.length, exit_code: r.exit_code }, r.outcome];
    }
  }
  return unreachable(event);
}
