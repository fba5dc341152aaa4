/** One simple command of a shell line: its words (quotes removed), and what ends it. */
export interface ShellCommand {
  words: string[];
  /** The operator after it: `|` joins it to the next command of a pipeline. */
  then: '|' | '&&' | '||' | ';' | '&' | 'end';
}

const OPERATORS = ['&&', '||', ';;', '|', ';', '&', '(', ')', '\n'] as const;

/**
 * The simple commands of a `sh -c` line, enough to name a job after the program it runs: words
 * split as the shell splits them (quotes, `\`, `$(...)`, backticks, `${...}` kept inside a word),
 * redirections and their targets dropped, control operators between commands. Not an evaluator:
 * nothing is expanded, and keywords (`if`, `then`, `{`) stay words for the caller to look through.
 */
export function shellCommands(line: string): ShellCommand[] {
  const out: ShellCommand[] = [];
  let words: string[] = [];
  const close = (then: ShellCommand['then']): void => {
    if (words.length > 0 || then === '|') out.push({ words, then });
    words = [];
  };
  let i = 0;
  while (i < line.length) {
    const c = line.charAt(i);
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '#') {
      break;
    } else if (redirectAt(line, i) > 0) {
      // `2>&1`, `>> log`, `< in`: the operator and its target are not words of the command.
      i = readWord(line, skipBlanks(line, i + redirectAt(line, i))).end;
    } else {
      const op = OPERATORS.find((o) => line.startsWith(o, i));
      if (op !== undefined) {
        close(op === '|' || op === '&&' || op === '||' || op === '&' ? op : ';');
        i += op.length;
      } else {
        const word = readWord(line, i);
        words.push(word.text);
        i = word.end;
      }
    }
  }
  close('end');
  return out;
}

/** The length of a redirection operator at the start of a word (`2>`, `&>`, `>>`), else 0. */
function redirectAt(line: string, i: number): number {
  const match = /^(\d*|&)(>>|>&|>\||<<-?|<&|<>|>|<)/.exec(line.slice(i, i + 6));
  return match === null ? 0 : match[0].length;
}

function skipBlanks(line: string, i: number): number {
  while (line.charAt(i) === ' ' || line.charAt(i) === '\t') i++;
  return i;
}

/** One word from `i`: up to a blank or an operator outside quotes and substitutions. */
function readWord(line: string, start: number): { text: string; end: number } {
  let text = '';
  let i = start;
  while (i < line.length) {
    const c = line.charAt(i);
    if (c === ' ' || c === '\t' || c === '\n' || c === ';' || c === '&' || c === '|' || c === '<' || c === '>' || c === '(' || c === ')') break;
    if (c === '\\') {
      text += line.charAt(i + 1);
      i += 2;
    } else if (c === "'") {
      const end = indexOrEnd(line, "'", i + 1);
      text += line.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      while (j < line.length && line.charAt(j) !== '"') j += line.charAt(j) === '\\' ? 2 : 1;
      text += line.slice(i + 1, j).replace(/\\(["\\$`])/g, '$1');
      i = j + 1;
    } else if (c === '`') {
      const end = indexOrEnd(line, '`', i + 1);
      text += line.slice(i, end + 1);
      i = end + 1;
    } else if (c === '$' && (line.charAt(i + 1) === '(' || line.charAt(i + 1) === '{')) {
      const end = matching(line, i + 1);
      text += line.slice(i, end + 1);
      i = end + 1;
    } else {
      text += c;
      i++;
    }
  }
  return { text, end: i };
}

function indexOrEnd(line: string, c: string, from: number): number {
  const at = line.indexOf(c, from);
  return at < 0 ? line.length : at;
}

/** The index of the bracket closing the one at `open`, counting nesting (the end if unclosed). */
function matching(line: string, open: number): number {
  const pair: Record<string, string> = { '(': ')', '{': '}' };
  const opener = line.charAt(open);
  const closer = pair[opener] ?? ')';
  let depth = 0;
  for (let i = open; i < line.length; i++) {
    const c = line.charAt(i);
    if (c === opener) depth++;
    else if (c === closer && --depth === 0) return i;
  }
  return line.length;
}
