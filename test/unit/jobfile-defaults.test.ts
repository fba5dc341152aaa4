import path from 'node:path';

import { describe, expect, it } from 'vitest';

import type { Field } from '../../src/jobfile/fields.js';
import { JOB_FIELDS } from '../../src/jobfile/fields.js';
import type { JobFieldName } from '../../src/jobfile/job-property.js';
import { jobFieldValue, jobPropertyOf } from '../../src/jobfile/job-property.js';
import type { LoadOptions } from '../../src/jobfile/load.js';
import { validateText } from '../../src/jobfile/load.js';
import { defaultText } from '../../src/jobfile/show-default.js';
import type { Job, Jobfile } from '../../src/jobfile/types.js';

const FILE = '/srv/jobs/tock.yaml';

function load(yaml: string, options: LoadOptions = {}): ReturnType<typeof validateText> {
  return validateText(yaml, FILE, options);
}

function jobfileOf(yaml: string): Jobfile {
  const result = load(yaml);
  if (!result.ok) throw new Error(result.diagnostics.map((d) => `${d.path}: ${d.message}`).join('\n'));
  return result.jobfile;
}

function jobOf(yaml: string, name: string): Job {
  const job = jobfileOf(yaml).jobs.get(name);
  if (job === undefined) throw new Error(`no job ${name}`);
  return job;
}

describe('a job that sets nothing but its command and schedule', () => {
  const bare = jobfileOf('version: 1\njobs:\n  bare: { schedule: "@daily", command: "true" }\n');
  const job = bare.jobs.get('bare') as Job;

  it('gets the documented defaults (SPEC 2), durations in milliseconds', () => {
    expect(bare.timezone).toBe('UTC');
    expect(bare.maxParallel).toBe(4);
    expect(job).toMatchObject({
      timezone: 'UTC', needs: [], when: 'success', enabled: true, retries: 0, retryDelayMs: 10_000, retryBackoff: 2,
      maxRetryDelayMs: 600_000, killGraceMs: 10_000, concurrency: 'forbid', locks: [], catchup: 'latest', jitterMs: 0,
      env: {}, workdir: '/srv/jobs', shell: '/bin/sh', hooks: {},
    });
  });

  it('shows each default as a user would write it', () => {
    const shown = Object.fromEntries(Object.entries(JOB_FIELDS as Record<string, Field>).map(([name, field]) => [name, defaultText(field)]));
    expect(shown).toMatchObject({
      retry_delay: '10s', max_retry_delay: '10m', kill_grace: '10s', jitter: '0s', retries: '0', retry_backoff: '2',
      enabled: 'true', needs: '[]', env: '{}', concurrency: 'forbid', timezone: 'the top-level timezone', workdir: 'the jobfile\'s directory',
    });
    expect(shown.timeout).toBeUndefined();
  });

  it('waits for a path with the default timeout and poll when only the path is given', () => {
    const waiting = jobOf('version: 1\njobs:\n  w: { schedule: "@daily", command: "true", wait_for: { path: in.csv } }\n', 'w');
    expect(waiting.waitFor).toEqual({ path: 'in.csv', timeoutMs: 3_600_000, pollMs: 5000 });
  });
});

describe('defaults under a job', () => {
  const yaml = `
version: 1
defaults:
  env: { REGION: eu, LEVEL: info }
  on_failure: { command: notify-default }
  wait_for: { path: default.flag, poll: 1s }
  locks: [db]
  retries: 2
jobs:
  own:
    schedule: "@daily"
    command: "true"
    env: { LEVEL: debug, APP: own }
    on_failure: { webhook: "http://127.0.0.1:9/hook" }
    wait_for: { path: own.flag }
    locks: [cache]
  inherits:
    schedule: "@daily"
    command: "true"
`;
  const jobfile = jobfileOf(yaml);
  const own = jobfile.jobs.get('own') as Job;
  const inherits = jobfile.jobs.get('inherits') as Job;

  it('env merges: the default variables stay, the job\'s win on the same name', () => {
    expect(own.env).toEqual({ REGION: 'eu', LEVEL: 'debug', APP: 'own' });
    expect(inherits.env).toEqual({ REGION: 'eu', LEVEL: 'info' });
  });

  it('a hook, wait_for and a list are replaced whole by the job\'s', () => {
    expect(own.hooks).toEqual({ on_failure: { webhook: 'http://127.0.0.1:9/hook' } });
    expect(own.waitFor).toEqual({ path: 'own.flag', timeoutMs: 3_600_000, pollMs: 5000 });
    expect(own.locks).toEqual(['cache']);
    expect(inherits.hooks).toEqual({ on_failure: { command: 'notify-default' } });
    expect(inherits.waitFor).toEqual({ path: 'default.flag', timeoutMs: 3_600_000, pollMs: 1000 });
    expect(inherits.locks).toEqual(['db']);
    expect(own.retries).toBe(2);
  });
});

describe('the YAML field -> Job property rule (tock why names changes by it)', () => {
  const everything = `
version: 1
jobs:
  up: { schedule: "@daily", command: "true" }
  all:
    description: d
    command: "true"
    schedule: "@hourly"
    timezone: Europe/London
    needs: [up]
    when: always
    enabled: false
    retries: 1
    retry_delay: 1s
    retry_backoff: 3
    max_retry_delay: 1m
    retry_on_exit: [3]
    timeout: 5m
    kill_grace: 2s
    deadline: 1h
    sla: 30m
    concurrency: queue
    locks: [db]
    catchup: all
    start_deadline: 5m
    jitter: 10s
    wait_for: { path: flag }
    env: { A: "1" }
    workdir: /tmp
    shell: /bin/bash
    user: nobody
    group: nogroup
    on_failure: { command: f }
    on_success: { command: s }
    on_retry: { command: r }
    on_sla: { command: l }
`;
  const job = jobOf(everything, 'all') as unknown as Record<string, unknown>;
  const fields = (Object.keys(JOB_FIELDS) as JobFieldName[]).filter((f) => f !== 'no_retry_on_exit');

  it.each(fields)('%s lands in the Job property the rule names', (field) => {
    expect(jobFieldValue(job, field), jobPropertyOf(field)).toBeDefined();
  });

  it('durations gain Ms, the rest go camelCase', () => {
    expect(jobPropertyOf('retry_delay')).toBe('retryDelayMs');
    expect(jobPropertyOf('timeout')).toBe('timeoutMs');
    expect(jobPropertyOf('wait_for')).toBe('waitFor');
    expect(jobPropertyOf('no_retry_on_exit')).toBe('noRetryOnExit');
    expect(jobFieldValue(job, 'timeout')).toBe(300_000);
    expect(jobFieldValue(job, 'on_sla')).toEqual({ command: 'l' });
  });
});

describe('validate warnings about this host', () => {
  const yaml = `
version: 1
defaults:
  workdir: data
jobs:
  a: { schedule: "@daily", command: "true", workdir: /does/not/exist }
  b: { schedule: "@daily", command: "true" }
  c: { schedule: "@daily", command: "true", workdir: /tmp }
`;

  it('warns about a workdir that is not a directory here, at the field it comes from; the file stays valid', () => {
    const result = load(yaml, { directoryExists: (dir) => dir === '/tmp' });
    expect(result.ok).toBe(true);
    const warnings = result.ok ? result.warnings : [];
    expect(warnings.map((w) => ({ ...w, ...result.source.lineCounter.linePos(w.start) }))).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'missing-workdir', path: 'jobs.a.workdir', line: 6, col: 54,
        message: 'expected a directory that exists on this host, got "/does/not/exist"' }),
      expect.objectContaining({ severity: 'warning', code: 'missing-workdir', path: 'jobs.b.workdir', line: 4, col: 12,
        message: `expected a directory that exists on this host, got "${path.join('/srv/jobs', 'data')}"` }),
    ]);
  });

  it('never warns about the jobfile\'s own directory, nor without a way to look', () => {
    const plain = 'version: 1\njobs:\n  b: { schedule: "@daily", command: "true" }\n';
    const looked: string[] = [];
    const result = load(plain, { directoryExists: (dir) => { looked.push(dir); return false; } });
    expect(result.ok && result.warnings).toEqual([]);
    expect(looked).toEqual([]);
    expect(load(yaml).ok && (load(yaml) as { warnings: unknown[] }).warnings).toEqual([]);
  });
});
