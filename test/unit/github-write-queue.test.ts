import { describe, expect, it } from 'vitest';
import {
  createWriteQueue,
  LIVE,
  NOTE,
  REFRESH,
  STATE,
  type QueuedWrite,
  type Urgency,
  type WritePriority,
} from '../../src/github/write-queue.ts';
import { retry } from '../../src/lib/retry.ts';

/** A write of object `key` whose state is `state.value`, logged when sent. */
function objectWrite(key: string, state: { value: string; urgency: Urgency | undefined }, log: string[]): QueuedWrite {
  return {
    key,
    urgency: () => state.urgency,
    write: () => {
      log.push(`${key}=${state.value}`);
      state.urgency = undefined;
      return Promise.resolve();
    },
  };
}

/** An urgency typed as one a write may lose (the writes clear it once sent). */
function urgencyOf(priority: WritePriority): Urgency | undefined {
  return { priority };
}

describe('the GitHub write queue', () => {
  it('sends the newest state of an object once, most urgent first, oldest first among equals', async () => {
    const queue = createWriteQueue({ paceMs: 0 });
    const log: string[] = [];
    const blocker = { value: 'first', urgency: urgencyOf(STATE) };
    let release = (): void => undefined;
    queue.add({
      ...objectWrite('blocker', blocker, log),
      write: () =>
        new Promise<void>(
          (done) =>
            (release = () => {
              log.push('blocker');
              done();
            }),
        ),
    });
    const note = { value: 'label', urgency: urgencyOf(NOTE) };
    const stage = { value: 'running', urgency: urgencyOf(LIVE) };
    const refresh = { value: 'lines', urgency: urgencyOf(REFRESH) };
    queue.add(objectWrite('note', note, log));
    queue.add(objectWrite('refresh', refresh, log));
    queue.add(objectWrite('stage', stage, log));
    // A newer state of the same object replaces the queued one.
    stage.value = 'completed';
    stage.urgency = { priority: STATE };
    queue.add(objectWrite('stage', stage, log));
    release();
    await queue.idle();
    expect(log).toEqual(['blocker', 'stage=completed', 'note=label', 'refresh=lines']);
  });

  it('holds a write back until its time, and lower writes for a running stage about to be shown', async () => {
    const queue = createWriteQueue({ paceMs: 0 });
    const log: string[] = [];
    const soon = Date.now() + 150;
    queue.add(objectWrite('stage', { value: 'running', urgency: { priority: LIVE, notBefore: soon } }, log));
    queue.add(objectWrite('note', { value: 'label', urgency: { priority: NOTE } }, log));
    // The note waits for the stage (which is not due yet), so idle has nothing due to wait for.
    await queue.idle();
    expect(log).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await queue.idle();
    expect(log).toEqual(['stage=running', 'note=label']);
  });

  it('hands writes over no faster than the pace', async () => {
    const queue = createWriteQueue({ paceMs: 100 });
    const times: number[] = [];
    for (const key of ['a', 'b', 'c']) {
      const state = { urgency: urgencyOf(STATE) };
      queue.add({
        key,
        urgency: () => state.urgency,
        write: () => {
          times.push(Date.now());
          state.urgency = undefined;
          return Promise.resolve();
        },
      });
    }
    await queue.idle();
    expect(times).toHaveLength(3);
    expect((times[2] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(190);
  });
});

describe('retry', () => {
  it('tries again while the failure may pass, and gives up at once otherwise', async () => {
    let calls = 0;
    const flaky = () => (++calls < 3 ? Promise.reject(new Error('503')) : Promise.resolve('ok'));
    expect(await retry(flaky, { attempts: 3, retriable: () => true, baseDelayMs: 1 })).toBe('ok');
    calls = 0;
    await expect(retry(flaky, { attempts: 3, retriable: () => false, baseDelayMs: 1 })).rejects.toThrow('503');
    expect(calls).toBe(1);
  });
});
