import { LedgerBook } from '../../src/ledger/book.js';
import type { LedgerEvent } from '../../src/ledger/records.js';

/**
 * The ledger in memory: storage only. `hasSuccess` and `recordInterrupted` are the real ones
 * (`LedgerBook`), the same rules the JSON Lines store answers by.
 */
export class MemoryLedger extends LedgerBook {
  readonly events: LedgerEvent[] = [];
  readonly definitions = new Map<string, object>();

  append(event: LedgerEvent): void {
    this.events.push(structuredClone(event));
  }
  rememberDefinition(hash: string, definition: object): void {
    if (!this.definitions.has(hash)) this.definitions.set(hash, structuredClone(definition));
  }
  definition(hash: string): Record<string, unknown> | undefined {
    return this.definitions.get(hash) as Record<string, unknown> | undefined;
  }
  jobs(): string[] {
    return [...new Set(this.events.map((e) => e.job))].sort();
  }
  allEvents(job: string): LedgerEvent[] {
    return this.events.filter((e) => e.job === job);
  }
  eventsBackward(job: string): LedgerEvent[] {
    return this.allEvents(job).reverse();
  }
  types(job: string): string[] {
    return this.allEvents(job).map((e) => e.type);
  }
}
