import path from 'node:path';

import type { EngineEvent } from '../../src/engine/events.js';
import type { Host, Lease, LockManager, LockOwner } from '../../src/engine/ports.js';
import type { EngineDeps } from '../../src/engine/run-context.js';
import { loadJobfile, validateText } from '../../src/jobfile/load.js';
import type { Jobfile } from '../../src/jobfile/types.js';
import { dedent, ROOT } from './rig.js';
import { FakeSpawner } from './fake-spawner.js';
import { ManualClock } from './manual-clock.js';
import { MemoryLedger } from './memory-ledger.js';

export { MemoryLedger };

/** One of the jobfiles in examples/, loaded as tock would, or the test fails. */
export function exampleJobfile(name: string): Jobfile {
  const result = loadJobfile(path.join(ROOT, 'examples', name));
  if (!result.ok) throw new Error(`examples/${name} does not load`);
  return result.jobfile;
}

/** A jobfile from YAML text, or the test fails with its diagnostics. */
export function jobfileFrom(yaml: string): Jobfile {
  const result = validateText(dedent(yaml), '/jobs/tock.yaml');
  if (!result.ok) throw new Error(result.diagnostics.map((d) => `${d.path}: ${d.message}`).join('\n'));
  return result.jobfile;
}

/** Locks shared by every engine built on the same instance, as file locks are across processes. */
export class MemoryLocks implements LockManager {
  readonly held = new Map<string, { owner: LockOwner; lost: AbortController }>();
  async tryAcquire(name: string, owner: LockOwner): Promise<Lease | null> {
    await Promise.resolve();
    if (this.held.has(name)) return null;
    const lost = new AbortController();
    this.held.set(name, { owner, lost });
    return {
      lost: lost.signal,
      verify: () => !lost.signal.aborted && this.held.get(name)?.owner === owner,
      setAttemptGroup: () => undefined,
      release: async () => {
        await Promise.resolve();
        if (this.held.get(name)?.owner === owner) this.held.delete(name);
      },
    };
  }
  holder(name: string): LockOwner | null {
    return this.held.get(name)?.owner ?? null;
  }
  requestReplace(name: string, targetRunId: string): void {
    const entry = this.held.get(name);
    if (entry?.owner.run_id === targetRunId) entry.lost.abort('replaced');
  }
}

export function fakeHost(overrides: Partial<Host> = {}): Host & { webhooks: { url: string; body: unknown }[] } {
  const webhooks: { url: string; body: unknown }[] = [];
  return {
    hostname: 'testhost',
    pid: 4242,
    isAlive: () => true,
    isRoot: false,
    baseEnv: { PATH: '/usr/bin:/bin' },
    resolveEnv: (v) => (typeof v === 'string' ? v : 'from_file' in v ? `file:${v.from_file}` : `env:${v.from_env}`),
    pathExists: () => true,
    lookupUser: () => undefined,
    lookupGroup: () => undefined,
    logPath: (job, runId) => `/state/logs/${job}/${runId}.log`,
    postWebhook: (url, body) => {
      webhooks.push({ url, body });
      return Promise.resolve({ ok: true, detail: 'HTTP 200' });
    },
    webhooks,
    ...overrides,
  };
}

export interface TestEngine {
  deps: EngineDeps;
  clock: ManualClock;
  spawner: FakeSpawner;
  ledger: MemoryLedger;
  locks: MemoryLocks;
  events: EngineEvent[];
  stop: AbortController;
  hardStop: AbortController;
}

/** Engine dependencies on a manual clock and a fake spawner; share `locks` to model two processes. */
export function testEngine(options: { spawner?: FakeSpawner; locks?: MemoryLocks; start?: string; host?: Partial<Host>; ledger?: MemoryLedger } = {}): TestEngine {
  const clock = new ManualClock(options.start ?? '2026-11-21T02:15:00Z');
  const spawner = options.spawner ?? new FakeSpawner();
  const ledger = options.ledger ?? new MemoryLedger();
  const locks = options.locks ?? new MemoryLocks();
  const events: EngineEvent[] = [];
  const stop = new AbortController();
  const hardStop = new AbortController();
  let n = 0;
  const deps: EngineDeps = {
    clock, spawner, locks, ledger, host: fakeHost(options.host),
    emit: (e) => events.push(e),
    newRunId: (job) => `${job}-${String(++n)}`,
    stop: stop.signal,
    hardStop: hardStop.signal,
  };
  return { deps, clock, spawner, ledger, locks, events, stop, hardStop };
}
