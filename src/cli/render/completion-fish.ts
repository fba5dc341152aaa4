import { unreachable } from '../../util/unreachable.js';
import type { CompletionCommand, CompletionOption, Completes } from './completion-tree.js';
import { oneLine } from './completion-tree.js';

/**
 * A fish completion script for the tree: `__tock_walk` finds the command path typed so far
 * (skipping flags and the values of flags that take one) and how many positionals follow it, and
 * each `complete` line is guarded by them, so a positional completes only to what its own argument
 * takes (`tock logs JOB RUN_ID`: jobs, then nothing), as in bash and zsh. Job names come from
 * `tock JOBS_COMMAND [-f FILE]` at TAB time.
 */
export function fishCompletion(tree: readonly CompletionCommand[], jobsCommand: string): string {
  const takesValue = tree.flatMap((c) => c.options.filter((o) => o.value !== undefined).flatMap((o) => o.flags.map((f) => quote(`${c.path.join(' ')}:${f}`))));
  const nested = tree.filter((c) => c.path.length > 0).map((c) => quote(c.path.join(' ')));
  const lines = [
    '# fish completion for tock: tock completion fish | source, or save it as ~/.config/fish/completions/tock.fish',
    `set -g __tock_value_flags ${takesValue.join(' ')}`,
    `set -g __tock_paths ${nested.join(' ')}`,
    '',
    'function __tock_walk --description "how many positionals follow the tock command path typed so far, then that path"',
    '    set -l tokens (commandline -opc)',
    '    set -e tokens[1]',
    '    set -l path ""',
    '    set -l npos 0',
    '    set -l skip 0',
    '    for t in $tokens',
    '        if test $skip = 1',
    '            set skip 0',
    '        else if string match -q -- "-*" $t',
    '            contains -- "$path:$t" $__tock_value_flags; and set skip 1',
    '        else if test -z "$path"',
    '            set path $t',
    '        else if test $npos = 0; and contains -- "$path $t" $__tock_paths',
    '            set path "$path $t"',
    '        else',
    '            set npos (math $npos + 1)',
    '        end',
    '    end',
    '    echo $npos',
    '    echo $path',
    'end',
    '',
    'function __tock_is --description "true when the command path typed so far is the argument"',
    '    set -l walk (__tock_walk)',
    '    test "$walk[2]" = "$argv[1]"',
    'end',
    '',
    'function __tock_arg --description "true when the word being typed is positional N (from 0; N+ for N or more) of command path P: __tock_arg P N"',
    '    set -l walk (__tock_walk)',
    '    test "$walk[2]" = "$argv[1]"; or return 1',
    '    set -l n (string replace -r -- \'\\+$\' \'\' $argv[2])',
    '    if test "$n" != "$argv[2]"',
    '        test $walk[1] -ge $n',
    '    else',
    '        test $walk[1] -eq $n',
    '    end',
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
  // Each positional completes to what its own argument takes; a variadic last one to the end.
  const path = quote(command.path.join(' '));
  const args = command.subcommands.length > 0 ? [] : command.arguments.flatMap((a, i) => {
    if (a.completes.kind === 'none') return [];
    const position = `${String(i)}${a.variadic ? '+' : ''}`;
    return [`complete -c tock -n ${quote(`__tock_arg ${path} ${position}`)} ${values(a.completes)}`];
  });
  return [...subcommands, ...options, ...args];
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
