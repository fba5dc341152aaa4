// Where does a tock command's time go? Runs it under `node --cpu-prof` a few times and sums
// the samples by owner. Not part of `npm run bench`; a tool for whoever optimises start-up.
//
//   node bench/profile.mjs [--runs N] [--top N] -- validate -f examples/pipeline.yaml
//   node bench/profile.mjs -- run noop -f bench/work/noop.yaml --state-dir bench/work/state
//
// Each sample is charged to the innermost frame that is tock's code (dist/...) or a package
// (node_modules/NAME), so Node's module loader time lands on whoever imported or required:
// a package's own `require`s land on the package, but the first load of a package that an
// ESM `import` triggers lands on "node (loader, start-up)" because no user frame is on the stack.
// Native work called from JS (Intl, fs, compile of a `require`d file) lands on the JS caller.
// The "by function" list shows the hottest self-time functions in tock and its packages.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const dash = args.indexOf('--');
const own = dash >= 0 ? args.slice(0, dash) : args;
const command = dash >= 0 ? args.slice(dash + 1) : ['--version'];
const opt = (name, fallback) => {
  const i = own.indexOf(name);
  return i >= 0 ? Number(own[i + 1]) : fallback;
};
const RUNS = opt('--runs', 5);
const TOP = opt('--top', 15);

function owner(url) {
  if (url === '') return null;
  const rel = url.replace(`file://${ROOT}/`, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(rel);
  if (pkg) return `pkg ${pkg[1]}`;
  if (rel.startsWith('dist/')) return `tock ${rel.slice(5)}`;
  if (rel.startsWith('bin/')) return `tock ${rel}`;
  return null;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'tock-prof-'));
const byOwner = new Map();
const byFunction = new Map();
let wall = 0;
try {
  for (let r = 0; r < RUNS + 1; r++) {
    for (const f of readdirSync(dir)) rmSync(path.join(dir, f));
    const res = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '100', path.join(ROOT, 'bin', 'tock.js'), ...command], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    if (res.status !== 0) {
      console.error(`tock ${command.join(' ')} exited ${res.status}:\n${res.stdout}${res.stderr}`);
      process.exit(1);
    }
    if (r === 0) continue; // warm-up: file cache
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    const prof = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    wall += (prof.endTime - prof.startTime) / 1000;
    const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const ownerOf = new Map();
    const resolve = (id) => {
      if (ownerOf.has(id)) return ownerOf.get(id);
      const n = nodes.get(id);
      const fn = n.callFrame.functionName;
      let o = owner(n.callFrame.url);
      if (o === null) {
        if (fn === '(garbage collector)') o = 'gc';
        else if (fn === '(idle)') o = 'idle (waiting: child process, I/O)';
        else if (fn === '(program)') o = 'node (native, outside JS)';
        else {
          const p = parent.get(id);
          o = p === undefined ? 'node (loader, start-up)' : resolve(p);
        }
      }
      ownerOf.set(id, o);
      return o;
    };
    prof.samples.forEach((id, i) => {
      const ms = (prof.timeDeltas[i] ?? 0) / 1000;
      const o = resolve(id);
      byOwner.set(o, (byOwner.get(o) ?? 0) + ms);
      const cf = nodes.get(id).callFrame;
      const mine = owner(cf.url);
      if (mine !== null) {
        const key = `${mine}:${cf.lineNumber + 1} ${cf.functionName || '(top level)'}`;
        byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
      }
    });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const avg = (m) => [...m].map(([k, v]) => [k, v / RUNS]).sort((a, b) => b[1] - a[1]);
console.log(`tock ${command.join(' ')}: profiled wall ${(wall / RUNS).toFixed(1)} ms (mean of ${RUNS}; profiling adds overhead)\n`);
console.log('ms (mean)  owner');
for (const [k, v] of avg(byOwner)) if (v >= 0.5) console.log(`${v.toFixed(1).padStart(9)}  ${k}`);
console.log(`\nhottest functions in tock and packages (self time, ms mean, top ${TOP}):`);
for (const [k, v] of avg(byFunction).slice(0, TOP)) console.log(`${v.toFixed(1).padStart(9)}  ${k}`);
