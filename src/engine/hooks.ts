import type { Hook, HookEvent } from '../jobfile/types.js';
import type { HookResult, RunRecord } from '../ledger/records.js';
import { attemptEnv } from './run-context.js';
import type { RunScope } from './run-scope.js';

// A hook is an alert, not a job: it gets a minute, then the same TERM/KILL as an attempt.
const HOOK_TIMEOUT_MS = 60_000;

/**
 * Runs a job's hook for `event`: its command (with TOCK_OUTCOME, TOCK_EXIT_CODE, TOCK_LOG and
 * the run record as JSON on stdin) and/or its webhook. A hook's failure is recorded in the
 * ledger and never changes the run's outcome.
 */
export async function runHook(scope: RunScope, event: HookEvent, record: RunRecord): Promise<void> {
  const hook: Hook | undefined = scope.job.hooks[event];
  if (hook === undefined) return;
  const results: HookResult[] = [];
  if (hook.command !== undefined) results.push(await runHookCommand(scope, event, hook.command, record));
  if (hook.webhook !== undefined) {
    const sent = await scope.deps.host.postWebhook(hook.webhook, record);
    results.push({ hook: event, kind: 'webhook', ok: sent.ok, detail: sent.detail });
  }
  for (const result of results) {
    scope.record({ v: 1, type: 'hook-finished', at: scope.now(), job: scope.job.name, run_id: scope.runId, result });
  }
}

/** After the run's locks are released (SPEC 5): on_success, or on_failure for any outcome but skipped. */
export async function runEndHooks(scope: RunScope, run: RunRecord): Promise<void> {
  if (run.outcome === 'success') await runHook(scope, 'on_success', run);
  else if (run.outcome !== 'skipped') await runHook(scope, 'on_failure', run);
}

async function runHookCommand(scope: RunScope, event: HookEvent, command: string, record: RunRecord): Promise<HookResult> {
  const { deps, job } = scope;
  const setup = scope.hookSetup();
  const output = deps.output?.(job.name, setup.runId);
  const child = deps.spawner.spawn({
    argv: [job.shell, '-c', command],
    cwd: job.workdir,
    env: {
      ...attemptEnv(scope.request, setup, record.attempts.length),
      TOCK_OUTCOME: record.outcome,
      TOCK_EXIT_CODE: record.exit_code === null ? '' : String(record.exit_code),
      TOCK_LOG: record.log,
    },
    ...(setup.account !== undefined ? { uid: setup.account.uid } : {}),
    ...(setup.gid !== undefined ? { gid: setup.gid } : {}),
    logFile: setup.log,
    logMax: job.logMax,
    ...(output !== undefined ? { output } : {}),
    stdin: JSON.stringify(record),
    killGraceMs: job.killGraceMs,
  });
  const done = new AbortController();
  const state = { finished: false };
  const running = (): boolean => !state.finished;
  const exited = child.exited.then((info) => {
    state.finished = true;
    done.abort();
    return info;
  });
  await deps.clock.sleep(HOOK_TIMEOUT_MS, AbortSignal.any([done.signal, deps.hardStop]));
  if (running()) {
    child.signalGroup('SIGTERM');
    await deps.clock.sleep(job.killGraceMs, AbortSignal.any([done.signal, deps.hardStop]));
    if (running()) child.signalGroup('SIGKILL');
  }
  const info = await exited;
  const ok = info.exitCode === 0;
  const detail = info.error ?? (info.signal !== null ? `killed by ${info.signal}` : `exit ${String(info.exitCode)}`);
  return { hook: event, kind: 'command', ok, detail: state.finished ? detail : `timed out after ${String(HOOK_TIMEOUT_MS / 1000)}s` };
}
