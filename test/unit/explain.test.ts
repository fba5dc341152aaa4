import { describe, expect, it } from 'vitest';

import { describeExit } from '../../src/cli/render/explain.js';

describe('describeExit', () => {
  it('reads exit codes as the shell means them', () => {
    expect(describeExit(0, null)).toBe('0: success');
    expect(describeExit(3, null)).toBe('3: the command failed');
    expect(describeExit(126, null)).toBe('126: the command is not executable');
    expect(describeExit(127, null)).toBe('127: command not found');
    expect(describeExit(137, null)).toBe('137: killed by SIGKILL');
    expect(describeExit(null, 'SIGTERM')).toBe('killed by SIGTERM (signal 15)');
    expect(describeExit(null, null)).toBe('no exit code');
  });
});
