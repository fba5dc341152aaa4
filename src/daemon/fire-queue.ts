/** One job's next fire: its instant (logical time) and when it starts (the instant plus jitter). */
export interface QueuedFire {
  job: string;
  logicalMs: number;
  fireAt: number;
  /** The job's place in the jobfile: jobs that fire together are taken in the jobfile's order. */
  order: number;
}

/**
 * The daemon's next fires, one per job, in a binary min-heap by start time (then jobfile order):
 * a wake looks at the top and pops only what is due, O(log n) a job, however many jobs wait.
 */
export class FireQueue {
  readonly #heap: QueuedFire[];

  /** All at once (a start, a reload): heapified in O(n). */
  constructor(fires: Iterable<QueuedFire> = []) {
    this.#heap = [...fires];
    for (let i = (this.#heap.length >>> 1) - 1; i >= 0; i--) this.#down(i);
  }

  get size(): number {
    return this.#heap.length;
  }

  /** The earliest fire, left in place. */
  peek(): QueuedFire | undefined {
    return this.#heap[0];
  }

  push(fire: QueuedFire): void {
    this.#heap.push(fire);
    this.#up(this.#heap.length - 1);
  }

  pop(): QueuedFire | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top !== undefined && last !== undefined && heap.length > 0) {
      heap[0] = last;
      this.#down(0);
    }
    return top;
  }

  /** Every fire that starts at or before `at`, earliest first. */
  popUntil(at: number): QueuedFire[] {
    const out: QueuedFire[] = [];
    for (let top = this.peek(); top !== undefined && top.fireAt <= at; top = this.peek()) out.push(this.pop() as QueuedFire);
    return out;
  }

  #up(i: number): void {
    const heap = this.#heap;
    const item = heap[i] as QueuedFire;
    while (i > 0) {
      const parent = (i - 1) >>> 1;
      const above = heap[parent] as QueuedFire;
      if (!before(item, above)) break;
      heap[i] = above;
      i = parent;
    }
    heap[i] = item;
  }

  #down(i: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const item = heap[i] as QueuedFire;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(heap[right] as QueuedFire, heap[left] as QueuedFire) ? right : left;
      const below = heap[child] as QueuedFire;
      if (!before(below, item)) break;
      heap[i] = below;
      i = child;
    }
    heap[i] = item;
  }
}

function before(a: QueuedFire, b: QueuedFire): boolean {
  return a.fireAt < b.fireAt || (a.fireAt === b.fireAt && a.order < b.order);
}
