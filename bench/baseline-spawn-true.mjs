// The floor for `tock run` of a job running `true` (issue 13): a Node process that spawns `true`
// with node:child_process, its output piped to the parent as tock pipes a job's to its log, and
// exits with its code. bench/run.mjs times `tock run noop` against this script (and against
// bench/baseline-execa-true.mjs, for the record).
import { spawn } from 'node:child_process';

const child = spawn('true', [], { stdio: ['ignore', 'pipe', 'pipe'] });
child.stdout.resume();
child.stderr.resume();
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal !== null ? 1 : 0);
});
