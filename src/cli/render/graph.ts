import { dependentsOf, topologicalOrder } from '../../engine/graph.js';
import type { Job, When } from '../../jobfile/types.js';
import { unreachable } from '../../util/unreachable.js';

type Jobs = ReadonlyMap<string, Job>;

// How deep the text tree indents; deeper jobs keep that indent and say their depth.
const MAX_DEPTH = 32;

export type GraphFormat = 'text' | 'dot' | 'mermaid';

/** The dependency graph as text in `format`, ending with a newline. */
export function renderGraph(jobs: Jobs, format: GraphFormat): string {
  switch (format) {
    case 'text':
      return renderGraphText(jobs);
    case 'dot':
      return renderGraphDot(jobs);
    case 'mermaid':
      return renderGraphMermaid(jobs);
    default:
      return unreachable(format);
  }
}

/**
 * A tree for each root (a job with no needs), its dependents beneath it. A job with several
 * needs is drawn in full under the first of them the walk reaches; under the others it is one
 * line ending "see above", so the output has one line a job plus one a repeated need.
 * Isolated jobs (no needs, no dependents) come last, one a line.
 */
export function renderGraphText(jobs: Jobs): string {
  if (jobs.size === 0) return 'no jobs\n';
  const roots = [...jobs.values()].filter((j) => j.needs.length === 0);
  const trees = roots.filter((j) => dependentsOf(jobs, j.name).length > 0);
  const isolated = roots.filter((j) => dependentsOf(jobs, j.name).length === 0);
  const drawn = new Set<string>();
  const blocks: string[][] = [];

  // Iterative, and the indent stops growing past MAX_DEPTH: a 10,000-job chain is 10,000 lines,
  // not a stack overflow or lines tens of thousands of characters wide.
  const walk = (root: string, out: string[]): void => {
    // One frame a job being drawn: its dependents and how many of them are drawn so far.
    const stack = [{ children: dependentsOf(jobs, root), next: 0, prefix: '', depth: 0 }];
    for (let top = stack.at(-1); top !== undefined; top = stack.at(-1)) {
      const child = top.children[top.next++];
      if (child === undefined) {
        stack.pop();
        continue;
      }
      const job = jobs.get(child);
      if (job === undefined) continue;
      const last = top.next === top.children.length;
      const seen = drawn.has(child);
      const depth = top.depth + 1;
      const deep = depth > MAX_DEPTH ? `[depth ${String(depth)}] ` : '';
      out.push(`${top.prefix}${last ? '└─ ' : '├─ '}${deep}${textLine(job, seen)}`);
      if (seen) continue;
      drawn.add(child);
      const prefix = depth >= MAX_DEPTH ? top.prefix : top.prefix + (last ? '   ' : '│  ');
      stack.push({ children: dependentsOf(jobs, child), next: 0, prefix, depth });
    }
  };

  for (const root of trees) {
    const out = [textLine(root, false)];
    drawn.add(root.name);
    walk(root.name, out);
    blocks.push(out);
  }
  if (isolated.length > 0) blocks.push(isolated.map((j) => textLine(j, false)));
  return `${blocks.map((b) => b.join('\n')).join('\n\n')}\n`;
}

/** `name  [schedule, zone] (needs a, b; when: failure; disabled)`; a repeat keeps only the needs. */
function textLine(job: Job, repeat: boolean): string {
  const notes: string[] = [];
  if (job.needs.length > 1) notes.push(`needs ${job.needs.join(', ')}`);
  if (repeat) notes.push('see above');
  else {
    if (job.when !== 'success') notes.push(`when: ${job.when}`);
    if (!job.enabled) notes.push('disabled');
  }
  const schedule = !repeat && job.schedule !== undefined ? `  [${job.schedule.text}, ${job.timezone}]` : '';
  return `${job.name}${schedule}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
}

/** A Graphviz digraph: edges run from a need to its dependent; disabled jobs are grey. */
export function renderGraphDot(jobs: Jobs): string {
  const order = topologicalOrder(jobs, new Set(jobs.keys()));
  const lines = ['digraph tock {', '  rankdir=LR;', '  node [shape=box];'];
  for (const name of order) {
    const job = jobs.get(name);
    if (job === undefined) continue;
    const label = job.schedule === undefined ? job.name : `${job.name}\n${job.schedule.text}`;
    const attributes = [`label=${dotString(label)}`, ...(job.enabled ? [] : ['color=grey', 'fontcolor=grey'])];
    lines.push(`  ${dotString(name)} [${attributes.join(', ')}];`);
  }
  for (const { from, to, when } of edges(jobs, order)) {
    const style = DOT_STYLE[when];
    lines.push(`  ${dotString(from)} -> ${dotString(to)}${style === '' ? '' : ` [${style}]`};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

const DOT_STYLE: Readonly<Record<When, string>> = {
  success: '',
  failure: 'style=dashed, label="failure"',
  always: 'style=dotted, label="always"',
};

/**
 * A DOT double-quoted string. DOT itself escapes only `"`; the backslash is doubled too so a
 * name ending in one cannot swallow the closing quote, and a newline becomes the `\n` that
 * labels read as a line break.
 */
function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

/** A Mermaid flowchart. Job names are not valid Mermaid ids (`.`, `-`), so nodes are n0, n1... */
export function renderGraphMermaid(jobs: Jobs): string {
  const order = topologicalOrder(jobs, new Set(jobs.keys()));
  const ids = new Map(order.map((name, i) => [name, `n${String(i)}`]));
  const id = (name: string): string => ids.get(name) ?? name;
  const lines = ['flowchart LR'];
  for (const name of order) {
    const job = jobs.get(name);
    if (job === undefined) continue;
    const label = mermaidText(job.name) + (job.schedule === undefined ? '' : `<br/>${mermaidText(job.schedule.text)}`);
    lines.push(`  ${id(name)}["${label}"]`);
  }
  for (const { from, to, when } of edges(jobs, order)) lines.push(`  ${id(from)} ${MERMAID_ARROW[when]} ${id(to)}`);
  const disabled = order.filter((name) => jobs.get(name)?.enabled === false);
  if (disabled.length > 0) {
    lines.push('  classDef disabled fill:#eee,stroke:#999,color:#999');
    lines.push(`  class ${disabled.map(id).join(',')} disabled`);
  }
  return `${lines.join('\n')}\n`;
}

const MERMAID_ARROW: Readonly<Record<When, string>> = {
  success: '-->',
  failure: '-. failure .->',
  always: '-- always -->',
};

const MERMAID_ENTITIES: Readonly<Record<string, string>> = { '#': '#35;', '"': '#quot;', '<': '#lt;', '>': '#gt;', '&': '#amp;' };

/** Text inside a quoted Mermaid label: its entity codes stand in for characters it would read as syntax. */
function mermaidText(text: string): string {
  return text.replace(/[#"<>&]/g, (c) => MERMAID_ENTITIES[c] ?? c);
}

/**
 * The `graph --json` document: every job in dependency order (needs first) with what shapes the
 * graph, and every need -> dependent edge with the dependent's `when`.
 */
export function graphDocument(jobs: Jobs) {
  const order = topologicalOrder(jobs, new Set(jobs.keys()));
  const nodes = order.flatMap((name) => {
    const job = jobs.get(name);
    return job === undefined ? [] : [{
      name: job.name, description: job.description ?? null, needs: job.needs, when: job.when,
      schedule: job.schedule?.text ?? null, timezone: job.timezone, enabled: job.enabled,
    }];
  });
  return { jobs: nodes, edges: edges(jobs, order) };
}

/** Every need -> dependent edge, dependents in `order`, each one's needs in the order it lists them. */
function edges(jobs: Jobs, order: readonly string[]): { from: string; to: string; when: When }[] {
  return order.flatMap((name) => {
    const job = jobs.get(name);
    return job === undefined ? [] : job.needs.map((need) => ({ from: need, to: name, when: job.when }));
  });
}
