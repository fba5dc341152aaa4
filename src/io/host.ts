import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

import type { Account, Host } from '../engine/ports.js';
import type { EnvValue } from '../jobfile/types.js';
import type { RunRecord } from '../ledger/records.js';
import { ensureDir } from './ensure-dir.js';
import { processAlive, processStartTime } from './proc.js';

// SPEC 2: a webhook gets 10 s to answer.
const WEBHOOK_TIMEOUT_MS = 10_000;

/** The real host: accounts through getent (so NSS/LDAP users count), secrets from files and env. */
export function systemHost(stateDir: string, env: NodeJS.ProcessEnv): Host {
  const logs = path.join(stateDir, 'logs');
  const baseEnv = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  return {
    hostname: hostname(),
    pid: process.pid,
    ...withStart(processStartTime(process.pid)),
    isAlive: processAlive,
    isRoot: process.getuid?.() === 0,
    baseEnv,
    resolveEnv(value: EnvValue): string {
      if (typeof value === 'string') return value;
      if ('from_file' in value) {
        try {
          // Secret files usually end in a newline that is not part of the secret.
          return readFileSync(value.from_file, 'utf8').replace(/\r?\n$/, '');
        } catch (error) {
          throw new Error(`cannot read ${value.from_file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
        }
      }
      const found = env[value.from_env];
      if (found === undefined) throw new Error(`the environment variable ${value.from_env} is not set for tock`);
      return found;
    },
    pathExists: (p) => existsSync(p),
    lookupUser: (name) => lookupAccount(name),
    lookupGroup: (name) => {
      const fields = getent('group', name);
      return fields === undefined ? undefined : Number(fields[2]);
    },
    logPath(job, runId) {
      const dir = path.join(logs, job);
      ensureDir(dir);
      return path.join(dir, `${runId}.log`);
    },
    async postWebhook(url: string, body: RunRecord) {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'tock' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
        });
        return { ok: response.ok, detail: `HTTP ${String(response.status)}` };
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        const name = (error as Error).name;
        return { ok: false, detail: name === 'TimeoutError' ? 'no answer within 10s' : cause ?? (error as Error).message };
      }
    },
  };
}

function withStart(start: string | undefined): { pidStart?: string } {
  return start === undefined ? {} : { pidStart: start };
}

/** Whether a user or group exists here (for `validate`'s warnings). */
export function accountExists(kind: 'user' | 'group', name: string): boolean {
  return getent(kind === 'user' ? 'passwd' : 'group', name) !== undefined;
}

function lookupAccount(name: string): Account | undefined {
  const fields = getent('passwd', name);
  if (fields === undefined) return undefined;
  const home = fields[5];
  return { name, uid: Number(fields[2]), gid: Number(fields[3]), ...(home !== undefined && home !== '' ? { home } : {}) };
}

function getent(database: 'passwd' | 'group', name: string): string[] | undefined {
  const result = spawnSync('getent', [database, name], { encoding: 'utf8' });
  if (result.status !== 0 || result.stdout === '') return undefined;
  return result.stdout.split('\n')[0]?.split(':');
}
