import { describe, expect, it } from 'vitest';
import { createKeyedSerialRunner } from '../../src/lib/keyed-serial-runner.ts';

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('keyed serial runner', () => {
  it('runs the tasks of one key one after another, in the order added', async () => {
    const runner = createKeyedSerialRunner(4, () => undefined);
    const log: string[] = [];
    const first = deferred();
    runner.add('issue-1', async () => {
      log.push('a start');
      await first.promise;
      log.push('a end');
    });
    runner.add('issue-1', () => {
      log.push('b');
      return Promise.resolve();
    });
    await Promise.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['a start']);
    first.resolve();
    await runner.idle();
    expect(log).toEqual(['a start', 'a end', 'b']);
  });

  it('runs different keys side by side, never more than the limit at once', async () => {
    const runner = createKeyedSerialRunner(2, () => undefined);
    let running = 0;
    let most = 0;
    const gates = [deferred(), deferred(), deferred()];
    gates.forEach((gate, index) => {
      runner.add(`issue-${index}`, async () => {
        running++;
        most = Math.max(most, running);
        await gate.promise;
        running--;
      });
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(running).toBe(2);
    expect(runner.pending).toBe(3);
    for (const gate of gates) gate.resolve();
    await runner.idle();
    expect(most).toBe(2);
    expect(runner.pending).toBe(0);
  });

  it('goes on after a task that throws, and reports it', async () => {
    const errors: unknown[] = [];
    const runner = createKeyedSerialRunner(1, (error) => errors.push(error));
    const done: string[] = [];
    runner.add('k', () => Promise.reject(new Error('boom')));
    runner.add('k', () => {
      done.push('after');
      return Promise.resolve();
    });
    await runner.idle();
    expect(done).toEqual(['after']);
    expect(errors.map(String)).toEqual(['Error: boom']);
  });

  it('idle() waits for tasks added while it waits', async () => {
    const runner = createKeyedSerialRunner(1, () => undefined);
    const done: string[] = [];
    runner.add('k', () => {
      runner.add('j', () => {
        done.push('j');
        return Promise.resolve();
      });
      done.push('k');
      return Promise.resolve();
    });
    await runner.idle();
    expect(done).toEqual(['k', 'j']);
    await expect(runner.idle()).resolves.toBeUndefined();
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => createKeyedSerialRunner(0, () => undefined)).toThrow(/positive integer/);
  });
});
