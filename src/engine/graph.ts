import type { Job } from '../jobfile/types.js';

type Jobs = ReadonlyMap<string, Job>;

// Each jobfile's dependents, indexed once: a walk over a 10,000-job chain asks for every job's.
const dependentsIndex = new WeakMap<Jobs, ReadonlyMap<string, readonly string[]>>();

/** Jobs that list `name` in their needs, in jobfile order. */
export function dependentsOf(jobs: Jobs, name: string): string[] {
  let index = dependentsIndex.get(jobs);
  if (index === undefined) {
    const built = new Map<string, string[]>();
    for (const job of jobs.values()) {
      for (const need of new Set(job.needs)) {
        const list = built.get(need);
        if (list === undefined) built.set(need, [job.name]);
        else list.push(job.name);
      }
    }
    index = built;
    dependentsIndex.set(jobs, index);
  }
  return [...(index.get(name) ?? [])];
}

/** Every job reachable from `start` by following `step`, not including `start` itself. */
export function closure(start: Iterable<string>, step: (name: string) => readonly string[]): Set<string> {
  const found = new Set<string>();
  const queue = [...start];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    for (const next of step(name)) {
      if (!found.has(next)) {
        found.add(next);
        queue.push(next);
      }
    }
  }
  return found;
}

/** The given jobs in dependency order (needs first), ties kept in jobfile order. */
export function topologicalOrder(jobs: Jobs, names: ReadonlySet<string>): string[] {
  // Kahn's algorithm; the ready job earliest in the jobfile goes first (a heap of positions).
  const pending = [...jobs.keys()].filter((n) => names.has(n));
  const position = new Map(pending.map((n, i) => [n, i]));
  const waiting = new Map(pending.map((n) => [n, new Set((jobs.get(n)?.needs ?? []).filter((need) => position.has(need))).size]));
  const ready = new MinHeap();
  for (const [name, count] of waiting) if (count === 0) ready.push(position.get(name) ?? 0);
  const order: string[] = [];
  for (let at = ready.pop(); at !== undefined; at = ready.pop()) {
    const name = pending[at] ?? '';
    order.push(name);
    for (const next of dependentsOf(jobs, name)) {
      const left = (waiting.get(next) ?? 0) - 1;
      if (!position.has(next)) continue;
      waiting.set(next, left);
      if (left === 0) ready.push(position.get(next) ?? 0);
    }
  }
  // Validation refuses cycles; should one get here, its jobs still come out, in jobfile order.
  if (order.length < pending.length) {
    const placed = new Set(order);
    for (const name of pending) if (!placed.has(name)) order.push(name);
  }
  return order;
}

/** A binary min-heap of numbers. */
class MinHeap {
  readonly #items: number[] = [];

  push(value: number): void {
    const items = this.#items;
    items.push(value);
    for (let i = items.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if ((items[parent] ?? 0) <= value) break;
      items[i] = items[parent] ?? 0;
      items[parent] = value;
      i = parent;
    }
  }

  pop(): number | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    items[0] = last;
    for (let i = 0; ;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < items.length && (items[left] ?? 0) < (items[smallest] ?? 0)) smallest = left;
      if (right < items.length && (items[right] ?? 0) < (items[smallest] ?? 0)) smallest = right;
      if (smallest === i) break;
      [items[i], items[smallest]] = [items[smallest] ?? 0, items[i] ?? 0];
      i = smallest;
    }
    return top;
  }
}
