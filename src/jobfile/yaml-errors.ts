import type { YAMLError } from 'yaml';

import type { Diagnostic } from './diagnostic.js';

/**
 * A YAML parse error as a diagnostic. The parser reports some errors where it noticed them, not
 * where the mistake is (an unclosed quote at the end of the file, a bad indent at column 1), so
 * the position is moved to what a person has to fix.
 */
export function yamlErrorDiagnostic(error: YAMLError, text: string): Diagnostic {
  const fix = 'fix the YAML syntax at this position (check indentation, quotes and colons)';
  if (error.code === 'MULTIPLE_DOCS') {
    const start = error.pos[0];
    return {
      severity: 'error', code: 'yaml-syntax', path: '', start, end: start + 3,
      message: 'expected one YAML document, got a second one starting at this "---"',
      fix: 'a jobfile is a single document: remove the "---" line and move the jobs after it into the first "jobs:"',
    };
  }
  const first = error.message.split('\n')[0] ?? error.message;
  const said = first.replace(/\s+at line \d+, column \d+.*$/s, '').replace(/\.$/, '');
  const start = locate(error, said, text);
  return {
    severity: 'error',
    code: 'yaml-syntax',
    path: '',
    message: `expected valid YAML, got a syntax error: ${said.charAt(0).toLowerCase()}${said.slice(1)}`,
    fix: error.code === 'DUPLICATE_KEY' ? 'remove or rename the repeated key' : fix,
    start,
    end: start + 1,
  };
}

function locate(error: YAMLError, said: string, text: string): number {
  const at = Math.min(error.pos[0], text.length);
  const quote = /^Missing closing (["'])quote/.exec(said)?.[1];
  if (quote !== undefined) return unclosedQuote(text, at, quote) ?? at;
  if (/^Flow (sequence|mapping)/.test(said)) {
    const open = said.startsWith('Flow sequence') ? '[' : '{';
    const index = text.lastIndexOf(open, at);
    if (index !== -1) return index;
  }
  // An indentation error at the start of a line means the first thing written on it.
  const lineEnd = text.indexOf('\n', at);
  const rest = text.slice(at, lineEnd === -1 ? undefined : lineEnd);
  const skip = /^ */.exec(rest)?.[0].length ?? 0;
  return skip < rest.length ? at + skip : at;
}

/** The opening quote of the last line before `at` with an odd number of that quote. */
function unclosedQuote(text: string, at: number, quote: string): number | undefined {
  const lines = text.slice(0, at).split('\n');
  let offset = at;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] ?? '';
    offset -= line.length + (i === lines.length - 1 ? 0 : 1);
    const count = line.split(quote).length - 1;
    if (count % 2 === 1) return offset + line.lastIndexOf(quote);
  }
  return undefined;
}
