import type { Command } from 'commander';

/** What a flag's value or a positional argument completes to. */
export type Completes = { kind: 'job' | 'file' | 'dir' | 'none' } | { kind: 'choices'; choices: readonly string[] };

export interface CompletionOption {
  /** `-f` and `--jobfile`, or just `--json`. */
  flags: readonly string[];
  description: string;
  /** Undefined for a flag that takes no value. */
  value?: Completes;
}

export interface CompletionArgument {
  name: string;
  required: boolean;
  variadic: boolean;
  completes: Completes;
}

/** One command a completion script knows: `run`, or `ledger check` (path `['ledger', 'check']`). */
export interface CompletionCommand {
  path: readonly string[];
  description: string;
  options: readonly CompletionOption[];
  arguments: readonly CompletionArgument[];
  /** The names of its own subcommands (`ledger`: check, compact). */
  subcommands: readonly string[];
}

/**
 * Every visible command of the program, depth first (the root first, path `[]`), read from
 * commander's own tree, so a command or flag added to main.ts is completed without more code.
 * Values are guessed from names: `<path>`/`<file>` complete files, `<dir>` directories, a
 * `job` argument the jobfile's jobs, choices their choices.
 */
export function completionTree(program: Command): CompletionCommand[] {
  const out: CompletionCommand[] = [];
  const names = program.createHelp().visibleCommands(program).map((c) => c.name());
  const walk = (command: Command, path: readonly string[]): void => {
    const help = command.createHelp();
    // `tock help COMMAND` is completed; a subcommand's own `help` (tock ledger help) is left out.
    const subcommands = help.visibleCommands(command).filter((c) => path.length === 0 || c.name() !== 'help');
    out.push({
      path,
      description: command.description(),
      options: help.visibleOptions(command).map((o) => ({
        flags: [o.short, o.long].filter((f): f is string => f !== undefined),
        description: o.description,
        ...(o.required || o.optional ? { value: o.argChoices !== undefined ? { kind: 'choices' as const, choices: o.argChoices } : byName(/<([^>.]+)/.exec(o.flags)?.[1] ?? '') } : {}),
      })),
      arguments: command.registeredArguments.map((a) => ({
        name: a.name(),
        required: a.required,
        variadic: a.variadic,
        completes: a.argChoices !== undefined ? { kind: 'choices', choices: a.argChoices } : a.name() === 'command' ? { kind: 'choices', choices: names } : byName(a.name()),
      })),
      subcommands: subcommands.map((c) => c.name()),
    });
    for (const sub of subcommands) walk(sub, [...path, sub.name()]);
  };
  walk(program, []);
  return out;
}

function byName(name: string): Completes {
  if (/^jobs?$/.test(name)) return { kind: 'job' };
  if (/^(path|file)$/.test(name)) return { kind: 'file' };
  if (name === 'dir') return { kind: 'dir' };
  return { kind: 'none' };
}

/** A description on one line, as completion menus show it. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ');
}

/** A POSIX shell single-quoted word (bash and zsh). */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
