import type { Diagnostic, Source } from '../../jobfile/diagnostic.js';
import type { Paint } from './style.js';
import { plainPaint } from './style.js';

/**
 * A diagnostic as a compiler prints it: `file:line:col: error: path: message`, the source line
 * with a caret under the node, then the fix. Returns one string per diagnostic.
 */
export function renderDiagnostics(diagnostics: readonly Diagnostic[], source: Source, shownPath: string, paint: Paint = plainPaint): string[] {
  const lines = source.text.split('\n');
  return [...diagnostics]
    .sort((a, b) => a.start - b.start)
    .map((d) => {
      const { line, col } = source.lineCounter.linePos(d.start);
      const text = (lines[line - 1] ?? '').replace(/\r$/, '');
      const sameLine = source.lineCounter.linePos(Math.max(d.start, d.end - 1)).line === line;
      const width = Math.max(1, sameLine ? d.end - d.start : text.length - (col - 1));
      const gutter = String(line).length;
      const where = d.path === '' ? '' : `${d.path}: `;
      // Errors red, warnings yellow, as a compiler colours them.
      const colour = d.severity === 'error' ? paint.red : paint.yellow;
      return [
        `${paint.bold(`${shownPath}:${String(line)}:${String(col)}:`)} ${colour(`${d.severity}:`)} ${where}${d.message}`,
        `  ${paint.dim(`${String(line)} |`)} ${text}`,
        `  ${paint.dim(`${' '.repeat(gutter)} |`)} ${' '.repeat(col - 1)}${colour('^'.repeat(Math.min(width, Math.max(1, text.length - col + 1))))}`,
        `  ${paint.cyan('fix:')} ${d.fix}`,
      ].join('\n');
    });
}
