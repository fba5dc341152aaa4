import { describe, expect, it } from 'vitest';

import type { QueuedFire } from '../../src/daemon/fire-queue.js';
import { FireQueue } from '../../src/daemon/fire-queue.js';

const fire = (job: string, fireAt: number, order: number): QueuedFire => ({ job, logicalMs: fireAt, fireAt, order });

describe('FireQueue', () => {
  it('pops by start time, ties in jobfile order, whether built at once or pushed one by one', () => {
    const fires = [fire('c', 30, 2), fire('a', 10, 0), fire('e', 10, 4), fire('b', 20, 1), fire('d', 10, 3)];
    const built = new FireQueue(fires);
    const pushed = new FireQueue();
    for (const f of fires) pushed.push(f);
    for (const q of [built, pushed]) {
      expect(q.size).toBe(5);
      expect(q.peek()?.job).toBe('a');
      expect(q.popUntil(10).map((f) => f.job)).toEqual(['a', 'd', 'e']);
      expect(q.popUntil(19)).toEqual([]);
      expect(q.popUntil(Infinity).map((f) => f.job)).toEqual(['b', 'c']);
      expect(q.pop()).toBeUndefined();
    }
  });

  it('pops the least of what is left through thousands of random pushes and pops', () => {
    let seed = 7;
    const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const least = (xs: QueuedFire[]): QueuedFire | undefined => [...xs].sort((x, y) => x.fireAt - y.fireAt || x.order - y.order)[0];
    const model = Array.from({ length: 2000 }, (_, i) => fire(`j${String(i)}`, Math.floor(random() * 500), i));
    const q = new FireQueue(model);
    for (let i = 0; i < 3000; i++) {
      if (random() < 0.5) {
        const f = fire(`p${String(i)}`, Math.floor(random() * 1000), 2000 + i);
        q.push(f);
        model.push(f);
        continue;
      }
      const expected = least(model);
      expect(q.pop()).toBe(expected);
      if (expected !== undefined) model.splice(model.indexOf(expected), 1);
    }
    expect(q.size).toBe(model.length);
  });
});
