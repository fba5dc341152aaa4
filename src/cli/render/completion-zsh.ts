import { unreachable } from '../../util/unreachable.js';
import type { CompletionCommand, CompletionOption, Completes } from './completion-tree.js';
import { oneLine, shellQuote as quote } from './completion-tree.js';

/**
 * A zsh completion function for the tree: one `_arguments` spec per command (flags with their
 * descriptions and values, positionals), subcommands by `_describe`, job names from
 * `tock JOBS_COMMAND [-f FILE]` at TAB time. Works sourced (`source <(tock completion zsh)`,
 * after compinit) or saved as `_tock` in a directory of `$fpath`.
 */
export function zshCompletion(tree: readonly CompletionCommand[], jobsCommand: string): string {
  const byPath = new Map(tree.map((c) => [c.path.join(' '), c]));
  const lines = [
    '#compdef tock',
    '# zsh completion for tock: source <(tock completion zsh) after compinit, or save it as _tock in a directory of $fpath.',
    '',
    '_tock_jobs() {',
    '  local -a jobfile names',
    '  local i',
    '  for (( i = 1; i < CURRENT; i++ )); do',
    '    [[ ${words[i]} == (-f|--jobfile) ]] && jobfile=(-f ${~words[i+1]})',
    '  done',
    `  names=(\${(f)"$(command tock ${jobsCommand} $jobfile 2>/dev/null)"})`,
    "  _describe -t jobs 'job' names",
    '}',
    '',
    ...tree.flatMap((c) => commandFunction(c, byPath)),
    'if [[ $funcstack[1] == _tock ]]; then _tock "$@"; else compdef _tock tock; fi',
    '',
  ];
  return lines.join('\n');
}

function functionName(path: readonly string[]): string {
  return ['_tock', ...path].join('_').replace(/[^A-Za-z0-9_]/g, '_');
}

function commandFunction(command: CompletionCommand, byPath: ReadonlyMap<string, CompletionCommand>): string[] {
  const name = functionName(command.path);
  const specs = command.options.map(optionSpec);
  if (command.subcommands.length > 0) {
    const described = command.subcommands.map((s) => quote(`${s}:${oneLine(byPath.get([...command.path, s].join(' '))?.description ?? '').replace(/:/g, '\\:')}`));
    return [
      `${name}() {`,
      '  local curcontext="$curcontext" state line',
      '  local -a subcommands',
      `  subcommands=(${described.join(' ')})`,
      `  _arguments -C ${[...specs, quote('1: :->command'), quote('*:: :->args')].join(' ')} && return`,
      '  case $state in',
      "    command) _describe -t commands 'tock command' subcommands ;;",
      '    args)',
      '      case $words[1] in',
      ...command.subcommands.map((s) => `        ${quote(s)}) ${functionName([...command.path, s])} ;;`),
      '      esac ;;',
      '  esac',
      '}',
      '',
    ];
  }
  const positionals = command.arguments.map((a, i) => {
    const message = a.name.replace(/:/g, '\\:');
    if (a.variadic) return quote(`*:${message}:${action(a.completes)}`);
    return quote(`${String(i + 1)}:${a.required ? '' : ':'}${message}:${action(a.completes)}`);
  });
  return [`${name}() {`, `  _arguments -s ${[...specs, ...positionals].join(' ')}`, '}', ''];
}

function optionSpec(option: CompletionOption): string {
  const description = `[${oneLine(option.description).replace(/[[\]]/g, '\\$&')}]`;
  const value = option.value === undefined ? '' : `:${option.flags.at(-1)?.replace(/^-+/, '') ?? 'value'}:${action(option.value)}`;
  const body = `${description}${value}`;
  if (option.flags.length === 1) return quote(`${option.flags[0] ?? ''}${body}`);
  // `-f` and `--jobfile` exclude each other: `'(-f --jobfile)'{-f,--jobfile}'[...]'`.
  return `${quote(`(${option.flags.join(' ')})`)}{${option.flags.join(',')}}${quote(body)}`;
}

function action(completes: Completes): string {
  switch (completes.kind) {
    case 'job':
      return '_tock_jobs';
    case 'file':
      return '_files';
    case 'dir':
      return '_files -/';
    case 'choices':
      return `(${completes.choices.join(' ')})`;
    case 'none':
      return ' ';
    default:
      return unreachable(completes);
  }
}
