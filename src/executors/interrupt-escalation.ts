/** Timeout and cancellation of a running command: TERM, then KILL after a grace period, then give up. */
import { setLongTimeout, type LongTimeout } from '../lib/long-timeout.ts';

export interface InterruptSteps {
  /** Ask the command's process group to stop (SIGTERM). */
  terminate(): void;
  /** Force it (SIGKILL). */
  kill(): void;
  /** Stop waiting for it (close the channel / the pipes) so the caller gets a result anyway. */
  abandon(): void;
}

export interface InterruptWatch {
  readonly timedOut: boolean;
  readonly aborted: boolean;
  /** Starts the escalation for another cause (e.g. stdin failed); no-op once started. */
  interrupt(): void;
  /** Clears timers and the abort listener; call when the command has ended. */
  dispose(): void;
}

/** Default time between TERM and KILL, and between KILL and giving up. */
export const INTERRUPT_GRACE_MS = 2000;

/**
 * Watches `timeoutMs` and `signal` for one command and runs `steps` when either fires: `terminate` at once,
 * `kill` after `graceMs`, `abandon` after another `graceMs / 2`.
 */
export function watchInterrupt(
  options: { timeoutMs?: number | undefined; signal?: AbortSignal | undefined },
  steps: InterruptSteps,
  graceMs: number = INTERRUPT_GRACE_MS,
): InterruptWatch {
  let timedOut = false;
  let aborted = false;
  let started = false;
  const timers: LongTimeout[] = [];
  const start = (): void => {
    if (started) return;
    started = true;
    steps.terminate();
    timers.push(
      setLongTimeout(() => {
        steps.kill();
      }, graceMs),
      setLongTimeout(
        () => {
          steps.abandon();
        },
        graceMs + graceMs / 2,
      ),
    );
  };
  const onAbort = (): void => {
    if (started) return;
    aborted = true;
    start();
  };
  if (options.timeoutMs !== undefined && Number.isFinite(options.timeoutMs)) {
    // A long timer: a timeout past 2^31-1 ms given to setTimeout would fire after 1 ms.
    timers.push(
      setLongTimeout(
        () => {
          if (started) return;
          timedOut = true;
          start();
        },
        Math.max(0, options.timeoutMs),
      ),
    );
  }
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted === true) onAbort();
  return {
    get timedOut() {
      return timedOut;
    },
    get aborted() {
      return aborted;
    },
    interrupt: start,
    dispose: () => {
      for (const timer of timers) timer.clear();
      options.signal?.removeEventListener('abort', onAbort);
    },
  };
}
