// The audit figure of the bench (bench/README.md, "The audit"): `tock audit` of 10,000 crontab
// lines across 100 files (user format, 100 lines each), with the coming week's clash analysis,
// `--json --fail-on never` end to end. Target: under 1 s (issue 13). The human report (no --json) is timed
// in the same rounds.
//
// Called from bench/run.mjs (skip with --no-audit). Standalone, it runs only this figure and
// prints its report (no results.json):
//
//   node bench/audit.mjs [--runs N] [--keep] [--json]
//   node bench/audit.mjs gen DIR        (writes the 100 crontabs to DIR and prints what they hold)
//
// The crontabs come from a seeded PRNG (the same files every run): a MAILTO line, PATH and SHELL,
// a few comments and blank lines in each, CRON_TZ=America/New_York in some; jobs mostly daily,
// hourly and every N minutes at varied minutes and hours, some */5, some weekday-restricted,
// a few with an unescaped %, a few `sleep N &&` chains, a few duplicates (within a file and
// across files), a redirect on most.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { prng } from './ledger.mjs';
import { runStandalone } from './standalone.mjs';
import { round, summary } from './stats.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH);
const TOCK = path.join(ROOT, 'bin', 'tock.js');

const FILES = 100;
const LINES_PER_FILE = 100;
const TARGET_MS = 1000; // issue 13 (was 2000 in issue 12)
const SEED = 20261121;
const NEW_YORK = 'America/New_York';

// ---------------------------------------------------------------------------------------------
// The crontabs

const TEAMS = ['web', 'api', 'billing', 'search', 'data', 'ops', 'mobile', 'growth', 'infra', 'payments', 'support', 'ml', 'media', 'auth', 'edge', 'mail', 'crm', 'ads', 'geo', 'feeds'];
const TASKS = [
  'backup-db', 'rotate-logs', 'sync-users', 'report-sales', 'purge-cache', 'index-search', 'export-s3', 'check-certs', 'sitemap',
  'refresh-views', 'send-digest', 'prune-sessions', 'import-feed', 'warm-cache', 'compact-tables', 'vacuum', 'fetch-rates', 'build-stats',
  'cleanup-tmp', 'renew-tokens', 'ping-health', 'archive-orders', 'reindex', 'thumbnails', 'dedupe-contacts', 'geoip-update', 'queue-drain',
];

/** A command as people write them: scripts, `cd && ...`, php/python/rake, curl pings, find, pg_dump, rsync. */
function commandFor(rand, team, task, i) {
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const forms = [
    () => `/opt/${team}/bin/${task}.sh`,
    () => `/opt/${team}/bin/${task}.sh --quiet`,
    () => `cd /srv/${team} && ./bin/${task} --env production`,
    () => `/usr/bin/php /var/www/${team}/artisan ${task.replace('-', ':')}`,
    () => `/usr/bin/python3 /srv/${team}/jobs/${task.replaceAll('-', '_')}.py`,
    () => `cd /srv/${team}/current && bundle exec rake ${task.replaceAll('-', '_')}`,
    () => `curl -fsS -m 10 --retry 3 https://hc.example.com/ping/${team}-${task}-${String(i)}`,
    () => `find /var/tmp/${team} -type f -mtime +${String(2 + Math.floor(rand() * 12))} -delete`,
    () => `pg_dump -Fc ${team}_${String(i % 7)} -f /backup/${team}/${task}.dump`,
    () => `rsync -a --delete /srv/${team}/shared/ backup.example.com:/srv/${team}/`,
    () => `/usr/local/bin/${task} --config /etc/${team}/${task}.conf`,
  ];
  return pick(forms)();
}

/** Where a line's output goes: a redirect on most (~88%), none on the rest (MAILTO gets it). */
function redirectFor(rand, team, task) {
  const x = rand();
  if (x < 0.55) return ` >> /var/log/${team}/${task}.log 2>&1`;
  if (x < 0.75) return ' > /dev/null 2>&1';
  if (x < 0.83) return ` 2>&1 | logger -t ${team}-${task}`;
  if (x < 0.88) return ` >/var/log/${team}/${task}.last 2>&1`;
  return '';
}

/** A schedule: mostly daily, hourly and every N minutes at varied minutes and hours. */
function scheduleFor(rand) {
  const int = (n) => Math.floor(rand() * n);
  const minute = () => String(int(60));
  const hour = () => String(int(24));
  const x = rand();
  // The share of each kind is the width of its interval of x.
  if (x < 0.32) return { kind: 'daily', schedule: `${minute()} ${hour()} * * *` };
  if (x < 0.52) return { kind: 'hourly', schedule: `${minute()} * * * *` };
  if (x < 0.58) return { kind: 'every-5', schedule: '*/5 * * * *' };
  if (x < 0.68) {
    const n = [10, 15, 20, 30][int(4)];
    // Some offset the start (`7-59/15`), as people do to stay off :00.
    return { kind: `every-${String(n)}`, schedule: rand() < 0.3 ? `${String(int(n))}-59/${String(n)} * * * *` : `*/${String(n)} * * * *` };
  }
  if (x < 0.72) return { kind: 'every-2h', schedule: `${minute()} */${String([2, 3, 4, 6][int(4)])} * * *` };
  if (x < 0.76) return { kind: 'twice-daily', schedule: `${minute()} ${String(int(12))},${String(12 + int(12))} * * *` };
  if (x < 0.86) {
    const days = ['1-5', '1-5', '1-5', '0', '6', '1,3,5', 'mon-fri', '2,4'][int(8)];
    return { kind: 'weekday', schedule: rand() < 0.3 ? `${minute()} ${String(7 + int(4))}-${String(17 + int(3))} * * ${days}` : `${minute()} ${hour()} * * ${days}` };
  }
  if (x < 0.9) return { kind: 'weekly', schedule: `${minute()} ${hour()} * * ${String(int(7))}` };
  if (x < 0.93) return { kind: 'monthly', schedule: `${minute()} ${hour()} ${String(1 + int(28))} * *` };
  if (x < 0.97) return { kind: 'macro', schedule: ['@daily', '@hourly', '@weekly', '@midnight'][int(4)] };
  // A few every-N-minutes written out as minute lists (`3,33 * * * *`).
  return { kind: 'minute-list', schedule: `${String(int(30))},${String(30 + int(30))} * * * *` };
}

/**
 * The 100 files: `{ files: [{ name, text }], jobs, lines, kinds, ... }`. Each file is exactly
 * LINES_PER_FILE lines (newline-terminated); `jobs` counts the job lines written (what tock must
 * report as `jobs`).
 */
export function generateCrontabs({ files = FILES, linesPerFile = LINES_PER_FILE, seed = SEED } = {}) {
  const rand = prng(seed);
  const int = (n) => Math.floor(rand() * n);
  const out = [];
  const counts = { jobs: 0, lines: 0, comments: 0, blanks: 0, variables: 0, new_york_files: 0, mailto_empty_files: 0, percent: 0, sleep_chains: 0, duplicates: 0, no_redirect: 0, kinds: {} };
  const seen = []; // earlier job lines, for duplicates across files
  for (let f = 0; f < files; f++) {
    const team = TEAMS[f % TEAMS.length];
    const host = `${team}-${String(Math.floor(f / TEAMS.length) + 1).padStart(2, '0')}`;
    const lines = [
      `# crontab of ${host} (${team} team); edit with crontab -e, review in #${team}-oncall`,
    ];
    // Two files in fifty throw the output away with MAILTO="" (tock reports lost-output there).
    const mailtoEmpty = f % 50 === 17;
    if (mailtoEmpty) counts.mailto_empty_files++;
    lines.push(mailtoEmpty ? 'MAILTO=""' : `MAILTO=${team}-alerts@example.com`);
    lines.push('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    if (f % 3 !== 2) lines.push('SHELL=/bin/bash');
    // One file in five runs on New York time, from the top or from a later point on.
    const newYork = f % 5 === 3;
    const nyFrom = newYork ? (f % 10 === 3 ? 0 : 40 + int(30)) : -1;
    if (newYork) counts.new_york_files++;
    lines.push('');
    const own = [];
    let nyDone = !newYork;
    while (lines.length < linesPerFile) {
      if (!nyDone && lines.length >= nyFrom) {
        lines.push(`CRON_TZ=${NEW_YORK}`);
        nyDone = true;
        continue;
      }
      const left = linesPerFile - lines.length;
      const y = rand();
      // A section: a blank line and a comment (~8% of lines), not as the last line.
      if (y < 0.05 && left > 2) {
        lines.push('', `# ${TASKS[int(TASKS.length)].replaceAll('-', ' ')} (${['nightly', 'reports', 'housekeeping', 'sync', 'monitoring'][int(5)]})`);
        continue;
      }
      if (y < 0.07) {
        lines.push(`# ${['TODO: move to the scheduler', 'ask before changing: the reports depend on it', 'disabled 2024-03: too slow', 'keep after the backup'][int(4)]}`);
        continue;
      }
      // A duplicate: a line of this file again (an edit pasted twice) or one from another file.
      if (y < 0.085 && (own.length > 0 || seen.length > 0)) {
        const from = seen.length === 0 || (own.length > 0 && rand() < 0.5) ? own : seen;
        lines.push(from[int(from.length)]);
        counts.duplicates++;
        continue;
      }
      const task = TASKS[int(TASKS.length)];
      const { kind, schedule } = scheduleFor(rand);
      let command = commandFor(rand, team, task, own.length);
      const z = rand();
      if (z < 0.03) {
        // Percent signs as people forget to escape them (cron cuts the command there) ...
        command = `tar czf /backup/${team}/${task}-$(date +%Y%m%d).tgz /srv/${team}/data`;
        counts.percent++;
      } else if (z < 0.06) {
        // ... and escaped as the man page says.
        command = `/opt/${team}/bin/${task}.sh --day $(date +\\%F)`;
      } else if (z < 0.09) {
        command = `sleep ${String([15, 30, 60, 120, 300][int(5)])} && ${command}`;
        counts.sleep_chains++;
      }
      const redirect = redirectFor(rand, team, task);
      if (redirect === '') counts.no_redirect++;
      const line = `${schedule} ${command}${redirect}`;
      lines.push(line);
      own.push(line);
      counts.kinds[kind] = (counts.kinds[kind] ?? 0) + 1;
    }
    if (lines.length !== linesPerFile) throw new Error(`generator: ${host} has ${String(lines.length)} lines`);
    // The last line must be a job (or a variable or comment), never a blank that `split` would lose.
    for (const l of lines) {
      if (l === '') counts.blanks++;
      else if (l.startsWith('#')) counts.comments++;
      else if (/^[A-Za-z_]+=/.test(l)) counts.variables++;
      else counts.jobs++;
    }
    seen.push(...own);
    counts.lines += lines.length;
    out.push({ name: `${String(f + 1).padStart(3, '0')}-${host}`, text: `${lines.join('\n')}\n` });
  }
  return { files: out, ...counts, bytes: out.reduce((n, f) => n + Buffer.byteLength(f.text), 0) };
}

// ---------------------------------------------------------------------------------------------
// Statistics

const fmt = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));

// ---------------------------------------------------------------------------------------------
// The figure

/** Runs `node ...args` once from `cwd`; returns wall ms and stdout. A failure or wrong output throws. */
function timeNode(ctx, cmd, cwd, env) {
  const t0 = process.hrtime.bigint();
  const res = spawnSync(ctx.NODE, cmd.args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const shown = `node ${cmd.args.slice(0, 4).join(' ')} ... (${String(cmd.args.length)} arguments)`;
  if (res.error !== undefined || res.status !== 0) {
    const how = res.error !== undefined ? res.error.message : res.signal !== null ? `signal ${res.signal}` : `exit code ${String(res.status)}`;
    throw new ctx.CommandFailed(`${cmd.label} failed (${how}): ${shown}\n--- stdout ---\n${String(res.stdout ?? '').slice(-2000)}\n--- stderr ---\n${String(res.stderr ?? '').slice(-2000)}`);
  }
  const wrong = cmd.check?.(res.stdout);
  if (wrong !== undefined) throw new ctx.CommandFailed(`${cmd.label}: ${wrong}\nfrom ${shown}\n--- stdout ---\n${res.stdout.slice(0, 2000)}\n--- stderr ---\n${String(res.stderr).slice(0, 2000)}`);
  return { ms, stdout: res.stdout };
}

/** The --json run's check: one document with `jobs` the job lines written and the 100 files. */
function checkJson(gen, paths) {
  return (stdout) => {
    let doc;
    try {
      doc = JSON.parse(stdout);
    } catch (error) {
      return `not one JSON document: ${String(error)}`;
    }
    if (doc?.jobs !== gen.jobs) return `expected jobs ${String(gen.jobs)} (the job lines written), got ${String(doc?.jobs)}`;
    if (!Array.isArray(doc.files) || doc.files.length !== paths.length) return `expected files.length ${String(paths.length)}, got ${String(doc.files?.length)}`;
    if (!Array.isArray(doc.findings)) return 'no findings array';
    if (!Array.isArray(doc.histogram) || doc.histogram.length !== 24) return `expected a histogram of 24 hours, got ${JSON.stringify(doc.histogram)?.slice(0, 200)}`;
    return undefined;
  };
}

/** The human report's check: its last line sums up the jobs and files. */
function checkReport(gen, paths) {
  const last = new RegExp(`^${String(gen.jobs)} jobs in ${String(paths.length)} files: \\d+ errors, \\d+ warnings, \\d+ info$`, 'm');
  return (stdout) => (last.test(stdout) ? undefined : `expected a line "${String(gen.jobs)} jobs in ${String(paths.length)} files: ..."`);
}

/** Findings counted by code and by severity, most frequent code first. */
function tally(findings) {
  const byCode = {};
  const bySeverity = {};
  for (const f of findings) {
    byCode[f.code] = (byCode[f.code] ?? 0) + 1;
    bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
  }
  return { by_code: Object.fromEntries(Object.entries(byCode).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))), by_severity: bySeverity };
}

/**
 * The audit figures. `ctx` is run.mjs's toolkit: { TMP, NODE, childEnv, figures, waitQuiet,
 * progress, CommandFailed, keep } and optionally { runs }. Pushes two figures (--json, the
 * report) and returns { report, extras }.
 */
export async function auditFigures(ctx) {
  const { progress, CommandFailed } = ctx;
  const runs = Math.max(1, ctx.runs ?? 7);
  const warmup = 1;
  const base = mkdtempSync(path.join(ctx.TMP, 'audit-'));
  try {
    const gen = generateCrontabs();
    if (gen.lines !== FILES * LINES_PER_FILE) throw new CommandFailed(`audit generator: ${String(gen.lines)} lines, expected ${String(FILES * LINES_PER_FILE)}`);
    const dir = path.join(base, 'crontabs');
    mkdirSync(dir, { recursive: true });
    const paths = gen.files.map((f) => path.join(dir, f.name));
    gen.files.forEach((f, i) => writeFileSync(paths[i], f.text));
    // Nothing of the caller's tock: no jobfile is found from the crontabs' directory (cwd) or
    // the empty XDG config dir, and the empty state dir has no ledger (no durations to look up).
    const stateDir = path.join(base, 'state');
    const configDir = path.join(base, 'config');
    mkdirSync(stateDir);
    mkdirSync(configDir);
    const env = { ...ctx.childEnv, XDG_CONFIG_HOME: configDir };
    const common = [TOCK, 'audit', ...paths, '--fail-on', 'never', '--state-dir', stateDir];
    const json = { label: 'tock audit --json', args: [...common.slice(0, 2 + paths.length), '--json', ...common.slice(2 + paths.length)], check: checkJson(gen, paths) };
    const human = { label: 'tock audit (report)', args: common, check: checkReport(gen, paths) };
    const nodeE0 = { label: 'node -e 0', args: ['-e', '0'] };

    const busy = ctx.waitQuiet();
    progress(`audit: tock audit of ${String(gen.lines)} lines (${String(gen.jobs)} jobs) in ${String(FILES)} files, --json and the report, vs node -e 0 (${String(runs)} runs each after ${String(warmup)} warm-up)`);
    const samples = { json: [], human: [], node: [] };
    let doc;
    let outBytes = { json: 0, human: 0 };
    let lastReportLine = '';
    for (let i = 0; i < warmup + runs; i++) {
      const order = i % 2 === 0 ? [['node', nodeE0], ['json', json], ['human', human]] : [['human', human], ['json', json], ['node', nodeE0]];
      for (const [key, cmd] of order) {
        const res = timeNode(ctx, cmd, dir, env);
        if (key === 'json') {
          doc ??= JSON.parse(res.stdout);
          outBytes = { ...outBytes, json: Buffer.byteLength(res.stdout) };
        }
        if (key === 'human') {
          outBytes = { ...outBytes, human: Buffer.byteLength(res.stdout) };
          lastReportLine = res.stdout.trimEnd().split('\n').at(-1) ?? '';
        }
        if (i >= warmup) samples[key].push(res.ms);
      }
    }

    const counts = tally(doc.findings);
    const s = summary(samples.json);
    const h = summary(samples.human);
    const e0 = summary(samples.node);
    const crontabs = {
      files: FILES, lines: gen.lines, jobs: gen.jobs, bytes: gen.bytes, comments: gen.comments, blanks: gen.blanks, variables: gen.variables,
      new_york_files: gen.new_york_files, mailto_empty_files: gen.mailto_empty_files, unescaped_percent: gen.percent, sleep_chains: gen.sleep_chains,
      duplicate_lines: gen.duplicates, without_redirect: gen.no_redirect, kinds: gen.kinds, seed: SEED,
    };
    const peak = Math.max(...doc.histogram);
    const findings = { total: doc.findings.length, ...counts, busiest: doc.busiest, histogram: doc.histogram, histogram_peak: peak };
    const command = `node bin/tock.js audit <tmp>/crontabs/<100 files> --json --fail-on never --state-dir <tmp>/state`;
    const note = 'children run from the crontabs\' directory with XDG_CONFIG_HOME an empty dir and an empty --state-dir, so no jobfile or ledger of the caller joins in; baseline node -e 0 in the same interleaved rounds; the target is the absolute median';
    ctx.figures.push({
      id: 'audit-10000-json',
      name: `audit: ${String(gen.lines)} crontab lines in ${String(FILES)} files (--json)`,
      command,
      unit: 'ms',
      subject: s,
      baseline: { command: 'node -e 0', ...e0 },
      ratio: round(s.median / e0.median, 3),
      target: { kind: 'ms', value: TARGET_MS, text: `< ${String(TARGET_MS)} ms` },
      meets: s.median < TARGET_MS,
      ratio_of_mins: round(s.min / e0.min, 3),
      cpu_busy_pct_before: busy ?? null,
      output_bytes: outBytes.json,
      crontabs,
      findings: { total: findings.total, by_code: counts.by_code, by_severity: counts.by_severity },
      note,
    });
    ctx.figures.push({
      id: 'audit-10000-report',
      name: `audit: ${String(gen.lines)} crontab lines in ${String(FILES)} files (report)`,
      command: command.replace(' --json', ''),
      unit: 'ms',
      subject: h,
      baseline: { command: 'node -e 0', ...e0 },
      ratio: round(h.median / e0.median, 3),
      target: { kind: 'ms', value: TARGET_MS, text: `< ${String(TARGET_MS)} ms` },
      meets: h.median < TARGET_MS,
      ratio_of_mins: round(h.min / e0.min, 3),
      cpu_busy_pct_before: busy ?? null,
      output_bytes: outBytes.human,
      note: 'the human report of the same audit, timed in the same rounds as the --json run',
    });

    const codes = Object.entries(counts.by_code).map(([k, v]) => `${k} ${String(v)}`).join(', ');
    const sev = ['error', 'warning', 'info'].map((k) => `${String(counts.by_severity[k] ?? 0)} ${k}`).join(', ');
    const report = [
      `audit (bench/audit.mjs): ${String(gen.lines)} crontab lines in ${String(FILES)} files (${String(gen.jobs)} jobs, ${(gen.bytes / 1024).toFixed(0)} KB), the week's clash analysis, median of ${String(runs)} after ${String(warmup)} warm-up`,
      `  --json: ${fmt(s.median, 0)} ms median (min ${fmt(s.min, 0)}, max ${fmt(s.max, 0)}; target < ${String(TARGET_MS)}), output ${(outBytes.json / 1024).toFixed(0)} KB; ` +
        `the report: ${fmt(h.median, 0)} ms (min ${fmt(h.min, 0)}, max ${fmt(h.max, 0)}), ${(outBytes.human / 1024).toFixed(0)} KB; node -e 0 ${fmt(e0.median, 0)} ms`,
      `  findings: ${String(findings.total)} (${sev}): ${codes}`,
      `  the report's last line: ${lastReportLine}`,
      `  crontabs: ${Object.entries(gen.kinds).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${String(v)}`).join(', ')}; ` +
        `${String(gen.comments)} comments, ${String(gen.blanks)} blank, ${String(gen.variables)} variables; CRON_TZ=${NEW_YORK} in ${String(gen.new_york_files)} files; ` +
        `${String(gen.percent)} unescaped %, ${String(gen.sleep_chains)} sleep chains, ${String(gen.duplicates)} duplicated lines, ${String(gen.no_redirect)} without a redirect; ` +
        `busiest minute ${doc.busiest[0] !== undefined ? `${doc.busiest[0].at} (${String(doc.busiest[0].count)} jobs)` : '-'}, peak hour ${String(peak)} starts`,
    ];
    return { report, extras: { crontabs, findings, runs, warmup, json: s, report: h, node_e_0: e0, output_bytes: outBytes } };
  } finally {
    if (!ctx.keep) rmSync(base, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Standalone

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2);
  if (argv[0] === 'gen') {
    const dir = argv[1];
    if (dir === undefined) {
      console.error('usage: node bench/audit.mjs gen DIR');
      process.exit(2);
    }
    const gen = generateCrontabs();
    mkdirSync(dir, { recursive: true });
    for (const f of gen.files) writeFileSync(path.join(dir, f.name), f.text);
    console.log(JSON.stringify({ ...Object.fromEntries(Object.entries(gen).filter(([k]) => k !== 'files')), dir, try: `node bin/tock.js audit ${path.join(dir, '*')} --fail-on never` }));
  } else {
    await runStandalone('audit', argv, (context, option) => auditFigures({
      ...context, runs: Number(option('--runs', '7')),
    }));
  }
}
