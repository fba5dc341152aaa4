/**
 * The exit codes (SPEC 6), each with its meaning: the one place they are put into words.
 * `tock --help` prints this table, and a test keeps README's "Exit codes" table equal to it.
 * A meaning is written as the README cell is (Markdown backticks around names).
 */
export const EXIT_CODES = [
  { name: 'ok', code: 0, meaning: 'everything asked for succeeded' },
  {
    name: 'failed',
    code: 1,
    meaning: 'a run asked for ended `failed`, `timeout`, `deadline`, `missed`, `interrupted` or `killed`, or was skipped for `upstream-failed` (or for `overlap` alongside another failure); `ledger check` found a bad line; `audit` found what `--fail-on` names; `import`\'s proof found a difference (without `--force`)',
  },
  { name: 'usage', code: 2, meaning: 'usage or jobfile error: nothing was run' },
  { name: 'internal', code: 70, meaning: 'a bug in tock (the message says so; please report it)' },
  {
    name: 'busy',
    code: 75,
    meaning: '`run` refused because the job is already running (`concurrency: forbid`); `daemon` refused because another daemon runs on the state dir, or stopped because it lost the state dir to one after a stall',
  },
] as const;

type ExitCode = (typeof EXIT_CODES)[number];

/** Each code by name, for the commands that choose one: `process.exitCode = EXIT.usage`. */
export const EXIT = Object.fromEntries(EXIT_CODES.map((e) => [e.name, e.code])) as { readonly [E in ExitCode as E['name']]: E['code'] };

/** The table for a terminal (`tock --help`): one line a code; the backticks still mark names. */
export function exitCodesHelp(): string {
  const lines = EXIT_CODES.map((e) => `  ${String(e.code).padEnd(4)}${e.meaning}`);
  return ['Exit codes:', ...lines].join('\n');
}
