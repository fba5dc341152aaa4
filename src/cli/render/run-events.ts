import type { EngineEvent } from '../../engine/events.js';
import { unreachable } from '../../util/unreachable.js';
import type { Paint } from './style.js';
import { formatElapsed, paintOutcome } from './style.js';

/** One line of progress per engine event, for stderr while `tock run` works. */
export function renderRunEvent(event: EngineEvent, paint: Paint): string | undefined {
  switch (event.type) {
    case 'run-started':
      return undefined;
    case 'lock-waiting':
      return `${paint.dim('…')} ${event.job}: waiting for ${event.lock.replace(/^job\./, 'the job lock of ').replace(/^res\./, 'lock ')}`;
    case 'lock-taken-over':
      return `${paint.yellow('!')} ${event.job}: took over ${event.lock} from run ${event.from.run_id} (pid ${String(event.from.pid)}), which died holding it${event.interrupted ? '; recorded it interrupted' : ''}`;
    case 'waiting-for-path':
      return `${paint.dim('…')} ${event.job}: waiting for ${event.path}`;
    case 'attempt-started':
      return `${paint.cyan('▶')} ${paint.bold(event.job)} attempt ${String(event.n)}${event.of !== undefined ? `/${String(event.of)}` : ''} started (pid ${String(event.pid ?? '-')}, run ${event.run_id})`;
    case 'attempt-finished': {
      const a = event.attempt;
      if (a.outcome === 'success') return undefined;
      const code = a.exit_code !== null ? `exit ${String(a.exit_code)}` : a.signal ?? '';
      return `${paint.red('✗')} ${paint.bold(event.job)} attempt ${String(a.n)} ${a.outcome}${code === '' ? '' : ` (${code})`}${a.error !== undefined ? `: ${a.error}` : ''}`;
    }
    case 'retry-scheduled':
      return `${paint.yellow('↻')} ${paint.bold(event.job)} retrying in ${formatElapsed(event.delay_ms)} (attempt ${String(event.next)})`;
    case 'hook-finished': {
      const r = event.result;
      return `${r.ok ? paint.dim('·') : paint.yellow('!')} ${event.job}: ${r.hook} ${r.kind} ${r.ok ? 'ran' : 'failed'} (${r.detail})`;
    }
    case 'storage-failed':
      return `${paint.yellow('!')} ${event.job}: could not write ${event.what === 'log' ? 'the run\'s log' : `its ${event.what} to the ledger`}: ${event.error.replace(/^log: /, '')}`;
    case 'sla-missed':
      return `${paint.yellow('!')} ${event.job}: not succeeded within its sla of ${formatElapsed(event.sla_ms)}`;
    case 'run-finished': {
      const r = event.run;
      const mark = r.outcome === 'success' ? paint.green('✓') : r.outcome === 'skipped' ? paint.yellow('-') : paint.red('✗');
      const why = r.reason !== undefined ? ` (${r.reason})` : '';
      const more = r.message !== undefined && r.outcome !== 'success' ? `: ${r.message}` : '';
      return `${mark} ${paint.bold(r.job)} ${paintOutcome(paint, r.outcome)}${why} in ${formatElapsed(r.duration_ms)}${more}`;
    }
  }
  return unreachable(event);
}
