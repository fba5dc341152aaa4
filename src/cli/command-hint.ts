import type { CommonOptions } from './paths.js';

/**
 * A tock command line to print in a hint, with the `-f` and `--state-dir` the user gave (as they
 * typed them), so the command runs as shown: `tock logs validate 2026... -f examples/pipeline.yaml`.
 * Every hint that names a tock command is built here.
 */
export function tockCommand(options: CommonOptions, ...args: string[]): string {
  const given = [
    ...(options.jobfile !== undefined ? ['-f', options.jobfile] : []),
    ...(options.stateDir !== undefined ? ['--state-dir', options.stateDir] : []),
  ];
  return ['tock', ...[...args, ...given].map(shellWord)].join(' ');
}

/** A word as a POSIX shell reads it back: bare when nothing in it is special, else single-quoted. */
function shellWord(word: string): string {
  return /^[\w./:@%+=,-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}
