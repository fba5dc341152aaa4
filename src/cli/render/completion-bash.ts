import { unreachable } from '../../util/unreachable.js';
import type { CompletionArgument, CompletionCommand, Completes } from './completion-tree.js';
import { shellQuote as quote } from './completion-tree.js';

/**
 * A bash completion script for the tree: `_tock` walks the words typed so far (the command
 * path, flags that take a value, positionals), then completes the flag's value, a flag, a
 * subcommand or the next positional. Job names come from `tock JOBS_COMMAND [-f FILE]` at TAB
 * time, so they follow the jobfile as it changes; its errors are dropped.
 */
export function bashCompletion(tree: readonly CompletionCommand[], jobsCommand: string): string {
  const takesValue = valueFlagPatterns(tree).map((p) => (p.startsWith('*') ? `*${quote(p.slice(1))}` : quote(p)));
  const nested = tree.filter((c) => c.path.length > 0 && c.subcommands.length > 0);
  const lines = [
    '# bash completion for tock: source <(tock completion bash), or save it as',
    '# ~/.local/share/bash-completion/completions/tock (or /etc/bash_completion.d/tock).',
    '_tock_jobs() {',
    '  local i jobfile=()',
    '  for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do',
    '    case "${COMP_WORDS[i]}" in',
    '      -f|--jobfile) jobfile=(-f "${COMP_WORDS[i+1]/#\\~/$HOME}") ;;',
    '    esac',
    '  done',
    `  "\${COMP_WORDS[0]/#\\~/$HOME}" ${jobsCommand} "\${jobfile[@]}" 2>/dev/null`,
    '}',
    '',
    '_tock() {',
    '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" cmd="" npos=0 i w',
    '  COMPREPLY=()',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    w="${COMP_WORDS[i]}"',
    '    if [[ "$w" == -* ]]; then',
    `      case "$cmd:$w" in ${takesValue.length > 0 ? takesValue.join('|') : '""'}) ((i++)) ;; esac`,
    '      continue',
    '    fi',
    '    if [[ -z "$cmd" ]]; then cmd="$w"; continue; fi',
    ...(nested.length > 0 ? [
      '    case "$cmd" in',
      ...nested.map((c) => `      ${quote(c.path.join(' '))}) if [[ " ${c.subcommands.join(' ')} " == *" $w "* ]]; then cmd="$cmd $w"; continue; fi ;;`),
      '    esac',
    ] : []),
    '    ((npos++))',
    '  done',
    '  case "$cmd" in',
    ...tree.flatMap((c) => commandCase(c)),
    '  esac',
    '}',
    'complete -F _tock tock',
    '',
  ];
  return lines.join('\n');
}

/**
 * `COMMAND:FLAG` patterns of the flags that take a value, so the word after one is not read as a
 * positional: `*:FLAG` for a flag that takes one wherever it appears (-f, --state-dir...).
 */
export function valueFlagPatterns(tree: readonly CompletionCommand[]): string[] {
  const flagsOf = (c: CompletionCommand, valued: boolean): string[] => c.options.filter((o) => (o.value !== undefined) === valued).flatMap((o) => o.flags);
  const bare = new Set(tree.flatMap((c) => flagsOf(c, false)));
  const everywhere = new Set(tree.flatMap((c) => flagsOf(c, true)).filter((f) => !bare.has(f)));
  return [...[...everywhere].map((f) => `*:${f}`), ...tree.flatMap((c) => flagsOf(c, true).filter((f) => bare.has(f)).map((f) => `${c.path.join(' ')}:${f}`))];
}

function commandCase(command: CompletionCommand): string[] {
  const flags = command.options.flatMap((o) => o.flags);
  const values = command.options.filter((o) => o.value !== undefined).map((o) => `      ${o.flags.join('|')}) ${reply(o.value ?? { kind: 'none' })}; return ;;`);
  const positional = command.subcommands.length > 0
    ? [`    ${words(command.subcommands)}`]
    : positionals(command.arguments);
  return [
    `    ${quote(command.path.join(' '))})`,
    ...(values.length > 0 ? ['      case "$prev" in', ...values.map((v) => `  ${v}`), '      esac'] : []),
    `      if [[ "$cur" == -* ]]; then ${words(flags)}; return; fi`,
    ...positional.map((p) => `  ${p}`),
    '      ;;',
  ];
}

/** The next positional by how many are typed: the argument at that index, or the variadic last one. */
function positionals(args: readonly CompletionArgument[]): string[] {
  if (args.length === 0) return ['    COMPREPLY=()'];
  const last = args[args.length - 1];
  return [
    '    case "$npos" in',
    ...args.map((a, i) => `      ${String(i)}) ${reply(a.completes)} ;;`),
    ...(last?.variadic === true ? [`      *) ${reply(last.completes)} ;;`] : []),
    '    esac',
  ];
}

function reply(completes: Completes): string {
  switch (completes.kind) {
    case 'job':
      return 'COMPREPLY=($(compgen -W "$(_tock_jobs)" -- "$cur"))';
    case 'file':
      return 'compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur"))';
    case 'dir':
      return 'compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur"))';
    case 'choices':
      return `COMPREPLY=($(compgen -W ${quote(completes.choices.join(' '))} -- "$cur"))`;
    case 'none':
      return 'COMPREPLY=()';
    default:
      return unreachable(completes);
  }
}

function words(list: readonly string[]): string {
  return `COMPREPLY=($(compgen -W ${quote(list.join(' '))} -- "$cur"))`;
}
