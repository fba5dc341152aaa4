import { type ShellCommand, shellCommands } from './shell-words.js';

/** A program found in a command line; `weak` for a pause or inline code, named only if nothing else runs. */
interface Program {
  name: string;
  weak: boolean;
}

/** Shell words that are structure, not a command: looked through to the command they hold. */
const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', '!', '{', '}', 'time']);
/** Commands that only test, move or set up: a guard in front of the program, never its name. */
const NOT_PROGRAMS = new Set(['test', '[', '[[', 'true', 'false', ':', '.', 'source', 'cd', 'pushd', 'popd', 'export', 'umask',
  'set', 'ulimit', 'trap', 'exit', 'wait', 'return', 'unset', 'local', 'read', 'for', 'case', 'esac', 'which', 'type', 'hash']);
/** Programs that write data for the next command of a pipeline, which is then the one that matters. */
const PRODUCERS = new Set(['echo', 'printf', 'cat']);
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh']);
/** Programs named with the word after them: `make report`, `python3 sync.py`, `service apache2`. */
const WITH_SUBJECT = new Set(['make', 'console', 'artisan', 'manage', 'rake', 'python', 'python2', 'python3', 'php', 'node', 'perl', 'ruby', 'docker']);
const SUBJECT_ONLY = new Set(['invoke-rc.d', 'service']);

/**
 * Programs that run the command after them: the options that take a value, and how many
 * plain words (a lock file, a duration, a user) come before that command.
 */
const WRAPPERS: Readonly<Record<string, { valued: readonly string[]; skip: number }>> = {
  sudo: { valued: ['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U', '-T'], skip: 0 },
  doas: { valued: ['-u', '-C'], skip: 0 },
  su: { valued: ['-s', '-g', '-G', '-w'], skip: 1 },
  nice: { valued: ['-n'], skip: 0 },
  ionice: { valued: ['-c', '-n', '-p', '-P', '-u'], skip: 0 },
  timeout: { valued: ['-s', '-k'], skip: 1 },
  flock: { valued: ['-w', '-E'], skip: 1 },
  lckdo: { valued: ['-w'], skip: 1 },
  setlock: { valued: [], skip: 1 },
  env: { valued: ['-u', '-C'], skip: 0 },
  command: { valued: [], skip: 0 },
  exec: { valued: ['-a'], skip: 0 },
  nohup: { valued: [], skip: 0 },
  chronic: { valued: [], skip: 0 },
  cronic: { valued: [], skip: 0 },
  setsid: { valued: [], skip: 0 },
  stdbuf: { valued: ['-i', '-o', '-e'], skip: 0 },
  'systemd-cat': { valued: ['-t', '-p'], skip: 0 },
};

/**
 * A job name from the program a cron command runs: `/usr/local/bin/backup-db.sh --full` ->
 * `backup-db`, `cd /srv && make report` -> `make-report`, `test -x /usr/sbin/foo && /usr/sbin/foo`
 * -> `foo`, `run-parts /etc/cron.daily` -> `cron.daily`, `echo hi | mail -s x` -> `mail`. Guards,
 * `cd`, wrappers (`sudo -u x`, `nice`, `flock LOCK`), variable assignments and pauses are looked
 * through. Always a valid job name (SPEC 2) short enough to take a `-N` suffix.
 */
export function nameOf(command: string): string {
  const slug = (programIn(shellCommands(command), 0)?.name ?? 'job').normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 56).replace(/-+$/, '');
  return slug === '' ? 'job' : slug;
}

function programIn(commands: readonly ShellCommand[], depth: number): Program | undefined {
  if (depth > 4) return undefined;
  let weak: Program | undefined;
  for (let i = 0; i < commands.length; i++) {
    const found = programOf(commands[i]?.words ?? [], depth);
    if (found === undefined) continue;
    if (found.weak) {
      weak ??= found;
      continue;
    }
    if (!PRODUCERS.has(found.name) || commands[i]?.then !== '|') return found;
    // `echo ... | mail -s x`: the last command of the pipeline is the one that uses the data.
    let last = i;
    while (commands[last]?.then === '|' && last + 1 < commands.length) last++;
    return programOf(commands[last]?.words ?? [], depth) ?? found;
  }
  return weak;
}

function programOf(all: readonly string[], depth: number): Program | undefined {
  let start = 0;
  while (start < all.length && (KEYWORDS.has(all[start] ?? '') || isAssignment(all[start] ?? ''))) start++;
  const words = all.slice(start);
  const first = words[0];
  if (first === undefined) return undefined;
  const base = basename(first);
  if (NOT_PROGRAMS.has(base) || (base === 'command' && /^-[vV]$/.test(words[1] ?? ''))) return undefined;
  if (base === 'sleep') return { name: base, weak: true };
  const inline = words.indexOf('-c');
  if ((SHELLS.has(base) || base === 'su' || base === 'flock') && inline > 0 && words[inline + 1] !== undefined) {
    return programIn(shellCommands(words[inline + 1] ?? ''), depth + 1);
  }
  const wrapper = WRAPPERS[base];
  if (wrapper !== undefined) return programOf(argumentsAfter(words.slice(1), wrapper.valued, wrapper.skip), depth + 1);
  const args = words.slice(1).filter((w) => !w.startsWith('-') && !isAssignment(w));
  if (base === 'run-parts') return { name: basename(args.at(-1) ?? base), weak: false };
  if (SHELLS.has(base)) return args[0] === undefined ? { name: base, weak: false } : programOf(args, depth + 1);
  if (SUBJECT_ONLY.has(base) && args[0] !== undefined) return { name: args[0], weak: false };
  if (WITH_SUBJECT.has(base)) {
    // `perl -e 'sleep ...'` and the like are inline code, not a program worth a name.
    if (words.some((w) => w === '-e' || w === '-c' || w === '-r')) return { name: base, weak: true };
    const subject = args.find((w) => !/^\d+$/.test(w));
    return { name: subject === undefined ? base : `${base}-${basename(subject)}`, weak: false };
  }
  return { name: base, weak: false };
}

/** The words after a wrapper's options and its `skip` plain arguments: the command it runs. */
function argumentsAfter(words: readonly string[], valued: readonly string[], skip: number): string[] {
  let i = 0;
  let plain = 0;
  while (i < words.length) {
    const w = words[i] ?? '';
    if (w === '--') return words.slice(i + 1);
    if (w.startsWith('-') && w !== '-') i += valued.includes(w) ? 2 : 1;
    else if (w === '-' || plain < skip) {
      if (w !== '-') plain++;
      i++;
    } else break;
  }
  return words.slice(i);
}

function isAssignment(word: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*=/.test(word);
}

/** `/usr/local/bin/backup-db.sh` -> `backup-db`. */
function basename(word: string): string {
  return (word.split('/').filter((p) => p !== '').at(-1) ?? word).replace(/\.(sh|py|pl|rb|php|js)$/, '');
}
