import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { validateText } from '../../src/jobfile/load.js';
import type { Jobfile } from '../../src/jobfile/types.js';
import { parseField, MINUTE } from '../../src/schedule/cron/fields.js';

const TEXT = `
version: 1
jobs:
  a:
    schedule: "*/5 * * * *"
    command: echo a
    timeout: 5m
  b:
    needs: [a]
    command: ["echo", "b"]
    env: { hash: x }
`;

function jobfileOf(text: string): Jobfile {
  const result = validateText(text, '/srv/jobs/tock.yaml');
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'));
  return result.jobfile;
}

const sha = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

describe('the hashes of a jobfile and its jobs (computed when first read)', () => {
  it('a job\'s is the hash of its definition\'s JSON, without the hash; its JSON ends with it', () => {
    for (const job of jobfileOf(TEXT).jobs.values()) {
      const { hash, ...definition } = job;
      expect(hash).toBe(sha(JSON.stringify(definition)));
      expect(job.hash).toBe(hash);
      expect(JSON.stringify(job)).toBe(`${JSON.stringify(definition).slice(0, -1)},"hash":"${hash}"}`);
      expect({ ...job }.hash).toBe(hash);
    }
  });

  it('the jobfile\'s is the hash of its text; the same text gives the same hashes', () => {
    const one = jobfileOf(TEXT);
    const two = jobfileOf(TEXT);
    expect(one.hash).toBe(sha(TEXT));
    expect(two.hash).toBe(one.hash);
    expect([...two.jobs.values()].map((j) => j.hash)).toEqual([...one.jobs.values()].map((j) => j.hash));
    expect(jobfileOf(TEXT.replace('echo a', 'echo A')).jobs.get('a')?.hash).not.toBe(one.jobs.get('a')?.hash);
  });
});

describe('cron fields are parsed once per text', () => {
  it('the same field gives the same values, one array for every schedule that writes it', () => {
    const first = parseField('*/15', MINUTE, 'jobfile');
    const again = parseField('*/15', MINUTE, 'jobfile');
    expect(first.ok && first.values).toEqual([0, 15, 30, 45]);
    expect(again).toBe(first);
    const [a, b] = [...jobfileOf(TEXT.replace('needs: [a]', 'schedule: "*/5 * * * *"')).jobs.values()].map((j) => j.schedule);
    expect(a?.kind === 'cron' && b?.kind === 'cron' && a.fields.minute === b.fields.minute).toBe(true);
  });
});
