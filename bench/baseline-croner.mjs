// The peer for the daemon's fire latency (issue 13), measured in the same run as tock's
// (bench/daemon.mjs): croner 11 (a devDependency, for the bench only) with one every-second job
// `* * * * * *` whose callback is `child_process.spawn('/bin/sh', ['-c', CMD], { detached: true })`
// with TOCK_LOGICAL_TIME set to the instant, the same command tock's job runs. No jobfile, ledger,
// log or lock: croner's timer and the spawn.
//
//   node bench/baseline-croner.mjs OUT_FILE COUNT
//
// croner's finest field is the second and it has no sub-second offset, so its firings are on the
// whole second, as tock's are: bench/daemon.mjs runs it after tock's phase, not alongside (they
// would coincide on every firing and compete for the CPUs in the same millisecond). Exits when
// COUNT children have exited.
import { spawn } from 'node:child_process';
import { Cron } from 'croner';

const [out, countArg] = process.argv.slice(2);
if (out === undefined || countArg === undefined) {
  console.error('usage: node bench/baseline-croner.mjs OUT_FILE COUNT');
  process.exit(2);
}
const count = Number(countArg);
// The same text as tock's job: date prints the instant it was given and its own start time.
const command = `date "+$TOCK_LOGICAL_TIME %s.%N" >> '${out.replaceAll("'", "'\\''")}'`;

let fired = 0;
let exited = 0;

const job = new Cron('* * * * * *', () => {
  // The instant this firing is for: croner fires at or just after the whole second (never
  // 500 ms away from it), so the nearest whole second is the instant.
  const instant = Math.round(Date.now() / 1000) * 1000;
  fired++;
  if (fired >= count) job.stop();
  const child = spawn('/bin/sh', ['-c', command], { stdio: 'ignore', detached: true, env: { ...process.env, TOCK_LOGICAL_TIME: new Date(instant).toISOString() } });
  child.on('exit', () => {
    exited++;
    if (exited === count) process.exit(0);
  });
});

process.on('SIGTERM', () => process.exit(0));
