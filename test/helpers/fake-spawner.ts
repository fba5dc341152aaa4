import type { ExitInfo, SpawnRequest, SpawnedProcess, Spawner } from '../../src/engine/ports.js';

/** One spawned process the test controls: it ends when the test says, or on a signal it obeys. */
export class FakeProcess implements SpawnedProcess {
  readonly pid: number;
  readonly signals: string[] = [];
  readonly exited: Promise<ExitInfo>;
  #resolve!: (info: ExitInfo) => void;
  #done = false;

  constructor(readonly request: SpawnRequest, pid: number, readonly ignoresTerm: boolean) {
    this.pid = pid;
    this.exited = new Promise((resolve) => (this.#resolve = resolve));
  }

  exit(code: number): void {
    this.#finish({ exitCode: code, signal: null });
  }

  get done(): boolean {
    return this.#done;
  }

  signalGroup(signal: 'SIGTERM' | 'SIGKILL'): void {
    this.signals.push(signal);
    if (signal === 'SIGKILL' || !this.ignoresTerm) this.#finish({ exitCode: null, signal });
  }

  #finish(info: ExitInfo): void {
    if (this.#done) return;
    this.#done = true;
    this.#resolve(info);
  }
}

/**
 * Records every spawn. By default a process runs until the test ends it; `script` can answer
 * each spawn at once (exit code) so a run proceeds without the test stepping it.
 */
export class FakeSpawner implements Spawner {
  readonly spawned: FakeProcess[] = [];
  #nextPid = 1000;

  constructor(private readonly script?: (request: SpawnRequest, index: number) => number | 'hang' | 'ignore-term') {}

  spawn(request: SpawnRequest): SpawnedProcess {
    const answer = this.script?.(request, this.spawned.length) ?? 'hang';
    const child = new FakeProcess(request, this.#nextPid++, answer === 'ignore-term');
    this.spawned.push(child);
    if (typeof answer === 'number') queueMicrotask(() => { child.exit(answer); });
    return child;
  }

  /** The spawns whose argv contains `text` (a job's command). */
  of(text: string): FakeProcess[] {
    return this.spawned.filter((p) => p.request.argv.some((a) => a.includes(text)));
  }
}
