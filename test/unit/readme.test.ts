import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { JOB_FIELDS, TOP_FIELDS } from '../../src/jobfile/fields.js';
import { ROOT } from '../helpers/rig.js';

const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe('README jobfile reference', () => {
  it.each(Object.keys({ ...TOP_FIELDS, ...JOB_FIELDS }))('documents the field %s in a table row', (field) => {
    expect(readme).toMatch(new RegExp(`^\\|[^\\n]*\`${field}\``, 'm'));
  });

  it('shows npm test as the test command, as CI runs it', () => {
    expect(readme).toContain('npm test');
    expect(readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8')).toContain('npm test');
  });
});
