import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { EXIT, EXIT_CODES } from '../../src/cli/exit-codes.js';
import type { Field, FieldTable } from '../../src/jobfile/fields.js';
import { JOB_FIELDS, TOP_FIELDS } from '../../src/jobfile/fields.js';
import { defaultText, showDefault } from '../../src/jobfile/show-default.js';
import { ROOT } from '../helpers/rig.js';

const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The cells of every table row under a heading, up to the next heading. */
function tableRows(heading: string): string[][] {
  const start = readme.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThan(-1);
  const rest = readme.slice(start + heading.length + 2);
  const section = rest.slice(0, rest.search(/^#/m) === -1 ? undefined : rest.search(/^#/m));
  return section.split('\n').filter((l) => l.startsWith('|') && !/^\|\s*-/.test(l))
    .map((l) => l.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
}

/** The default cell (the third) of a field's row in a README table. */
function defaultCell(heading: string, field: string): string | undefined {
  return tableRows(heading).find((row) => row[0] === `\`${field}\``)?.[2];
}

function withValueDefaults(table: FieldTable): [string, Field][] {
  return Object.entries(table).filter(([, field]) => showDefault(field) !== undefined && !('follows' in (showDefault(field) ?? {})));
}

describe('README jobfile reference', () => {
  it.each(Object.keys({ ...TOP_FIELDS, ...JOB_FIELDS }))('documents the field %s in a table row', (field) => {
    expect(readme).toMatch(new RegExp(`^\\|[^\\n]*\`${field}\``, 'm'));
  });

  it.each(withValueDefaults(TOP_FIELDS))('shows the top-level default of %s as the field table does', (name, field) => {
    expect(defaultCell('### Top-level fields', name)).toBe(`\`${defaultText(field) ?? ''}\``);
  });

  it.each(withValueDefaults(JOB_FIELDS))('shows the job default of %s as the field table does', (name, field) => {
    expect(defaultCell('### Job fields', name)).toBe(`\`${defaultText(field) ?? ''}\``);
  });

  it('shows the defaults of wait_for\'s own fields as the field table does', () => {
    const row = tableRows('### Job fields').find((r) => r[0] === '`wait_for`')?.join(' | ') ?? '';
    const { timeout, poll } = JOB_FIELDS.wait_for.type.fields;
    expect(row).toContain(`\`timeout\` defaults to \`${defaultText(timeout) ?? ''}\`, \`poll\` to \`${defaultText(poll) ?? ''}\``);
  });

  it('says that env merges with defaults.env and every other field replaces its default', () => {
    expect(readme).toMatch(/`defaults\.env` and the job's `env` merge, the job's value winning/);
  });

  it('shows npm test as the test command, as CI runs it', () => {
    expect(readme).toContain('npm test');
    expect(readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8')).toContain('npm test');
  });
});

describe('README exit codes', () => {
  it('lists exactly the codes of src/cli/exit-codes.ts, each in the same words', () => {
    const rows = tableRows('### Exit codes').slice(1); // the header row
    expect(rows).toEqual(EXIT_CODES.map((e) => [String(e.code), e.meaning]));
  });

  it('keeps the codes SPEC 6 names', () => {
    expect(EXIT).toEqual({ ok: 0, failed: 1, usage: 2, internal: 70, busy: 75 });
  });
});
