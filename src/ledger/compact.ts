import type { LedgerReader, SegmentStore } from './ports.js';
import { runsKept } from './query.js';
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
 * Drops what happened before `now - keepMs`, except the runs `runsKept` names (latest run, latest success, in flight),
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
    for (const run of runsKept(store, job)) keep.add(run.run_id);
    const dropped = (e: LedgerEvent): boolean => e.at < cutoff && !keep.has(runIdOf(e));
    for (const segment of closed) {
      const before = store.segmentSize(segment);
      result.bytesBefore += before;
      // Two streaming passes, so a segment of any size is compacted in bounded memory: count,
      // then rewrite (or remove) while dropping the logs of the runs that go.
      let events = 0;
      let drops = 0;
      for (const event of store.segmentEvents(segment)) {
        events++;
        if (dropped(event)) drops++;
      }
      if (drops === 0) {
        result.bytesAfter += before;
        continue;
      }
      result.eventsDropped += drops;
      const kept = function* (): Generator<LedgerEvent> {
        for (const event of store.segmentEvents(segment)) {
          if (!dropped(event)) yield event;
          else if (event.type === 'run-finished') {
            result.runsDropped++;
            if (removeLog(event.run.log)) result.logsRemoved++;
          }
        }
      };
      if (drops === events) {
        drain(kept());
        store.removeSegment(segment);
        result.segmentsRemoved++;
      } else {
        result.bytesAfter += store.rewriteSegment(segment, kept());
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

/** Runs an iterator to its end for what it does on the way (here: removing logs). */
function drain(items: Iterable<unknown>): void {
  const iterator = items[Symbol.iterator]();
  while (iterator.next().done !== true) {
    // each step does the work
  }
}

function runIdOf(event: LedgerEvent): string {
  return event.type === 'run-started' || event.type === 'run-finished' ? event.run.run_id : event.run_id;
}
