import type { Command } from 'commander';

import { loadJobfile } from '../../jobfile/load.js';
import type { CommonOptions } from '../paths.js';
import { findJobfile } from '../paths.js';
import { bashCompletion } from '../render/completion-bash.js';
import { fishCompletion } from '../render/completion-fish.js';
import { completionTree } from '../render/completion-tree.js';
import { zshCompletion } from '../render/completion-zsh.js';

export type Shell = 'bash' | 'zsh' | 'fish';

/** `tock completion bash|zsh|fish`: a completion script generated from the program's own commands and flags. */
export function completionCommand(program: Command, shell: Shell, jobsCommand: string): void {
  const tree = completionTree(program);
  const render = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion }[shell];
  process.stdout.write(render(tree, jobsCommand));
}

/**
 * The hidden command the scripts call at TAB time: the jobfile's job names, one a line. It must
 * be quick and quiet: nothing on stderr and exit 0 whatever is wrong (no jobfile, an invalid one).
 */
export function completeJobsCommand(options: CommonOptions): void {
  try {
    const result = loadJobfile(findJobfile(options, process.env));
    if (result.ok) process.stdout.write([...result.jobfile.jobs.keys()].map((name) => `${name}\n`).join(''));
  } catch {
    // nothing to complete
  }
}
