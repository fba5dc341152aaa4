import type { WatermarkStore } from '../../src/daemon/scheduler.js';

/** The daemon's watermarks kept in memory: what the last save wrote, and what a restart loads. */
export class MemoryMarks implements WatermarkStore {
  constructor(public marks: Record<string, number> = {}) {}
  load(): Record<string, number> {
    return { ...this.marks };
  }
  save(marks: Readonly<Record<string, number>>): void {
    this.marks = { ...marks };
  }
}
