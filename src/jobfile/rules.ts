import type { Document, Node, YAMLMap } from 'yaml';
import { isMap, isScalar, isSeq } from 'yaml';

import { closest } from '../util/suggest.js';
import type { Diagnostic } from './diagnostic.js';
import { JOB_FIELDS, TOP_FIELDS } from './fields.js';
import { diag } from './validate-shape.js';

/** The parts of each job the cross-job rules look at, read from a document whose shape is valid. */
interface JobView {
  name: string;
  keyNode: Node | null;
  needs: { name: string; node: Node }[];
  schedule?: string;
  timezone?: string;
  /** Each field the job sets, with its key's node. */
  fields: Map<string, Node>;
}

const RETRY_FIELDS = ['retry_on_exit', 'no_retry_on_exit'] as const;

/**
 * Rules that look across jobs: unknown needs, cycles (naming every job in each), a job with no
 * trigger, conflicting fields, and a job without a schedule whose needs run on different ones.
 */
export function validateRules(doc: Document): Diagnostic[] {
  if (!isMap(doc.contents)) return [];
  const jobs = readJobs(doc);
  const defaultsNode = doc.get('defaults', true);
  const defaultFields = isMap(defaultsNode) ? fieldKeys(defaultsNode) : new Map<string, Node>();
  const zone = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const topTimezone = (isMap(defaultsNode) ? zone(defaultsNode.get('timezone')) : undefined) ?? zone(doc.get('timezone')) ?? TOP_FIELDS.timezone.default;
  const out: Diagnostic[] = [];
  const retryInDefaults = retryConflict(defaultFields, new Map(), 'defaults');
  if (retryInDefaults !== undefined) out.push(retryInDefaults);
  for (const job of jobs.values()) {
    for (const need of job.needs) {
      if (need.name === job.name) {
        out.push(diag('cycle', `jobs.${job.name}.needs`, need.node, `expected needs other than the job itself, got "${need.name}"`, 'remove the job from its own needs'));
      } else if (!jobs.has(need.name)) {
        const guess = closest(need.name, jobs.keys());
        out.push(diag('unknown-need', `jobs.${job.name}.needs`, need.node, `expected the name of a job in this file, got "${need.name}"`,
          guess !== undefined ? `did you mean "${guess}"?` : `define a job "${need.name}" or remove it from needs`));
      }
    }
    // A misspelled field (reported by the shape check) may be the missing schedule: say it once.
    const misspelled = [...job.fields.keys()].some((f) => !Object.hasOwn(JOB_FIELDS, f));
    if (!job.fields.has('schedule') && !job.fields.has('needs') && !misspelled) {
      out.push(diag('no-trigger', `jobs.${job.name}`, job.keyNode, 'expected a schedule or needs, got neither',
        'add schedule: "..." to run it on time, or needs: [...] to run it after other jobs'));
    }
    // Both in defaults is said once, at defaults, not again at every job.
    const conflict = retryInDefaults === undefined ? retryConflict(job.fields, defaultFields, `jobs.${job.name}`) : undefined;
    if (conflict !== undefined) out.push(conflict);
  }
  const cycles = findCycles(jobs);
  for (const cycle of cycles) {
    // Point at the need that closes the cycle: the last job's need of the first.
    const last = cycle.at(-1) ?? '';
    const closing = jobs.get(last)?.needs.find((n) => n.name === cycle[0]);
    out.push(diag('cycle', `jobs.${last}.needs`, closing?.node ?? jobs.get(last)?.keyNode ?? null,
      `expected needs without a cycle, got ${shortened([...cycle, cycle[0] ?? ''], ' -> ')}`,
      `remove one of these needs so the jobs ${shortened(cycle, ', ')} no longer wait on each other`));
  }
  if (cycles.length === 0) out.push(...mixedSchedules(jobs, topTimezone));
  return out;
}

// A cycle through thousands of jobs is named by its ends, not in a line of 50,000 characters.
const NAMED = 12;

function shortened(names: readonly string[], separator: string): string {
  if (names.length <= NAMED) return names.join(separator);
  const head = names.slice(0, NAMED - 2);
  const tail = names.slice(-2);
  return [...head, `... (${String(names.length - NAMED)} more)`, ...tail].join(separator);
}

/**
 * `retry_on_exit` with `no_retry_on_exit`, pointing at the second of the two: the later one in
 * the file when both are set here, else this mapping's own one (the other comes from defaults).
 */
function retryConflict(own: ReadonlyMap<string, Node>, inherited: ReadonlyMap<string, Node>, path: string): Diagnostic | undefined {
  if (!RETRY_FIELDS.every((f) => own.has(f) || inherited.has(f))) return undefined;
  const [at] = RETRY_FIELDS.filter((f) => own.has(f)).sort((a, b) => start(own.get(b)) - start(own.get(a)));
  if (at === undefined) return undefined;
  const fromDefaults = RETRY_FIELDS.filter((f) => !own.has(f));
  const origin = fromDefaults.length > 0 ? ` (${fromDefaults.join(' and ')} from defaults)` : '';
  return diag('conflicting-fields', `${path}.${at}`, own.get(at), `expected retry_on_exit or no_retry_on_exit, got both${origin}`,
    'keep one: retry_on_exit lists the codes to retry, no_retry_on_exit the codes never to retry');
}

function start(node: Node | undefined): number {
  return node?.range?.[0] ?? 0;
}

/** The keys of a mapping, by name, with their nodes. */
function fieldKeys(map: YAMLMap): Map<string, Node> {
  const keys = new Map<string, Node>();
  for (const pair of map.items) if (isScalar(pair.key)) keys.set(String(pair.key.value), pair.key);
  return keys;
}

function readJobs(doc: Document): Map<string, JobView> {
  const jobs = new Map<string, JobView>();
  const jobsNode = doc.get('jobs', true);
  if (!isMap(jobsNode)) return jobs;
  for (const pair of jobsNode.items) {
    const key = pair.key as Node | null;
    const name = isScalar(key) ? String(key.value) : undefined;
    if (name === undefined || !isMap(pair.value)) continue;
    const body = pair.value;
    const needsNode = body.get('needs', true);
    const needs = isSeq(needsNode)
      ? needsNode.items.flatMap((n) => (isScalar(n) && typeof n.value === 'string' ? [{ name: n.value, node: n as Node }] : []))
      : [];
    const schedule = body.get('schedule');
    const timezone = body.get('timezone');
    jobs.set(name, {
      name,
      keyNode: key,
      needs,
      fields: fieldKeys(body),
      ...(typeof schedule === 'string' ? { schedule } : {}),
      ...(typeof timezone === 'string' ? { timezone } : {}),
    });
  }
  return jobs;
}

/**
 * Each elementary cycle once, starting from its first job in file order. The walk keeps its own
 * stack (a frame per open job and the index of its next need), so a chain or cycle of 100,000
 * jobs cannot overflow the call stack.
 */
function findCycles(jobs: ReadonlyMap<string, JobView>): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const position = new Map<string, number>();
  for (const start of jobs.keys()) {
    if (state.has(start)) continue;
    const frames: { name: string; next: number }[] = [{ name: start, next: 0 }];
    state.set(start, 'open');
    position.set(start, path.push(start) - 1);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as { name: string; next: number };
      const needs = jobs.get(frame.name)?.needs ?? [];
      if (frame.next >= needs.length) {
        frames.pop();
        path.pop();
        position.delete(frame.name);
        state.set(frame.name, 'done');
        continue;
      }
      const need = (needs[frame.next++] as { name: string }).name;
      if (need === frame.name || !jobs.has(need)) continue;
      const s = state.get(need);
      if (s === 'open') {
        const cycle = path.slice(position.get(need));
        const key = [...cycle].sort().join('\0');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (s === undefined) {
        state.set(need, 'open');
        position.set(need, path.push(need) - 1);
        frames.push({ name: need, next: 0 });
      }
    }
  }
  return cycles;
}

/** SPEC 3: a job without a schedule follows its needs' schedule, so they must share one. */
function mixedSchedules(jobs: ReadonlyMap<string, JobView>, topTimezone: string): Diagnostic[] {
  const memo = new Map<string, Set<string>>();
  // Each job's schedules after its needs' (an explicit stack, not recursion: chains can be long).
  // Validation runs this only without cycles, so every walk ends.
  const roots = (name: string): Set<string> => {
    const pending = [name];
    while (pending.length > 0) {
      const current = pending[pending.length - 1] as string;
      if (memo.has(current)) {
        pending.pop();
        continue;
      }
      const job = jobs.get(current);
      const result = new Set<string>();
      if (job?.schedule !== undefined) result.add(`${job.schedule} (${job.timezone ?? topTimezone})`);
      else if (job !== undefined) {
        const waiting = job.needs.filter((n) => jobs.has(n.name) && !memo.has(n.name) && n.name !== current);
        if (waiting.length > 0) {
          pending.push(...waiting.map((n) => n.name));
          continue;
        }
        for (const need of job.needs) for (const r of memo.get(need.name) ?? []) result.add(r);
      }
      memo.set(current, result);
      pending.pop();
    }
    return memo.get(name) ?? new Set();
  };
  const out: Diagnostic[] = [];
  const mixed = (name: string): boolean => jobs.get(name)?.schedule === undefined && roots(name).size > 1;
  for (const job of jobs.values()) {
    const found = [...roots(job.name)];
    // Report where the schedules meet, not again at every job downstream of it.
    if (mixed(job.name) && !job.needs.some((n) => mixed(n.name))) {
      out.push(diag('mixed-schedules', `jobs.${job.name}`, job.keyNode,
        `expected needs that share one schedule, got ${found.map((s) => `"${s}"`).join(' and ')}`,
        'give this job its own schedule: it then waits for each need\'s latest run at its own time'));
    }
  }
  return out;
}
