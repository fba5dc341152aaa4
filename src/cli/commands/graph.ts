import { loadForCommand } from '../load-jobfile.js';
import type { CommonOptions } from '../paths.js';
import { renderGraph } from '../render/graph.js';
import type { GraphFormat } from '../render/graph.js';

export interface GraphOptions extends CommonOptions {
  format: GraphFormat;
}

/** `tock graph`: the jobfile's dependency graph as a terminal tree, Graphviz DOT or Mermaid. */
export function graphCommand(options: GraphOptions): void {
  const jobfile = loadForCommand(options, process.env);
  process.stdout.write(renderGraph(jobfile.jobs, options.format));
}
