import { setTimeout as sleep } from 'node:timers/promises';

// SGR colour codes take no columns: they are left out when counting where a line wraps.
// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/g;

/**
 * Draws `frame()` every `intervalMs` in place (cursor up over the last frame, erase to the end of
 * the screen, write the new one), until SIGINT or SIGTERM: then the cursor is given back and it
 * returns (exit 0), like `watch` and `kubectl get -w`.
 */
export async function redrawLoop(out: NodeJS.WriteStream, intervalMs: number, frame: () => Promise<string[]>): Promise<void> {
  const stop = new AbortController();
  const onSignal = (): void => { stop.abort(); };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  out.write('\u001b[?25l');
  let drawn = 0;
  try {
    while (!stop.signal.aborted) {
      const lines = await frame();
      const width = out.columns > 0 ? out.columns : 80;
      out.write(`${drawn > 0 ? `\u001b[${String(drawn)}A` : ''}\r\u001b[0J${lines.join('\n')}\n`);
      // A line wider than the terminal takes several rows: all of them are gone over next time.
      drawn = lines.reduce((n, l) => n + Math.max(1, Math.ceil(l.replace(SGR, '').length / width)), 0);
      await sleep(intervalMs, undefined, { signal: stop.signal }).catch(() => undefined);
    }
  } finally {
    out.write('\u001b[?25h');
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
