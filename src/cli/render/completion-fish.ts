import { unreachable } from '../../util/unreachable.js';
import type { CompletionCommand, CompletionOption, Completes } from './completion-tree.js';
import { oneLine } from './completion-tree.js';

/**
 * A fish completion script for the tree: `__tock_command` finds the command path typed so far
 * (skipping flags and the values of flags that take one), and each `complete` line is guarded by
 * it; job names come from `tock JOBS_COMMAND [-f FILE]` at TAB time.
 */
export function fishCompletion(tree: readonly CompletionCommand[], jobsCommand: string): string {
  const takesValue = tree.flatMap((c) => c.options.filter((o) => o.value !== undefined).flatMap((o) => o.flags.map((f) => quote(`${c.path.join(' ')}:${f}`))));
  const nested = tree.filter((c) => c.path.length > 0).map((c) => quote(c.path.join(' ')));
  const lines = [
    '# fish completion for tock: tock completion fish | source, or save it as ~/.config/fish/completions/tock.fish',
    `set -g __tock_value_flags ${takesValue.join(' ')}`,
    `set -g __tock_paths ${nested.join(' ')}`,
    '',
    'function __tock_command --description "the tock command path typed so far"',
    '    set -l tokens (commandline -opc)',
    '    set -e tokens[1]',
    '    set -l path ""',
    '    set -l skip 0',
    '    for t in $tokens',
    '        if test $skip = 1',
    '            set skip 0',
    '        else if string match -q -- "-*" $t',
    '            contains -- "$path:$t" $__tock_value_flags; and set skip 1',
    '        else if test -z "$path"',
    '            set path $t',
    '        else if contains -- "$path $t" $__tock_paths',
    '            set path "$path $t"',
    '        end',
    '    end',
    '    echo $path',
    'end',
    '',
    'function __tock_is --description "true when the command path typed so far is the argument"',
    '    set -l path (__tock_command)',
    '    test "$path" = "$argv[1]"',
    'end',
    '',
    'function __tock_jobs --description "the jobfile\'s job names"',
    '    set -l tokens (commandline -opc)',
    '    set -l jobfile',
    '    for i in (seq 2 (count $tokens))',
    '        if contains -- $tokens[(math $i - 1)] -f --jobfile',
    '            set jobfile -f $tokens[$i]',
    '        end',
    '    end',
    `    command tock ${jobsCommand} $jobfile 2>/dev/null`,
    'end',
    '',
    'complete -c tock -f',
    ...tree.flatMap((c) => commandLines(c, tree)),
    '',
  ];
  return lines.join('\n');
}

function commandLines(command: CompletionCommand, tree: readonly CompletionCommand[]): string[] {
  const guard = `-n ${quote(`__tock_is ${quote(command.path.join(' '))}`)}`;
  const subcommands = command.subcommands.map((s) => {
    const description = tree.find((c) => c.path.join(' ') === [...command.path, s].join(' '))?.description ?? '';
    return `complete -c tock ${guard} -a ${quote(s)} -d ${quote(oneLine(description))}`;
  });
  const options = command.options.map((o) => `complete -c tock ${guard} ${optionFlags(o)} -d ${quote(oneLine(o.description))}`);
  // fish does not count positionals: every one a command takes completes to what any of them does.
  const args = command.subcommands.length > 0 ? [] : command.arguments.filter((a) => a.completes.kind !== 'none').map((a) => `complete -c tock ${guard} ${values(a.completes)}`);
  return [...subcommands, ...options, ...new Set(args)];
}

function optionFlags(option: CompletionOption): string {
  const flags = option.flags.map((f) => (f.startsWith('--') ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`)).join(' ');
  return option.value === undefined ? flags : `${flags} ${values(option.value)}`.trimEnd();
}

/** The `complete` switches for what a value or positional completes to. */
function values(completes: Completes): string {
  switch (completes.kind) {
    case 'job':
      return "-x -a '(__tock_jobs)'";
    case 'file':
      return '-r -F';
    case 'dir':
      return "-x -a '(__fish_complete_directories)'";
    case 'choices':
      return `-x -a ${quote(completes.choices.join(' '))}`;
    case 'none':
      return '-x';
    default:
      return unreachable(completes);
  }
}


/** A fish single-quoted word (only `\` and `'` are special inside). */
function quote(text: string): string {
  return `'${text.replace(/[\\']/g, '\\$&')}'`;
}
