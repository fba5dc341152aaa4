// What a bench module needs to run on its own (`node bench/audit.mjs`): the same context that
// run.mjs hands it, a temp dir removed on Ctrl-C, and a reader for `--flag value` options.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function standalone(name, argv) {
  class CommandFailed extends Error {}
  const TMP = mkdtempSync(path.join(os.tmpdir(), `tock-bench-${name}-`));
  const childEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TOCK_')));
  childEnv.NO_COLOR = '1';
  // Wide enough that `status` shows whole job names (it fits its table to COLUMNS, 80 off a TTY).
  childEnv.COLUMNS = '200';
  process.on('SIGINT', () => {
    rmSync(TMP, { recursive: true, force: true });
    process.exit(130);
  });
  const option = (flag, fallback) => {
    const i = argv.indexOf(flag);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
  };
  const context = {
    TMP, NODE: process.execPath, childEnv, figures: [], CommandFailed, keep: argv.includes('--keep'),
    waitQuiet: () => null, progress: (s) => process.stderr.write(`  ${s}\n`),
  };
  return { option, context };
}

/**
 * Runs one module alone: its figures, its report on stdout (and `--json`), a `CommandFailed`
 * as a one-line error with exit 1, and the temp dir removed unless `--keep`.
 */
export async function runStandalone(name, argv, figuresOf) {
  const { option, context } = standalone(name, argv);
  try {
    const res = await figuresOf(context, option);
    console.log(res.report.join('\n'));
    if (argv.includes('--json')) console.log(JSON.stringify({ figures: context.figures, [name]: res.extras }, null, 2));
  } catch (error) {
    if (!(error instanceof context.CommandFailed)) throw error;
    console.error(`bench: ${error.message}`);
    process.exitCode = 1;
  } finally {
    if (context.keep) console.error(`bench: kept ${context.TMP}`);
    else rmSync(context.TMP, { recursive: true, force: true });
  }
}
