import type { MetricFamily } from '../../ledger/metrics.js';

/**
 * The Prometheus text exposition format (version 0.0.4): what node_exporter's textfile
 * collector reads (`status --prometheus`) and what the daemon serves at `/metrics`. The one
 * place tock writes it.
 */
export function renderPrometheus(families: readonly MetricFamily[]): string {
  const out = families.flatMap((f) => [
    `# HELP ${f.name} ${f.help}`,
    `# TYPE ${f.name} ${f.type}`,
    ...f.samples.map((s) => `${f.name}${labels(s.labels)} ${number(s.value)}`),
  ]);
  return `${out.join('\n')}\n`;
}

function labels(set: Readonly<Record<string, string>> | undefined): string {
  const pairs = Object.entries(set ?? {});
  return pairs.length === 0 ? '' : `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

function number(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

// Label values escape backslash, double quote and newline (exposition format).
function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}
