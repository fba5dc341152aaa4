import { describe, expect, it } from 'vitest';

import { renderGraph, renderGraphDot, renderGraphMermaid, renderGraphText } from '../../src/cli/render/graph.js';
import type { Job } from '../../src/jobfile/types.js';
import { dedent } from '../helpers/rig.js';
import { jobfileFrom } from '../helpers/engine.js';

// A fan-out (validate), a fan-in (train needs two), when: failure and always, a disabled job,
// an isolated job in another zone, and names with dots and dashes.
const { jobs } = jobfileFrom(`
  version: 1
  timezone: UTC
  jobs:
    extract: { schedule: "15 2 * * *", command: "true" }
    validate: { needs: [extract], command: "true" }
    features: { needs: [validate], command: "true" }
    report: { needs: [validate], command: "true" }
    train: { needs: [features, report], command: "true" }
    page.on-call: { needs: [validate], when: failure, command: "true" }
    cleanup: { needs: [train], when: always, command: "true" }
    legacy-export: { needs: [extract], enabled: false, command: "true" }
    backup.db-nightly: { schedule: "@every 6h", timezone: Europe/Berlin, command: "true" }
`);

const expected = (text: string): string => `${dedent(text).trimEnd()}\n`;

describe('renderGraphText', () => {
  it('draws a tree under each root, a fan-in in full once and "see above" after, isolated jobs last', () => {
    expect(renderGraphText(jobs)).toBe(expected(`
      extract  [15 2 * * *, UTC]
      ├─ validate
      │  ├─ features
      │  │  └─ train (needs features, report)
      │  │     └─ cleanup (when: always)
      │  ├─ report
      │  │  └─ train (needs features, report; see above)
      │  └─ page.on-call (when: failure)
      └─ legacy-export (disabled)

      backup.db-nightly  [@every 6h, Europe/Berlin]
    `));
  });

  it('separates trees of several roots with a blank line, and marks a disabled root', () => {
    const several = jobfileFrom(`
      version: 1
      timezone: UTC
      jobs:
        a: { schedule: "@hourly", command: "true" }
        b: { schedule: "@hourly", enabled: false, command: "true" }
        c: { needs: [a, b], command: "true" }
        d: { needs: [b], command: "true" }
        lone: { schedule: "0 * * * *", command: "true" }
        other: { schedule: "5 * * * *", enabled: false, command: "true" }
    `).jobs;
    expect(renderGraphText(several)).toBe(expected(`
      a  [@hourly, UTC]
      └─ c (needs a, b)

      b  [@hourly, UTC] (disabled)
      ├─ c (needs a, b; see above)
      └─ d

      lone  [0 * * * *, UTC]
      other  [5 * * * *, UTC] (disabled)
    `));
  });

  it('says so when there are no jobs', () => {
    expect(renderGraphText(new Map())).toBe('no jobs\n');
  });
});

describe('renderGraphDot', () => {
  it('writes a digraph with quoted names, schedules on a second line, styled edges and grey disabled jobs', () => {
    expect(renderGraphDot(jobs)).toBe(expected(String.raw`
      digraph tock {
        rankdir=LR;
        node [shape=box];
        "extract" [label="extract\n15 2 * * *"];
        "validate" [label="validate"];
        "features" [label="features"];
        "report" [label="report"];
        "train" [label="train"];
        "page.on-call" [label="page.on-call"];
        "cleanup" [label="cleanup"];
        "legacy-export" [label="legacy-export", color=grey, fontcolor=grey];
        "backup.db-nightly" [label="backup.db-nightly\n@every 6h"];
        "extract" -> "validate";
        "validate" -> "features";
        "validate" -> "report";
        "features" -> "train";
        "report" -> "train";
        "validate" -> "page.on-call" [style=dashed, label="failure"];
        "train" -> "cleanup" [style=dotted, label="always"];
        "extract" -> "legacy-export";
      }
    `));
  });

  it('escapes quotes and backslashes inside quoted strings', () => {
    expect(renderGraphDot(renamed('we"ird\\'))).toContain(String.raw`"we\"ird\\" [label="we\"ird\\\n15 2 * * *"];`);
  });
});

describe('renderGraphMermaid', () => {
  it('writes a flowchart with n0, n1... ids, names as labels, labelled edges and a class for disabled jobs', () => {
    expect(renderGraphMermaid(jobs)).toBe(expected(`
      flowchart LR
        n0["extract<br/>15 2 * * *"]
        n1["validate"]
        n2["features"]
        n3["report"]
        n4["train"]
        n5["page.on-call"]
        n6["cleanup"]
        n7["legacy-export"]
        n8["backup.db-nightly<br/>@every 6h"]
        n0 --> n1
        n1 --> n2
        n1 --> n3
        n2 --> n4
        n3 --> n4
        n1 -. failure .-> n5
        n4 -- always --> n6
        n0 --> n7
        classDef disabled fill:#eee,stroke:#999,color:#999
        class n7 disabled
    `));
  });

  it('writes characters Mermaid would read as syntax as entity codes', () => {
    expect(renderGraphMermaid(renamed('a"<b>&#c'))).toContain('n0["a#quot;#lt;b#gt;#amp;#35;c<br/>15 2 * * *"]');
  });
});

describe('renderGraph', () => {
  it('picks the renderer by format, and every format ends with a newline', () => {
    expect(renderGraph(jobs, 'text')).toBe(renderGraphText(jobs));
    expect(renderGraph(jobs, 'dot')).toBe(renderGraphDot(jobs));
    expect(renderGraph(jobs, 'mermaid')).toBe(renderGraphMermaid(jobs));
    for (const format of ['text', 'dot', 'mermaid'] as const) expect(renderGraph(jobs, format)).toMatch(/[^\n]\n$/);
  });
});

/** The extract job alone under a name validation would refuse, to reach the escaping. */
function renamed(name: string): ReadonlyMap<string, Job> {
  const extract = jobs.get('extract') as Job;
  return new Map([[name, { ...extract, name }]]);
}

describe('a 12,000-job chain', () => {
  const lines = ['version: 1', 'jobs:', '  j0: { schedule: "@daily", command: "true" }'];
  for (let i = 1; i < 12_000; i++) lines.push(`  j${String(i)}: { needs: [j${String(i - 1)}], command: "true" }`);
  const chain = jobfileFrom(lines.join('\n')).jobs;

  it('draws one line a job, indents no deeper than 32 levels and says the depth beyond', () => {
    const text = renderGraphText(chain).trimEnd().split('\n');
    expect(text).toHaveLength(12_000);
    expect(text[0]).toBe('j0  [@daily, UTC]');
    expect(text.at(-1)).toMatch(/^ {93}└─ \[depth 11999\] j11999$/);
    expect(Math.max(...text.map((l) => l.length))).toBeLessThan(130);
  });

  it('orders the dot and mermaid outputs needs first', () => {
    const dot = renderGraphDot(chain);
    expect(dot.indexOf('"j0" -> "j1"')).toBeLessThan(dot.indexOf('"j11998" -> "j11999"'));
    expect(renderGraphMermaid(chain)).toContain('n11998 --> n11999');
  });
});
