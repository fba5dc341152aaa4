import { FIVE_FIELDS, parseField } from '../schedule/cron/fields.js';
import { MACROS as CRON_MACROS, REBOOT } from '../schedule/cron/expression.js';
import type { CronMacro, Crontab, CrontabEntry, CrontabFormat, CrontabProblem } from './types.js';

export { fieldValues, type FieldValues } from './fields.js';

/** `system` for /etc/crontab and files under /etc/cron.d/ (they carry a user column), else `user`. */
export function cronFormatFor(path: string): CrontabFormat {
  return path === '/etc/crontab' || path.startsWith('/etc/cron.d/') ? 'system' : 'user';
}

const MACROS = [REBOOT, ...Object.keys(CRON_MACROS)] as readonly CronMacro[];

// Vixie's load_env: a name (no blanks, no `=`), optional blanks, `=`, the rest of the line.
const VARIABLE = /^[ \t]*([^\s=]+)[ \t]*=[ \t]*(.*?)[ \t]*$/;

/** A problem on one line, before the file and line are attached. */
interface LineProblem {
  column: number;
  expected: string;
  got: string;
}

type Line =
  | { kind: 'blank' }
  | { kind: 'comment'; text: string }
  | { kind: 'variable'; name: string; value: string }
  | { kind: 'entry'; entry: Omit<CrontabEntry, 'file' | 'line' | 'comments' | 'env'> }
  | { kind: 'problem'; problem: LineProblem };

/**
 * Read a crontab(5) file as Vixie/Debian cron does, keeping positions and comments.
 * Lines cron would refuse or ignore become problems, never entries.
 */
export function parseCrontab(text: string, file: string, format: CrontabFormat): Crontab {
  const entries: CrontabEntry[] = [];
  const problems: CrontabProblem[] = [];
  const env: Record<string, string> = {};
  let comments: string[] = [];
  const lines = text.split('\n');
  // Text ending in a newline splits into a last empty string, which is not a line.
  const terminated = lines[lines.length - 1] === '';
  if (terminated) lines.pop();

  lines.forEach((source, index) => {
    const line = index + 1;
    // cron splits on \n only: a \r inside a line (a file with CR-only line endings) would run
    // everything after it as part of one command. A trailing \r (CRLF) is cron's problem too,
    // but it is read as cron reads it.
    const cr = source.indexOf('\r');
    if (cr !== -1 && cr < source.length - 1) {
      problems.push({ file, line, column: cr + 1, expected: 'lines that end with a newline (\\n)', got: 'a carriage return (\\r) inside the line (CR-only line endings; convert with tr \'\\r\' \'\\n\')' });
      comments = [];
      return;
    }
    const parsed = classifyLine(source, format);
    const last = index === lines.length - 1;
    if (last && !terminated && (parsed.kind === 'entry' || parsed.kind === 'variable')) {
      // Vixie cron drops an unterminated last line (Debian's crontab(1) warns about it).
      problems.push({ file, line, column: source.length + 1, expected: 'a newline at the end of the file', got: 'end of file' });
      return;
    }
    switch (parsed.kind) {
      case 'blank':
        comments = [];
        return;
      case 'comment':
        comments.push(parsed.text);
        return;
      case 'variable':
        env[parsed.name] = parsed.value;
        comments = [];
        return;
      case 'entry':
        entries.push({ ...parsed.entry, file, line, comments, env: { ...env } });
        comments = [];
        return;
      case 'problem':
        problems.push({ file, line, ...parsed.problem });
        comments = [];
        return;
      default:
        unreachable(parsed);
    }
  });
  return { file, format, entries, problems };
}

function unreachable(x: never): never {
  throw new Error(`internal: unhandled crontab line ${JSON.stringify(x)}`);
}

function classifyLine(source: string, format: CrontabFormat): Line {
  const trimmed = source.trimStart();
  if (trimmed.trim() === '') return { kind: 'blank' };
  if (trimmed.startsWith('#')) {
    return { kind: 'comment', text: trimmed.slice(1).replace(/^ /, '').trimEnd() };
  }
  const variable = VARIABLE.exec(source);
  if (variable !== null) {
    const [, name = '', value = ''] = variable;
    return { kind: 'variable', name, value: unquote(value) };
  }
  return parseEntry(source, format);
}

function unquote(value: string): string {
  const first = value[0];
  if (value.length >= 2 && (first === '"' || first === "'") && value.endsWith(first)) return value.slice(1, -1);
  return value;
}

/** A blank-separated word of a line and its 1-based column. */
interface Token {
  text: string;
  column: number;
}

/** Cuts a line into blank-separated words, leaving the rest (the command) intact. */
class Scanner {
  private pos = 0;

  constructor(private readonly source: string) {}

  /** The next word, or undefined at the end of the line. */
  word(): Token | undefined {
    this.skipBlanks();
    if (this.pos >= this.source.length) return undefined;
    const start = this.pos;
    while (this.pos < this.source.length && !isBlank(this.source[this.pos])) this.pos++;
    return { text: this.source.slice(start, this.pos), column: start + 1 };
  }

  /** Everything after the blanks that follow the last word: the command, as written. */
  rest(): Token | undefined {
    this.skipBlanks();
    if (this.pos >= this.source.length) return undefined;
    return { text: this.source.slice(this.pos), column: this.pos + 1 };
  }

  /** The column just past the end of the line, for "got end of line". */
  end(): number {
    return this.source.length + 1;
  }

  private skipBlanks(): void {
    while (this.pos < this.source.length && isBlank(this.source[this.pos])) this.pos++;
  }
}

function isBlank(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

const END = 'end of line';
// Fields already read as valid (`0`, `*`, `*/5` in thousands of lines): each is parsed once. Bounded.
const validFields = new Set<string>();
const VALID_FIELDS_MAX = 10_000;

function parseEntry(source: string, format: CrontabFormat): Line {
  const scan = new Scanner(source);
  const problem = (column: number, expected: string, got: string): Line => ({ kind: 'problem', problem: { column, expected, got } });
  const first = scan.word();
  if (first === undefined) return { kind: 'blank' };

  let schedule: Pick<CrontabEntry, 'schedule' | 'fields' | 'macro'>;
  if (first.text.startsWith('@')) {
    const macro = MACROS.find((m) => m === first.text);
    if (macro === undefined) {
      return problem(first.column, 'a schedule macro: @reboot, @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly', first.text);
    }
    schedule = { schedule: macro, macro };
  } else {
    const fields: string[] = [];
    let token: Token | undefined = first;
    for (const spec of FIVE_FIELDS) {
      token ??= scan.word();
      if (token === undefined) return problem(scan.end(), spec.expected, END);
      if (!validFields.has(`${spec.name}\u0000${token.text}`)) {
        const parsed = parseField(token.text, spec, 'vixie');
        if (!parsed.ok) return problem(token.column + parsed.error.offset, parsed.error.expected, parsed.error.got);
        if (validFields.size >= VALID_FIELDS_MAX) validFields.clear();
        validFields.add(`${spec.name}\u0000${token.text}`);
      }
      fields.push(token.text);
      token = undefined;
    }
    const [minute = '', hour = '', dom = '', month = '', dow = ''] = fields;
    schedule = { schedule: fields.join(' '), fields: [minute, hour, dom, month, dow] };
  }

  let user: string | undefined;
  if (format === 'system') {
    const word = scan.word();
    const expected = 'a user name (system crontabs have a user column after the schedule)';
    if (word === undefined) return problem(scan.end(), expected, END);
    // A path or shell syntax here means the user column was left out and the command shifted left.
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.@-]*\$?$/.test(word.text)) return problem(word.column, expected, word.text);
    user = word.text;
  }

  const command = scan.rest();
  if (command === undefined) return problem(scan.end(), 'a command', END);
  return { kind: 'entry', entry: { ...schedule, ...(user === undefined ? {} : { user }), ...splitPercent(command.text) } };
}

/**
 * Vixie's do_command: the first unescaped `%` ends the command and the rest is stdin, where each
 * unescaped `%` is a newline. `\%` is a literal `%` in both; other backslashes stay as written.
 * `stdin` is exactly what cron writes to the pipe, so it gains the final newline cron adds.
 */
export function splitPercent(raw: string): Pick<CrontabEntry, 'raw' | 'command' | 'stdin'> {
  let command = '';
  let escaped = false;
  let i = 0;
  for (; i < raw.length; i++) {
    const c = raw.charAt(i);
    if (escaped) {
      command = c === '%' ? command.slice(0, -1) + c : command + c;
      escaped = false;
    } else if (c === '%') {
      break;
    } else {
      escaped = c === '\\';
      command += c;
    }
  }
  if (i >= raw.length) return { raw, command };
  let stdin = '';
  escaped = false;
  for (const c of raw.slice(i + 1)) {
    if (escaped && c !== '%') stdin += '\\';
    const out: string = !escaped && c === '%' ? '\n' : c;
    escaped = out === '\\';
    if (!escaped) stdin += out;
  }
  if (escaped) stdin += '\\';
  if (stdin !== '' && !stdin.endsWith('\n')) stdin += '\n';
  return { raw, command, stdin };
}
