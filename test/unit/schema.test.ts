import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { validateText } from '../../src/jobfile/load.js';
import { jobfileSchema } from '../../src/jobfile/schema.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXAMPLES = path.join(ROOT, 'examples');
const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).sort();

// strict: an unknown keyword or a contradiction in the generated schema is an error, not a log
// line; union types (`type: ['string', 'number']`) are plain draft-07, so they are allowed.
const AJV_OPTIONS = { allErrors: true, strict: true, allowUnionTypes: true } as const;
const validate = new Ajv(AJV_OPTIONS).compile(jobfileSchema());

/** The schema's verdict on a document: its errors, or [] when it passes. */
function schemaErrors(document: unknown): ErrorObject[] {
  return validate(document) ? [] : [...(validate.errors ?? [])];
}

describe('schema/tock.schema.json', () => {
  it('is what jobfileSchema() generates (run `npm run build` after changing the fields)', () => {
    const committed: unknown = JSON.parse(readFileSync(path.join(ROOT, 'schema', 'tock.schema.json'), 'utf8'));
    expect(committed).toEqual(jobfileSchema());
  });

  it('is a valid draft-07 schema', () => {
    const ajv = new Ajv(AJV_OPTIONS);
    expect(ajv.validateSchema(jobfileSchema()), ajv.errorsText()).toBe(true);
  });

  // An editor inserts a default as a value: each must be one the field itself accepts.
  const defaults = defaultsIn(jobfileSchema());
  it('shows the defaults, written as a user would (durations as 10s, lists as [])', () => {
    expect(Object.fromEntries(defaults.map((d) => [d.at, d.value]))).toMatchObject({
      '/properties/timezone': 'UTC', '/properties/max_parallel': 4, '/properties/defaults': {},
      '/definitions/job/properties/retry_delay': '10s', '/definitions/job/properties/max_retry_delay': '10m',
      '/definitions/job/properties/jitter': '0s', '/definitions/job/properties/needs': [], '/definitions/job/properties/env': {},
      '/definitions/job/properties/concurrency': 'forbid', '/definitions/job/properties/wait_for/properties/timeout': '1h',
    });
  });

  it.each(defaults)('the default at $at passes its own field\'s schema', ({ schema, value }) => {
    const check = new Ajv(AJV_OPTIONS).compile(schema);
    expect(check(value), JSON.stringify(check.errors)).toBe(true);
  });

  it('says in the description what a default follows when it is no value of its own', () => {
    const job = (jobfileSchema().definitions as { job: { properties: Record<string, { description: string; default?: unknown }> } }).job.properties;
    expect(job.timezone).toEqual(expect.objectContaining({ description: 'IANA zone for `schedule` (default: the top-level timezone)' }));
    expect(job.workdir?.default).toBeUndefined();
    expect(job.workdir?.description).toMatch(/\(default: the jobfile's directory\)$/);
  });
});

/** Every subschema with a `default`, with where it is (a JSON pointer into the schema). */
function defaultsIn(node: unknown, at = ''): { at: string; schema: Record<string, unknown>; value: unknown }[] {
  if (node === null || typeof node !== 'object') return [];
  const entries = Object.entries(node as Record<string, unknown>);
  const own = 'default' in node ? [{ at, schema: node as Record<string, unknown>, value: node.default }] : [];
  return [...own, ...entries.filter(([key]) => key !== 'default').flatMap(([key, child]) => defaultsIn(child, `${at}/${key}`))];
}

describe('the examples', () => {
  it('exist', () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  it.each(examples)('%s passes the JSON Schema', (example) => {
    const document: unknown = parse(readFileSync(path.join(EXAMPLES, example), 'utf8'));
    expect(schemaErrors(document)).toEqual([]);
  });

  it.each(examples)('%s passes tock\'s own validation', (example) => {
    const file = path.join(EXAMPLES, example);
    const result = validateText(readFileSync(file, 'utf8'), file);
    expect(result.ok ? [] : result.diagnostics.map((d) => `${d.path}: ${d.message}`)).toEqual([]);
  });
});

describe('the schema refuses what the validator refuses', () => {
  const valid = (): Record<string, unknown> => ({
    version: 1,
    jobs: { backup: { schedule: '0 3 * * *', command: 'backup.sh', timeout: '1h30m', retries: 2 } },
  });
  const withJob = (fields: Record<string, unknown>): Record<string, unknown> => {
    const document = valid();
    document.jobs = { backup: { schedule: '0 3 * * *', command: 'backup.sh', ...fields } };
    return document;
  };

  it('accepts the base document', () => {
    expect(schemaErrors(valid())).toEqual([]);
  });

  it('refuses an unknown job field', () => {
    expect(schemaErrors(withJob({ timout: '1h' }))).toContainEqual(expect.objectContaining({
      instancePath: '/jobs/backup', keyword: 'additionalProperties', params: { additionalProperty: 'timout' },
    }));
  });

  it('refuses an unknown top-level field', () => {
    expect(schemaErrors({ ...valid(), mailto: 'ops@example.com' })).toContainEqual(expect.objectContaining({
      instancePath: '', keyword: 'additionalProperties', params: { additionalProperty: 'mailto' },
    }));
  });

  it('refuses command in defaults', () => {
    expect(schemaErrors({ ...valid(), defaults: { command: 'x.sh' } })).toContainEqual(expect.objectContaining({
      instancePath: '/defaults', keyword: 'additionalProperties', params: { additionalProperty: 'command' },
    }));
  });

  it.each([
    ['retries', 'three', '/jobs/backup/retries'],
    ['enabled', 'yes', '/jobs/backup/enabled'],
    ['needs', 'extract', '/jobs/backup/needs'],
    ['command', 42, '/jobs/backup/command'],
  ] as const)('refuses %s: %j (a wrong type)', (field, value, at) => {
    const errors = schemaErrors(withJob({ [field]: value }));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.instancePath.startsWith(at))).toBe(true);
  });

  it.each(['soon', '1x', '2 hours', '1m1h', ''])('refuses timeout: %j (a bad duration)', (duration) => {
    const errors = schemaErrors(withJob({ timeout: duration }));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.instancePath === '/jobs/backup/timeout')).toBe(true);
  });

  it('refuses a negative duration in seconds', () => {
    expect(schemaErrors(withJob({ kill_grace: -5 })).length).toBeGreaterThan(0);
  });

  it.each(['90s', '15m', '2h', '1d', '1h30m', 45, '0.5s'])('accepts timeout: %j', (duration) => {
    expect(schemaErrors(withJob({ timeout: duration }))).toEqual([]);
  });

  it('refuses a missing version, an empty jobs mapping and a bad job name', () => {
    expect(schemaErrors({ jobs: valid().jobs })).toContainEqual(expect.objectContaining({ keyword: 'required', params: { missingProperty: 'version' } }));
    expect(schemaErrors({ version: 1, jobs: {} })).toContainEqual(expect.objectContaining({ instancePath: '/jobs', keyword: 'minProperties' }));
    expect(schemaErrors({ version: 1, jobs: { '-lead': { schedule: '@hourly', command: 'x' } } }))
      .toContainEqual(expect.objectContaining({ instancePath: '/jobs', keyword: 'propertyNames' }));
  });

  it('refuses an env value with two secret sources and an exit code out of range', () => {
    expect(schemaErrors(withJob({ env: { PASSWORD: { from_file: '/run/secret', from_env: 'PASSWORD' } } })).length).toBeGreaterThan(0);
    expect(schemaErrors(withJob({ retry_on_exit: [300] }))).toContainEqual(expect.objectContaining({ instancePath: '/jobs/backup/retry_on_exit/0' }));
  });
});
