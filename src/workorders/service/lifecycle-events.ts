/** What the order lifecycle reports to the worker, which passes it on to the adapters with the engine's events. */
import type { TransitionCause, WorkOrderState } from '../types.ts';

export type LifecycleEvent =
  /** The worker moved the order. */
  | {
      type: 'transition';
      workOrderId: number;
      from: WorkOrderState;
      to: WorkOrderState;
      cause: TransitionCause;
      reason: string;
    }
  /** The environment lock is taken: the order waits in line and is tried again at `retryAt`. */
  | {
      type: 'waiting';
      workOrderId: number;
      reason: 'held' | 'manual-lock' | 'queued-behind';
      message: string;
      position: number;
      retryAt: Date;
    }
  /** The environment is frozen: the start moved to the freeze's end. */
  | { type: 'deferred'; workOrderId: number; window: string; until: Date }
  /** A job that no longer applies: the order moved on, the plan changed, or another worker runs it. */
  | { type: 'skipped'; workOrderId: number; jobId: string | null; reason: SkipReason; message: string }
  /** Something went wrong outside any release outcome (a database error, a config that will not load). */
  | { type: 'error'; workOrderId: number | null; message: string };

export type SkipReason = 'not-found' | 'not-startable' | 'superseded' | 'stale-digest' | 'in-progress';
