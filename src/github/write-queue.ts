/**
 * One queue of GitHub writes per installation, handed to Octokit one at a time. GitHub's secondary rate limits allow
 * about one content write per second per installation (Octokit's throttling spaces them so): the queue decides which
 * write gets the next second. Each queued write names the GitHub object it writes (`key`): queuing the same key
 * again, while it waits, keeps one write, which sends the object's state as it is when its turn comes (a newer state
 * replaces an older one). A write is chosen when its turn is near (a write every `paceMs`), not a second ahead
 * while it waits in Octokit's throttle, so it carries the newest state. The next write is the most urgent one, and the
 * oldest among equals:
 * - `LIVE`: what people watch right now: a running stage's check run (it starts, with its Abort action; a host
 *   starts or ends it), once the stage has run long enough to be worth a write (`notBefore`);
 * - `STATE`: a stage or a release that ended (check runs completed, the Deployment's final status);
 * - `PROGRESS`: the Deployment made and in progress;
 * - `NOTE`: labels and comments;
 * - `REFRESH`: output lines of a check run, at most once per check run and interval (`notBefore`), and only with
 *   budget left idle for REFRESH_RESERVE intervals: writes stay in reserve for the next state change (a stage
 *   ending), which a refresh handed just before it would delay by an interval.
 * PROGRESS and lower wait while a LIVE write is about to become due: the next write goes to the running stage.
 */

import { setTimeout as sleep } from 'node:timers/promises';

export const LIVE = 0;
export const STATE = 1;
export const PROGRESS = 2;
export const NOTE = 3;
export const REFRESH = 4;
/** Intervals the budget must have been idle before a REFRESH goes. */
const REFRESH_RESERVE = 3;

export type WritePriority = typeof LIVE | typeof STATE | typeof PROGRESS | typeof NOTE | typeof REFRESH;

/** How urgent a write is now; `notBefore` (epoch ms) holds it back until then. */
export interface Urgency {
  priority: WritePriority;
  notBefore?: number;
}

/** A write of one GitHub object's latest state. */
export interface QueuedWrite {
  key: string;
  /** How urgent it is now; `undefined` when there is nothing (left) to write or it must wait for more events. */
  urgency(): Urgency | undefined;
  /** Sends the object's state as it is now. Handles its own failures (never throws). */
  write(): Promise<void>;
}

export interface WriteQueue {
  add(write: QueuedWrite): void;
  /** Resolves once nothing is being written and nothing due waits (writes held back by `notBefore` do not count). */
  idle(): Promise<void>;
}

interface Waiting {
  write: QueuedWrite;
  seq: number;
}

/** Picks the most urgent due write (oldest first among equals); drops writes with nothing left to send. */
function pickNext(
  waiting: Map<string, Waiting>,
  now: number,
  refreshFrom: number,
): { next: Waiting | undefined; wakeAt: number | undefined } {
  let next: { entry: Waiting; priority: number } | undefined;
  let wakeAt: number | undefined;
  let liveDue: number | undefined;
  for (const [key, entry] of waiting) {
    const wanted = entry.write.urgency();
    if (wanted === undefined) {
      waiting.delete(key);
      continue;
    }
    const urgency =
      wanted.priority === REFRESH ? { ...wanted, notBefore: Math.max(wanted.notBefore ?? 0, refreshFrom) } : wanted;
    if (urgency.notBefore !== undefined && urgency.notBefore > now) {
      wakeAt = Math.min(wakeAt ?? Infinity, urgency.notBefore);
      if (urgency.priority === LIVE) liveDue = Math.min(liveDue ?? Infinity, urgency.notBefore);
      continue;
    }
    const better =
      next === undefined ||
      urgency.priority < next.priority ||
      (urgency.priority === next.priority && entry.seq < next.entry.seq);
    if (better) next = { entry, priority: urgency.priority };
  }
  if (next !== undefined && next.priority >= PROGRESS && liveDue !== undefined)
    return { next: undefined, wakeAt: liveDue };
  return { next: next?.entry, wakeAt };
}

/** The write budget: a write every `paceMs` (0: no budget). */
export interface WritePacing {
  paceMs: number;
}

export function createWriteQueue(pacing: WritePacing): WriteQueue {
  const waiting = new Map<string, Waiting>();
  let seq = 0;
  let writing = false;
  let lastHandedAt = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  let idleWaiters: (() => void)[] = [];

  const settle = (): void => {
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const wakeLater = (at: number): void => {
    if (timer !== undefined) clearTimeout(timer);
    // A held-back refresh is not worth keeping a stopping process alive for.
    timer = setTimeout(
      () => {
        timer = undefined;
        void pump();
      },
      Math.max(0, at - Date.now()),
    );
    timer.unref();
  };

  async function pump(): Promise<void> {
    if (writing) return;
    writing = true;
    try {
      while (waiting.size > 0) {
        const due = lastHandedAt + pacing.paceMs;
        if (due > Date.now()) await sleep(due - Date.now());
        const { next, wakeAt } = pickNext(waiting, Date.now(), lastHandedAt + REFRESH_RESERVE * pacing.paceMs);
        if (next === undefined) {
          if (wakeAt !== undefined) wakeLater(wakeAt);
          return;
        }
        waiting.delete(next.write.key);
        lastHandedAt = Date.now();
        await next.write.write();
      }
    } finally {
      writing = false;
      settle();
    }
  }

  return {
    add(write) {
      const queued = waiting.get(write.key);
      waiting.set(write.key, { write, seq: queued?.seq ?? seq++ });
      void pump();
    },
    async idle() {
      while (
        writing ||
        pickNext(waiting, Date.now(), lastHandedAt + REFRESH_RESERVE * pacing.paceMs).next !== undefined
      ) {
        await new Promise<void>((resolve) => {
          idleWaiters.push(resolve);
          if (!writing) void pump();
        });
      }
    },
  };
}

/** The write queues of a process, one per installation. */
export interface WriteQueues {
  forInstallation(installationId: number): WriteQueue;
  idle(): Promise<void>;
}

export function createWriteQueues(pacing: WritePacing): WriteQueues {
  const queues = new Map<number, WriteQueue>();
  return {
    forInstallation(installationId) {
      let queue = queues.get(installationId);
      if (queue === undefined) {
        queue = createWriteQueue(pacing);
        queues.set(installationId, queue);
      }
      return queue;
    },
    async idle() {
      await Promise.all([...queues.values()].map((queue) => queue.idle()));
    },
  };
}
