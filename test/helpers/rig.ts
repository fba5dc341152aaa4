import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.join(ROOT, 'bin', 'tock.js');
export const FIXTURE_BIN = path.join(ROOT, 'test', 'fixtures', 'bin');

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * A temp dir with a jobfile and a state dir, and a way to run the built CLI in it.
 * Environment variables that would change tock's behaviour are scrubbed.
 */
export class Rig {
  readonly dir: string;
  readonly stateDir: string;
  readonly jobfile: string;

  constructor(yaml?: string) {
    this.dir = mkdtempSync(path.join(tmpdir(), 'tock-e2e-'));
    this.stateDir = path.join(this.dir, 'state');
    this.jobfile = path.join(this.dir, 'tock.yaml');
    if (yaml !== undefined) this.write(yaml);
  }

  /** Writes the jobfile (dedented). */
  write(yaml: string): void {
    writeFileSync(this.jobfile, dedent(yaml));
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const scrubbed = ['TOCK_JOBFILE', 'TOCK_STATE_DIR', 'FORCE_COLOR'].filter((name) => !(name in extra));
    const inherited = Object.entries(process.env).filter(([name]) => !scrubbed.includes(name));
    return { ...Object.fromEntries(inherited), NO_COLOR: '1', ...extra };
  }

  /** Starts `tock ARGS -f jobfile --state-dir state` without waiting. */
  start(args: readonly string[], options: { env?: Record<string, string>; common?: boolean } = {}) {
    const common = options.common === false ? [] : ['-f', this.jobfile, '--state-dir', this.stateDir];
    const child = spawn(process.execPath, [BIN, ...args, ...common], { cwd: this.dir, env: this.env(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<Result>((resolve) => {
      child.on('close', (code, signal) => { resolve({ code, signal, stdout, stderr }); });
    });
    return { child, done, output: () => ({ stdout, stderr }) };
  }

  /** Runs `tock ARGS` to the end. */
  run(args: readonly string[], options: { env?: Record<string, string>; common?: boolean } = {}): Promise<Result> {
    return this.start(args, options).done;
  }

  /** Every ledger event of a job (all its monthly segments, oldest first), parsed. */
  ledger(job: string): Record<string, unknown>[] {
    const dir = path.join(this.stateDir, 'ledger', job);
    let segments: string[];
    try {
      segments = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort();
    } catch {
      return [];
    }
    return segments.flatMap((f) => readFileSync(path.join(dir, f), 'utf8')
      .split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>));
  }

  /** The raw text of every ledger segment of a job, concatenated. */
  ledgerText(job: string): string {
    const dir = path.join(this.stateDir, 'ledger', job);
    try {
      return readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort().map((f) => readFileSync(path.join(dir, f), 'utf8')).join('');
    } catch {
      return '';
    }
  }

  /** The finished run records of a job, oldest first. */
  runs(job: string): RunRecordLike[] {
    return this.ledger(job).filter((e) => e.type === 'run-finished').map((e) => e.run as RunRecordLike);
  }

  logFiles(job: string): string[] {
    try {
      return readdirSync(path.join(this.stateDir, 'logs', job));
    } catch {
      return [];
    }
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface RunRecordLike {
  run_id: string;
  job: string;
  outcome: string;
  reason?: string;
  message?: string;
  trigger: string;
  logical_time: string;
  exit_code: number | null;
  signal: string | null;
  attempts: { n: number; outcome: string; exit_code: number | null; signal: string | null; error?: string; started_at: string; ended_at: string }[];
  log: string;
  hooks?: { hook: string; kind: string; ok: boolean; detail: string }[];
}

export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)?.[0].length ?? 0));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** Polls until `check` returns a value (not undefined), or fails after `ms`. */
export async function waitFor<T>(check: () => T | undefined, ms = 10_000, what = 'condition'): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A process's state letter (R, S, Z...) and group from /proc, or undefined when it is gone. */
function procStat(pid: number): { state: string; pgrp: number } | undefined {
  try {
    const text = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

/**
 * True while the process exists and is not a zombie. PID 1 on these machines may never reap
 * orphans, so a killed job's processes can linger as zombies that `kill(pid, 0)` still sees.
 */
export function running(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/** Live (non-zombie) processes in a process group (Linux /proc). */
export function liveGroupMembers(pgid: number): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => {
    const stat = procStat(pid);
    return stat !== undefined && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X';
  });
}
