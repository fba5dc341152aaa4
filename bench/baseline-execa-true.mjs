// The floor for `tock run` of a no-op job in this design: a Node process that loads execa
// and runs `true` once. bench/run.mjs times `tock run noop` against this script.
import { execa } from 'execa';

await execa('true');
