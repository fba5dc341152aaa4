import type { Hook, HookEvent } from '../jobfile/types.js';
import type { HookResult, RunRecord } from '../ledger/records.js';
import { isoUtc } from './logical-time.js';
import type { EngineDeps, RunRequest, RunSetup } from './run-context.js';
import { attemptEnv } from './run-context.js';

// A hook is an alert, not a job: it gets a minute, then the same TERM/KILL as an attempt.
const HOOK_TIMEOUT_MS = 60_000;

/**
 * Runs a job's hook for `event`: its command (with TOCK_OUTCOME, TOCK_EXIT_CODE, TOCK_LOG and
 * the run record as JSON on stdin) and/or its webhook. A hook's failure is recorded in the
 * ledger and never changes the run's outcome.
 */
export async function runHook(deps: EngineDeps, request: RunRequest, setup: RunSetup, event: HookEvent, record: RunRecord): Promise<void> {
  const hook: Hook | undefined = request.job.hooks[event];
  if (hook === undefined) return;
  const results: HookResult[] = [];
  if (hook.command !== undefined) results.push(await runHookCommand(deps, request, setup, event, hook.command, record));
  if (hook.webhook !== undefined) {
    const sent = await deps.host.postWebhook(hook.webhook, record);
    results.push({ hook: event, kind: 'webhook', ok: sent.ok, detail: sent.detail });
  }
  for (const result of results) {
    const job = request.job.name;
    deps.ledger.append({ v: 1, type: 'hook-finished', at: isoUtc(deps.clock.now()), job, run_id: setup.runId, result });
    deps.emit({ type: 'hook-finished', job, run_id: setup.runId, result });
  }
}

async function runHookCommand(deps: EngineDeps, request: RunRequest, setup: RunSetup, event: HookEvent, command: string, record: RunRecord): Promise<HookResult> {
  const { job } = request;
  const output = deps.output?.(job.name, setup.runId);
  const child = deps.spawner.spawn({
    argv: [job.shell, '-c', command],
    cwd: job.workdir,
    env: {
      ...attemptEnv(request, setup, record.attempts.length),
      TOCK_OUTCOME: record.outcome,
      TOCK_EXIT_CODE: record.exit_code === null ? '' : String(record.exit_code),
      TOCK_LOG: record.log,
    },
    ...(setup.account !== undefined ? { uid: setup.account.uid } : {}),
    ...(setup.gid !== undefined ? { gid: setup.gid } : {}),
    logFile: setup.log,
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
