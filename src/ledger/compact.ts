import type { LedgerReader, SegmentStore } from './ports.js';
import { lastSuccess, recentRuns } from './query.js';
import type { LedgerEvent } from './records.js';

export interface CompactResult {
  segmentsRewritten: number;
  segmentsRemoved: number;
  eventsDropped: number;
  runsDropped: number;
  logsRemoved: number;
  bytesBefore: number;
  bytesAfter: number;
}

/**
 * Drops what happened before `now - keepMs`, except each job's latest run and latest success,
 * and the log files of the runs dropped.
 *
 * Only closed segments are touched: months before the previous one, which nothing appends to
 * any more (events go to the segment of the month they happen in). A record appended while this
 * works lands in the current month's segment, which is never rewritten, so none is lost. The
 * price: history in the current and previous month is kept even when older than the window.
 */
export function compactLedger(store: LedgerReader & SegmentStore, keepMs: number, nowMs: number, removeLog: (file: string) => boolean): CompactResult {
  const result: CompactResult = { segmentsRewritten: 0, segmentsRemoved: 0, eventsDropped: 0, runsDropped: 0, logsRemoved: 0, bytesBefore: 0, bytesAfter: 0 };
  const cutoff = new Date(nowMs - keepMs).toISOString();
  const open = previousMonth(nowMs);
  for (const job of store.jobs()) {
    const closed = store.segments(job).filter((segment) => segment.month < open);
    if (closed.length === 0) continue;
    const keep = new Set<string>();
    for (const run of [recentRuns(store, job, 1)[0], lastSuccess(store, job)]) if (run !== undefined) keep.add(run.run_id);
    for (const segment of closed) {
      const before = store.segmentSize(segment);
      result.bytesBefore += before;
      const events = store.segmentEvents(segment);
      const kept = events.filter((e) => e.at >= cutoff || keep.has(runIdOf(e)));
      if (kept.length === events.length) {
        result.bytesAfter += before;
        continue;
      }
      result.eventsDropped += events.length - kept.length;
      for (const event of events) {
        if (event.type !== 'run-finished' || kept.includes(event)) continue;
        result.runsDropped++;
        if (removeLog(event.run.log)) result.logsRemoved++;
      }
      if (kept.length === 0) {
        store.removeSegment(segment);
        result.segmentsRemoved++;
      } else {
        result.bytesAfter += store.rewriteSegment(segment, kept);
        result.segmentsRewritten++;
      }
    }
  }
  return result;
}

/** `YYYY-MM` of the month before the one `ms` falls in (UTC, as segment names are). */
function previousMonth(ms: number): string {
  const d = new Date(ms);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}

function runIdOf(event: LedgerEvent): string {
  return event.type === 'run-started' || event.type === 'run-finished' ? event.run.run_id : event.run_id;
}
