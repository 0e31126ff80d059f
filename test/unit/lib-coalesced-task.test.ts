import { describe, expect, it } from 'vitest';
import { coalescedTask } from '../../src/lib/coalesced-task.ts';

describe('coalesced task', () => {
  it('never runs twice at once, and runs once more for calls made while it ran', async () => {
    let runs = 0;
    let running = 0;
    let most = 0;
    let release = (): void => undefined;
    const task = coalescedTask(async () => {
      runs++;
      running++;
      most = Math.max(most, running);
      if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
      running--;
    });
    const first = task.run();
    const second = task.run();
    const third = task.run();
    expect(second).toBe(first);
    expect(third).toBe(first);
    release();
    await first;
    expect(runs).toBe(2);
    expect(most).toBe(1);
    await task.settled();
    await task.run();
    expect(runs).toBe(3);
  });
});
