// Statistics shared by the bench modules: percentiles by linear interpolation, rounded to µs.

export const r3 = (x) => Math.round(x * 1000) / 1000;
export const round = (x, d) => Math.round(x * 10 ** d) / 10 ** d;

/** The p-th percentile (0..1) of sorted samples. */
export function pct(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = (sorted.length - 1) * p;
  const lo = Math.floor(i);
  const hi = Math.ceil(i);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo);
}

/** n, median, min, max, p90 (and p99 when asked) and the samples, each rounded. */
export function summary(samples, { p99 = false } = {}) {
  const s = [...samples].sort((a, b) => a - b);
  return {
    n: s.length, median: r3(pct(s, 0.5)), min: r3(s[0]), max: r3(s.at(-1)), p90: r3(pct(s, 0.9)),
    ...(p99 ? { p99: r3(pct(s, 0.99)) } : {}), samples: samples.map(r3),
  };
}
