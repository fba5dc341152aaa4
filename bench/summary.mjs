// The closing summary of `npm run bench`: one row per figure of issue 13's table, in its order,
// with tock's value, the baseline's measured in the same run, their ratio (or difference), the
// aim and whether it is met. A figure that did not run says why ("not measured (...)").

const fmt = (x, d = 1) => (x === null || x === undefined || Number.isNaN(x) ? '-' : Number(x).toFixed(d));

/** A ratio, with enough digits to be read when it is small (a wake against a scan: 0.0003x). */
export const ratioText = (r) => `${fmt(r, r < 0.1 ? 4 : 2)}x`;

/** How a figure's value is shown: ms, µs, MiB or runs/s, its median unless `stat` says. */
function value(f, s, stat = 'median') {
  if (s === null || s === undefined) return '-';
  const x = f.unit.endsWith('/s') ? (s.overall ?? s.median) : s[stat];
  if (f.unit === 'ms') return x >= 1000 ? `${fmt(x / 1000, 2)} s` : `${fmt(x, x < 100 ? 1 : 0)} ms`;
  if (f.unit === 'µs') return `${fmt(x, 2)} µs`;
  if (f.unit === 'MiB') return `${fmt(x, 1)} MiB`;
  return `${fmt(x, 0)} ${f.unit}`;
}

// The rows: [label, figure id, statistic shown, how the comparison is put].
const ROWS = [
  ['fire latency, median (croner 11)', 'daemon-fire-latency', 'median', 'ratio'],
  ['fire latency, p99 (croner 11)', 'daemon-fire-latency-p99', 'p99', 'ratio'],
  ['fire latency, 1k jobs + a run, median (vs idle)', 'daemon-fire-latency-loaded', 'median', 'diff'],
  ['fire latency, 1k jobs + a run, p99 (vs idle)', 'daemon-fire-latency-loaded-p99', 'p99', 'diff'],
  ['idle CPU, 1k jobs, 60 s (bare node)', 'daemon-idle-cpu', 'median', 'diff'],
  ['idle RSS, 1k jobs (bare node)', 'daemon-idle-rss', 'median', 'ratio'],
  ['start-up to armed, 10k jobs (validate)', 'daemon-startup-armed', 'median', 'ratio'],
  ['start-up to armed, 100k jobs (validate)', 'daemon-startup-armed-100k', 'median', 'ratio'],
  ['one wake, 100k jobs (a scan of every job)', 'daemon-wake-cost', 'median', 'ratio'],
  ['tock --version (node -e 0)', 'cold-start-version', 'median', 'ratio'],
  ['tock validate example (node -e 0)', 'cold-start-validate', 'median', 'ratio'],
  ['tock run true (node spawning true)', 'run-overhead', 'median', 'ratio'],
  ['engine runs/s, 8 parallel, fsync (no ledger)', 'engine-throughput', 'median', 'ratio'],
  ['backfill plan, a year minutely, UTC', 'backfill-plan-year', 'median', 'none'],
  ['backfill plan, a year minutely, New York', 'backfill-plan-year-new-york', 'median', 'none'],
  ['audit, 10k lines in 100 files (--json)', 'audit-10000-json', 'median', 'none'],
  ['audit, 10k lines in 100 files (report)', 'audit-10000-report', 'median', 'none'],
];

/**
 * Rows of [figure, tock, baseline, ratio, aim, met?]. `skipped` maps a figure id's group to why
 * it did not run (e.g. "--no-daemon"); `groupOf(id)` names the group.
 */
export function summaryRows(figures, skippedWhy) {
  return ROWS.map(([label, id, stat, how]) => {
    const f = figures.find((x) => x.id === id);
    if (f === undefined) return [label, `not measured (${skippedWhy(id)})`, '', '', '', '-'];
    const aim = f.target?.text ?? '-';
    if (f.not_measured !== undefined) return [label, `not measured (${f.not_measured})`, '', '', aim, '-'];
    const tock = value(f, f.subject, stat);
    const base = f.baseline !== null ? value(f, f.baseline, stat) : '-';
    let cmp = '-';
    if (how === 'ratio' && f.ratio !== null && f.ratio !== undefined) cmp = ratioText(f.ratio);
    else if (how === 'diff' && f.baseline !== null) {
      const d = f.diff_ms ?? f.subject[stat] - f.baseline[stat];
      cmp = `${d >= 0 ? '+' : ''}${fmt(d, 2)} ms`;
    }
    const extra = f.rss_mib_at_armed !== undefined ? ` (RSS ${fmt(f.rss_mib_at_armed.median, 0)} MiB)` : '';
    return [label, `${tock}${extra}`, base, cmp, aim, f.meets === null || f.meets === undefined ? '-' : f.meets ? 'yes' : 'NO'];
  });
}

export const SUMMARY_HEADER = ['figure (baseline)', 'tock', 'baseline', 'ratio', 'aim', 'met?'];
