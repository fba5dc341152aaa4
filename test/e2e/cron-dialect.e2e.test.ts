// One reading of cron, said two ways: a jobfile takes `5/10` as `5-59/10` (as Kubernetes does),
// and `tock audit` of the same line in a crontab says Vixie cron skips it. The built CLI, real files.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { Rig } from '../helpers/rig.js';

const rigs: Rig[] = [];
function rig(yaml: string): Rig {
  const r = new Rig(yaml);
  rigs.push(r);
  return r;
}
afterEach(() => {
  for (const r of rigs.splice(0)) r.cleanup();
});

describe('5/10', () => {
  it('tock next lists :05, :15, :25 for a jobfile schedule of 5/10 * * * *', async () => {
    const r = rig('version: 1\njobs:\n  poll: { schedule: "5/10 * * * *", command: "true" }\n');
    const result = await r.run(['next', '--from', '2026-05-01T08:00:00Z', '--count', '3', '--json']);
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as { jobs: { name: string; instants: string[] }[] };
    expect(doc.jobs[0]?.instants.map((t) => new Date(t).toISOString())).toEqual([
      '2026-05-01T08:05:00.000Z', '2026-05-01T08:15:00.000Z', '2026-05-01T08:25:00.000Z',
    ]);
  });

  it('tock audit of the same line in a crontab reports a syntax finding that says Vixie cron skips it', async () => {
    const r = rig('version: 1\njobs:\n  x: { schedule: "@daily", command: "true" }\n');
    const file = path.join(r.dir, 'crontab');
    writeFileSync(file, 'MAILTO=ops@example.com\n5/10 * * * * /srv/bin/poll.sh\n');
    const result = await r.run(['audit', file, '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { findings: { code: string; line: number; message: string }[] };
    const syntax = report.findings.filter((f) => f.code === 'syntax');
    expect(syntax).toHaveLength(1);
    expect(syntax[0]?.line).toBe(2);
    expect(syntax[0]?.message).toBe('column 1: expected a step only after * or a range, like */5 or 0-30/5 (Vixie cron skips this line; a tock jobfile reads 5/10 as 5-59/10), got 5/10');
  });
});

describe('the day rule', () => {
  it('0 0 */2 * 1 runs on odd-dated Mondays: cron ANDs the day fields when one starts with *', async () => {
    const r = rig('version: 1\njobs:\n  j: { schedule: "0 0 */2 * 1", command: "true" }\n');
    const result = await r.run(['next', '--from', '2026-01-01T00:00:00Z', '--count', '3', '--json']);
    const doc = JSON.parse(result.stdout) as { jobs: { instants: string[] }[] };
    expect(doc.jobs[0]?.instants.map((t) => new Date(t).toISOString().slice(0, 10))).toEqual(['2026-01-05', '2026-01-19', '2026-02-09']);
  });
});
