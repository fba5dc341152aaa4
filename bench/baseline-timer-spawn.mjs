// The floor for a Node daemon's fire latency, measured in the same run as tock's (bench/daemon.mjs):
// one setTimeout aimed at each instant, and on waking `child_process.spawn('/bin/sh', ['-c', CMD])`
// with TOCK_LOGICAL_TIME set, the same command tock's job runs. No jobfile, ledger, log or lock:
// only the timer and the spawn, as croner / node-cron do (perf-baseline.md section 1).
//
//   node bench/baseline-timer-spawn.mjs OUT_FILE COUNT OFFSET_MS
//
// The instants are every second at OFFSET_MS past it (bench/daemon.mjs uses 500, so that these
// firings never coincide with tock's, which are on the whole second). Exits when COUNT children
// have exited.
import { spawn } from 'node:child_process';

const [out, countArg, offsetArg] = process.argv.slice(2);
if (out === undefined || countArg === undefined) {
  console.error('usage: node bench/baseline-timer-spawn.mjs OUT_FILE COUNT [OFFSET_MS]');
  process.exit(2);
}
const count = Number(countArg);
const offset = Number(offsetArg ?? 0);
// The same text as tock's job: date prints the instant it was given and its own start time.
const command = `date "+$TOCK_LOGICAL_TIME %s.%N" >> '${out.replaceAll("'", "'\\''")}'`;

let fired = 0;
let exited = 0;
let last = -Infinity;

function arm() {
  // The next instant strictly after both now and the last one fired (a timer may wake a hair
  // early by Date.now(), which must not fire the same instant twice).
  const after = Math.max(Date.now(), last);
  const next = Math.floor((after - offset) / 1000) * 1000 + 1000 + offset;
  setTimeout(() => fire(next), next - Date.now());
}

function fire(instant) {
  last = instant;
  const child = spawn('/bin/sh', ['-c', command], { stdio: 'ignore', env: { ...process.env, TOCK_LOGICAL_TIME: new Date(instant).toISOString() } });
  child.on('exit', () => {
    exited++;
    if (exited === count) process.exit(0);
  });
  fired++;
  if (fired < count) arm();
}

process.on('SIGTERM', () => process.exit(0));
arm();
