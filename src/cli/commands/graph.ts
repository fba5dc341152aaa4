import { loadForCommand } from '../load-jobfile.js';
import type { CommonOptions } from '../paths.js';
import { graphDocument, renderGraph } from '../render/graph.js';
import type { GraphFormat } from '../render/graph.js';

export interface GraphOptions extends CommonOptions {
  format: GraphFormat;
  json?: boolean;
}

/** `tock graph`: the jobfile's dependency graph as a terminal tree, Graphviz DOT, Mermaid, or `--json`. */
export function graphCommand(options: GraphOptions): void {
  const jobfile = loadForCommand(options, process.env);
  if (options.json === true) console.log(JSON.stringify(graphDocument(jobfile.jobs), null, 2));
  else process.stdout.write(renderGraph(jobfile.jobs, options.format));
}
