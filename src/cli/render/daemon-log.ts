import type { DaemonEvent } from '../../daemon/events.js';
import type { EngineEvent } from '../../engine/events.js';
import { unreachable } from '../../util/unreachable.js';

type Fields = Record<string, string | number | boolean | null | undefined | readonly string[]>;

/**
 * One line per daemon event: `time event key=value...` for journalctl, or one JSON object.
 * Every line about a run carries its job and run id.
 */
export function renderDaemonLine(event: DaemonEvent, format: 'text' | 'json', now: Date): string {
  const [name, fields] = describe(event);
  if (format === 'json') return JSON.stringify({ time: now.toISOString(), event: name, ...fields });
  const pairs = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : typeof v === 'string' && /[\s"]/.test(v) ? JSON.stringify(v) : String(v)}`);
  return [now.toISOString(), name, ...pairs].join(' ');
}

function describe(event: DaemonEvent): [string, Fields] {
  switch (event.type) {
    case 'started':
      return ['started', { jobs: event.jobs, pid: event.pid, state_dir: event.state_dir, listen: event.listen }];
    case 'armed':
      return ['armed', { job: event.job, logical_time: event.logical_time, fire_at: event.fire_at }];
    case 'fired':
      return ['fired', { job: event.jobs, logical_time: event.logical_time, trigger: event.trigger }];
    case 'missed':
      return ['missed', { job: event.job, logical_time: event.logical_time, catchup: event.policy }];
    case 'catchup-capped':
      return ['catchup-capped', { job: event.job, limit: event.limit, message: `more than ${String(event.limit)} instants were missed; only the newest ${String(event.limit)} are handled` }];
    case 'clock-jump':
      return ['clock-jump', { by_ms: event.by_ms }];
    case 'reloaded':
      return ['reloaded', { jobs: event.jobs }];
    case 'reload-failed':
      return ['reload-failed', { message: 'the new jobfile is invalid; the old one keeps running', problems: event.problems }];
    case 'stopping':
      return ['stopping', { signal: event.signal, running: event.running }];
    case 'stopped':
      return ['stopped', {}];
    case 'error':
      return ['error', { message: event.message }];
    case 'catchup-failed':
      return ['catchup-failed', { job: event.job, logical_time: event.logical_time, message: event.message }];
    case 'storage-failed':
      return ['storage-failed', { error: event.error, lost: event.lost, what: event.what }];
    case 'run':
      return describeRun(event.event);
  }
  return unreachable(event);
}

function describeRun(event: EngineEvent): [string, Fields] {
  switch (event.type) {
    case 'run-started':
      return ['run-started', { job: event.run.job, run: event.run.run_id, logical_time: event.run.logical_time, trigger: event.run.trigger }];
    case 'lock-waiting':
      return ['lock-waiting', { job: event.job, run: event.run_id, lock: event.lock }];
    case 'lock-taken-over':
      return ['lock-taken-over', { job: event.job, run: event.run_id, lock: event.lock, from_run: event.from.run_id, from_pid: event.from.pid }];
    case 'waiting-for-path':
      return ['waiting-for-path', { job: event.job, run: event.run_id, path: event.path }];
    case 'attempt-started':
      return ['attempt-started', { job: event.job, run: event.run_id, attempt: event.of !== undefined ? `${String(event.n)}/${String(event.of)}` : event.n, pid: event.pid }];
    case 'attempt-finished':
      return ['attempt-finished', { job: event.job, run: event.run_id, attempt: event.attempt.n, outcome: event.attempt.outcome, exit_code: event.attempt.exit_code, signal: event.attempt.signal, error: event.attempt.error }];
    case 'retry-scheduled':
      return ['retry-scheduled', { job: event.job, run: event.run_id, next_attempt: event.next, delay_ms: event.delay_ms }];
    case 'hook-finished':
      return ['hook-finished', { job: event.job, run: event.run_id, hook: event.result.hook, kind: event.result.kind, ok: event.result.ok, detail: event.result.detail }];
    case 'sla-missed':
      return ['sla-missed', { job: event.job, run: event.run_id, sla_ms: event.sla_ms }];
    case 'storage-failed':
      return ['storage-failed', { job: event.job, run: event.run_id, what: event.what, error: event.error }];
    case 'run-finished':
      return ['run-finished', { job: event.run.job, run: event.run.run_id, logical_time: event.run.logical_time, outcome: event.run.outcome, reason: event.run.reason, duration_ms: event.run.duration_ms, exit_code: event.run.exit_code }];
  }
  return unreachable(event);
}
