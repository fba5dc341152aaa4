import type { Job } from '../jobfile/types.js';

type Jobs = ReadonlyMap<string, Job>;

/** Jobs that list `name` in their needs. */
export function dependentsOf(jobs: Jobs, name: string): string[] {
  return [...jobs.values()].filter((j) => j.needs.includes(name)).map((j) => j.name);
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
  const order: string[] = [];
  const placed = new Set<string>();
  const pending = [...jobs.keys()].filter((n) => names.has(n));
  while (pending.length > 0) {
    const index = pending.findIndex((n) => (jobs.get(n)?.needs ?? []).every((need) => !names.has(need) || placed.has(need)));
    // Validation refuses cycles, so there is always a job whose needs are placed.
    const [next] = pending.splice(index === -1 ? 0 : index, 1);
    if (next === undefined) break;
    order.push(next);
    placed.add(next);
  }
  return order;
}
