import type { Document, Node, Pair, YAMLMap } from 'yaml';
import { isMap, isScalar, isSeq } from 'yaml';

import { closest } from '../util/suggest.js';
import { closestZone, isKnownZone, parseSchedule } from '../schedule/parse.js';
import { describeNode } from './describe-node.js';
import type { Diagnostic, DiagnosticCode } from './diagnostic.js';
import { parseDuration } from '../util/duration.js';
import type { Field, FieldTable } from './fields.js';
import { ENV_NAME_PATTERN, JOB_FIELDS, JOB_NAME_PATTERN, LOCK_NAME_PATTERN, NOT_IN_DEFAULTS, TEMPLATE_VARIABLES, TOP_FIELDS, TOP_REQUIRED } from './fields.js';
import { unknownTemplates } from './templates.js';

/**
 * Checks the shape of every field by walking the YAML nodes (not the plain value), so each
 * problem carries the position of the node it is about. Reports every problem it finds.
 */
export function validateShape(doc: Document): Diagnostic[] {
  const out: Diagnostic[] = [];
  const root = doc.contents;
  if (!isMap(root)) {
    out.push(diag('not-a-jobfile', '', root, `expected a mapping with version and jobs, got ${describeNode(root)}`,
      'start the file with "version: 1" and a "jobs:" mapping'));
    return out;
  }
  walkMap(root, TOP_FIELDS, TOP_REQUIRED, '', 'top-level field', null, out);
  return out;
}

type Out = Diagnostic[];

/** `owner` is the key the mapping belongs to: a missing field is reported there. */
function walkMap(map: YAMLMap, table: FieldTable, required: readonly string[], path: string, what: string, owner: Node | null, out: Out): void {
  const seen = new Set<string>();
  for (const pair of map.items) {
    const key = keyOf(pair);
    const keyNode = pair.key as Node | null;
    if (key === undefined) {
      out.push(diag('wrong-type', path, keyNode, `expected a ${what} name, got ${describeNode(keyNode)}`, 'use plain names as keys'));
      continue;
    }
    seen.add(key);
    // Own fields only: `constructor` or `__proto__` must not find Object.prototype's.
    const field = Object.hasOwn(table, key) ? table[key] : undefined;
    const fieldPath = join(path, key);
    if (field === undefined && path === 'defaults' && NOT_IN_DEFAULTS.includes(key)) {
      out.push(diag('unknown-field', fieldPath, keyNode, `expected a field that applies to every job, got "${key}", which each job sets itself`,
        `move ${key} into each job; defaults can hold any job field except ${NOT_IN_DEFAULTS.join(', ').replace(/, (\w+)$/, ' and $1')}`));
      continue;
    }
    if (field === undefined) {
      const known = Object.keys(table);
      const guess = closest(key, known);
      out.push(diag('unknown-field', fieldPath, keyNode, `expected a ${what}, got unknown field "${key}"`,
        guess !== undefined ? `did you mean "${guess}"?`
          : known.length <= 8 ? `remove it; the fields here are ${known.join(', ')}` : 'remove it; the README\'s jobfile reference lists every field'));
      continue;
    }
    checkValue(field, pair.value as Node | null, keyNode, fieldPath, out);
  }
  for (const name of required) {
    if (!seen.has(name)) {
      const field = table[name];
      out.push(diag('missing-field', join(path, name), owner ?? map.items[0]?.key ?? map,
        `expected a field "${name}" (${field?.description ?? 'required'}), got nothing`,
        name === 'version' ? 'add "version: 1" at the top of the file' : `add "${name}:"`));
    }
  }
}

function checkValue(field: Field, node: Node | null, keyNode: Node | null, path: string, out: Out): void {
  const at = node ?? keyNode;
  const type = field.type;
  const scalar = isScalar(node) ? (node).value : undefined;
  const fail = (code: DiagnosticCode, expected: string, fix: string): void => {
    out.push(diag(code, path, at, `expected ${expected}, got ${describeNode(node)}`, fix));
  };
  switch (type.kind) {
    case 'string':
      if (typeof scalar !== 'string' || scalar === '') return fail('wrong-type', 'a non-empty string', 'write a string; quote it if it looks like a number');
      if (type.pattern !== undefined && !compiled(type.pattern).test(scalar)) fail('bad-value', `a string matching ${type.pattern}`, 'rename it');
      if (hasNul(node as Node, scalar, path, out, 'a string')) return;
      if (path.endsWith('wait_for.path')) checkTemplates(node as Node, scalar, path, out);
      return;
    case 'command':
      return checkCommand(node, at, path, out);
    case 'schedule': {
      if (typeof scalar !== 'string') return fail('wrong-type', 'a cron expression as a string', 'quote it: schedule: "15 2 * * *"');
      const parsed = parseSchedule(scalar);
      if (!parsed.ok) out.push(diag('bad-schedule', path, at, `expected ${parsed.expected}, got ${parsed.got}`, parsed.fix));
      return;
    }
    case 'zone':
      if (typeof scalar !== 'string') return fail('wrong-type', 'an IANA zone name like Europe/London', 'write a zone name from the tz database');
      if (!isKnownZone(scalar)) {
        const guess = closestZone(scalar);
        fail('unknown-zone', 'an IANA zone name like Europe/London or America/New_York',
          guess !== undefined ? `did you mean "${guess}"?` : 'check the spelling against `timedatectl list-timezones`');
      }
      return;
    case 'duration':
      if ((typeof scalar !== 'string' && typeof scalar !== 'number') || parseDuration(scalar) === undefined) {
        fail('bad-duration', 'a duration like 90s, 15m, 2h, 1d or 1h30m', 'write a number with a unit (s, m, h, d), or a number of seconds, never negative');
      }
      return;
    case 'integer':
      if (path === 'version' && scalar !== 1) {
        return fail(typeof scalar === 'number' ? 'bad-value' : 'wrong-type', '1', 'write "version: 1"; it is the only jobfile format this tock reads');
      }
      if (typeof scalar !== 'number' || !Number.isInteger(scalar) || scalar < type.min || (type.max !== undefined && scalar > type.max)) {
        const range = type.max === type.min ? `${type.min}` : type.max !== undefined ? `from ${type.min} to ${type.max}` : `of at least ${type.min}`;
        fail(typeof scalar === 'number' ? 'bad-value' : 'wrong-type', `a whole number ${range}`, `write a whole number ${range}`);
      }
      return;
    case 'number':
      if (typeof scalar !== 'number' || scalar < type.min) fail(typeof scalar === 'number' ? 'bad-value' : 'wrong-type', `a number of at least ${type.min}`, `write a number like 2`);
      return;
    case 'boolean':
      if (typeof scalar !== 'boolean') fail('wrong-type', 'true or false', 'write true or false (yes/no/on/off are strings in YAML 1.2)');
      return;
    case 'enum':
      if (typeof scalar !== 'string' || !type.values.includes(scalar)) {
        const guess = typeof scalar === 'string' ? closest(scalar, type.values) : undefined;
        fail('bad-value', `one of ${type.values.join(', ')}`, guess !== undefined ? `did you mean "${guess}"?` : `write one of ${type.values.join(', ')}`);
      }
      return;
    case 'list':
      return checkList(type.item, node, at, path, out);
    case 'env':
      return checkEnv(node, at, path, out);
    case 'hook':
      return checkHook(node, at, path, out);
    case 'object':
      if (!isMap(node)) return fail('wrong-type', 'a mapping', 'write it as a mapping of fields');
      return walkMap(node, type.fields, type.required ?? [], path, `field of ${path}`, keyNode, out);
    case 'jobs':
      return checkJobs(node, at, path, out);
  }
  unreachableType(type);
}

function unreachableType(_type: never): void {
  // The switch above returns for every kind; this keeps the compiler checking that it does.
}

function checkJobs(node: Node | null, at: Node | null, path: string, out: Out): void {
  if (!isMap(node) || node.items.length === 0) {
    out.push(diag('wrong-type', path, at, `expected a mapping of job names to jobs, got ${describeNode(node)}`,
      'add at least one job under "jobs:", e.g. "hello: { schedule: \'@hourly\', command: echo hi }"'));
    return;
  }
  const pattern = compiled(JOB_NAME_PATTERN);
  for (const pair of node.items) {
    const name = keyOf(pair);
    const keyNode = pair.key as Node | null;
    if (name === undefined || !pattern.test(name)) {
      out.push(diag('bad-name', join(path, name ?? '?'), keyNode,
        `expected a job name of letters, digits, ".", "_" and "-" (starting with a letter or digit, at most 64), got ${describeNode(keyNode)}`,
        'rename the job, e.g. "backup-db"'));
      continue;
    }
    const job = pair.value as Node | null;
    const jobPath = join(path, name);
    if (!isMap(job)) {
      out.push(diag('wrong-type', jobPath, job ?? keyNode, `expected a mapping of job fields, got ${describeNode(job)}`,
        'give the job at least a command and a schedule or needs'));
      continue;
    }
    walkMap(job, JOB_FIELDS, ['command'], jobPath, 'job field', keyNode, out);
  }
}

function checkCommand(node: Node | null, at: Node | null, path: string, out: Out): void {
  if (isScalar(node) && typeof node.value === 'string' && node.value.trim() !== '') {
    if (!hasNul(node, node.value, path, out)) checkTemplates(node, node.value, path, out);
    return;
  }
  if (isSeq(node) && node.items.length > 0) {
    node.items.forEach((item, i) => {
      const value = isScalar(item) ? item.value : undefined;
      if (typeof value === 'string') {
        // An empty program is no program: spawn fails at run time, so validation refuses it.
        if (i === 0 && value.trim() === '') {
          out.push(diag('bad-value', `${path}[0]`, item, `expected a program to run, got ${describeNode(item)}`,
            'put the program first: command: ["backup.sh", "--full"]'));
        } else if (!hasNul(item as Node, value, `${path}[${i}]`, out)) checkTemplates(item as Node, value, `${path}[${i}]`, out);
      } else if (typeof value !== 'number') {
        out.push(diag('wrong-type', `${path}[${i}]`, item, `expected a string, got ${describeNode(item)}`, 'quote the argument'));
      }
    });
    return;
  }
  out.push(diag('wrong-type', path, at, `expected a command string or a non-empty list of arguments, got ${describeNode(node)}`,
    'write command: "backup.sh --full" (run by the shell) or command: ["backup.sh", "--full"] (no shell)'));
}

/** A NUL byte cannot be passed to exec(2): the spawn would throw at run time. */
function hasNul(node: Node, text: string, path: string, out: Out, what = 'a command'): boolean {
  if (!text.includes('\0')) return false;
  out.push(diag('bad-value', path, node, `expected ${what} without a NUL byte, got one at character ${String(text.indexOf('\0') + 1)}`,
    'remove the \\0: a NUL byte cannot be passed to a program (its arguments and environment are C strings)'));
  return true;
}

function checkList(item: 'job-name' | 'lock-name' | 'exit-code', node: Node | null, at: Node | null, path: string, out: Out): void {
  const expected = item === 'exit-code' ? 'a list of exit codes from 0 to 255' : `a list of ${item === 'job-name' ? 'job' : 'lock'} names`;
  if (!isSeq(node)) {
    out.push(diag('wrong-type', path, at, `expected ${expected}, got ${describeNode(node)}`,
      item === 'exit-code' ? 'write it like [1, 75]' : `write it as a list, e.g. [${isScalar(node) ? String(node.value) : 'name'}]`));
    return;
  }
  node.items.forEach((entry, i) => {
    const value = isScalar(entry) ? entry.value : undefined;
    const ok = item === 'exit-code'
      ? typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255
      : typeof value === 'string' && compiled(item === 'job-name' ? JOB_NAME_PATTERN : LOCK_NAME_PATTERN).test(value);
    if (!ok) {
      out.push(diag(item === 'exit-code' ? 'bad-value' : 'wrong-type', `${path}[${i}]`, entry,
        `expected ${item === 'exit-code' ? 'an exit code from 0 to 255' : 'a name'}, got ${describeNode(entry)}`,
        item === 'exit-code' ? 'write whole numbers from 0 to 255' : 'write a name of letters, digits, ".", "_" and "-"'));
    }
  });
}

function checkEnv(node: Node | null, at: Node | null, path: string, out: Out): void {
  if (!isMap(node)) {
    out.push(diag('wrong-type', path, at, `expected a mapping of variable names to values, got ${describeNode(node)}`, 'write env: { NAME: value }'));
    return;
  }
  const namePattern = compiled(ENV_NAME_PATTERN);
  for (const pair of node.items) {
    const name = keyOf(pair);
    const keyNode = pair.key as Node | null;
    const varPath = join(path, name ?? '?');
    // `__proto__` matches the pattern, but as a key of the environment object it would vanish.
    if (name === undefined || !namePattern.test(name) || name === '__proto__') {
      out.push(diag('bad-name', varPath, keyNode, `expected a variable name like DB_HOST, got ${describeNode(keyNode)}`, 'use letters, digits and _ and start with a letter or _ (not __proto__)'));
      continue;
    }
    const value = pair.value as Node | null;
    if (isScalar(value) && ['string', 'number', 'boolean'].includes(typeof value.value)) {
      if (typeof value.value === 'string' && !hasNul(value, value.value, varPath, out, 'a value')) checkTemplates(value, value.value, varPath, out);
      continue;
    }
    if (isMap(value) && value.items.length === 1) {
      const source = keyOf(value.items[0] as Pair);
      const target = value.items[0]?.value as Node | null;
      if ((source === 'from_file' || source === 'from_env') && isScalar(target) && typeof target.value === 'string' && target.value !== '') continue;
    }
    const both = isMap(value) && value.has('from_file') && value.has('from_env');
    out.push(diag('wrong-type', varPath, value ?? keyNode,
      `expected a string, { from_file: PATH } or { from_env: NAME }, got ${both ? 'a mapping with both from_file and from_env' : describeNode(value)}`,
      both ? 'keep one: { from_file: PATH } reads the value from a file at run time, { from_env: NAME } from tock\'s own environment'
        : 'write a plain value, or read a secret at run time with { from_file: /path } or { from_env: NAME }'));
  }
}

function checkHook(node: Node | null, at: Node | null, path: string, out: Out): void {
  if (!isMap(node)) {
    out.push(diag('wrong-type', path, at, `expected { command: STRING } and/or { webhook: URL }, got ${describeNode(node)}`,
      'write e.g. on_failure: { command: "notify-send failed" }'));
    return;
  }
  const fields: FieldTable = {
    command: { type: { kind: 'string' }, description: 'a shell command' },
    webhook: { type: { kind: 'string' }, description: 'an http(s) URL' },
  };
  walkMap(node, fields, [], path, 'hook field (command or webhook)', null, out);
  if (node.items.length === 0) {
    out.push(diag('missing-field', path, at, 'expected a command or a webhook, got an empty mapping', 'add command: or webhook:'));
  }
  const webhook = node.get('webhook', true);
  if (isScalar(webhook) && typeof webhook.value === 'string' && !/^https?:\/\/[^\s/]+/.test(webhook.value)) {
    out.push(diag('bad-value', join(path, 'webhook'), webhook, `expected an http:// or https:// URL, got ${describeNode(webhook)}`, 'write a full URL like http://127.0.0.1:8080/hook'));
  }
}

function checkTemplates(node: Node, text: string, path: string, out: Out): void {
  for (const { name } of unknownTemplates(text)) {
    const guess = closest(name, TEMPLATE_VARIABLES);
    out.push(diag('unknown-template', path, node, `expected a template variable (${TEMPLATE_VARIABLES.join(', ')}), got "{{ ${name} }}"`,
      guess !== undefined ? `did you mean "{{ ${guess} }}"?` : 'use one of the template variables, or an environment variable like $TOCK_DS'));
  }
}

const patterns = new Map<string, RegExp>();

/** A pattern compiled once, not once per field of a 1,000-job file. */
function compiled(pattern: string): RegExp {
  let regex = patterns.get(pattern);
  if (regex === undefined) {
    regex = new RegExp(pattern);
    patterns.set(pattern, regex);
  }
  return regex;
}

function keyOf(pair: Pair): string | undefined {
  const key: unknown = pair.key;
  if (isScalar(key) && (typeof key.value === 'string' || typeof key.value === 'number')) return String(key.value);
  return undefined;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** Builds a diagnostic at a node's position (or at the start of the file when there is none). */
export function diag(code: DiagnosticCode, path: string, node: unknown, message: string, fix: string, severity: Diagnostic['severity'] = 'error'): Diagnostic {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return { severity, code, path, message, fix, start: range?.[0] ?? 0, end: range?.[1] ?? range?.[0] ?? 0 };
}
