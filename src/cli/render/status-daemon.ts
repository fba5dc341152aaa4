import type { Jobfile } from '../../jobfile/types.js';
import type { DaemonStatus } from '../status-doc.js';
import { ago } from './status-table.js';
import type { Paint } from './style.js';
import type { TimeStyle } from './time.js';
import { formatTime } from './time.js';

/**
 * The top of `status`: whether a daemon schedules this state dir (pid, since when, version,
 * --listen) and whether it runs the jobfile on disk, or, in one line, that none does. The daemon
 * is the host's, not a job's, so its start is shown in `zone`, the host's (UTC with `--utc`).
 * `startWith`: the commands that start one, with the `-f`/`--state-dir` the user gave.
 */
export function daemonLines(daemon: DaemonStatus | null, jobfile: Jobfile, stateDir: string, now: number, paint: Paint, zone: string, style: TimeStyle, startWith: readonly string[]): string[] {
  if (daemon === null) {
    return [paint.yellow(`no daemon is scheduling ${stateDir}: jobs run only when started by hand; start one with ${startWith.join(' or ')}`)];
  }
  const since = `${formatTime(daemon.started_at, zone, { ...style, seconds: true })} (${ago(now - Date.parse(daemon.started_at))})`;
  const listen = daemon.listen === null ? 'no --listen' : `listening on ${daemon.listen}`;
  // One line each, as a person greps for them; the terminal wraps them.
  const lines = [`daemon: pid ${String(daemon.pid)} since ${since}, tock ${daemon.version}, ${listen}, jobfile ${daemon.jobfile_current ? 'current' : 'stale'}`];
  const hup = `send SIGHUP: systemctl reload tock, or kill -HUP ${String(daemon.pid)}`;
  if (daemon.jobfile !== jobfile.path) lines.push(`  it runs ${daemon.jobfile}, not ${jobfile.path}`);
  if (!daemon.jobfile_current) lines.push(paint.yellow(`  ${daemon.jobfile} changed since the daemon loaded it: ${hup}`));
  return lines;
}

