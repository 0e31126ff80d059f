/** What the release worker reports, for adapters to turn into check runs, deployment statuses and comments. */
import type { HostRollbackReport } from '../deploy/rollback-environment.ts';
import type { ReleaseEvent } from '../deploy/types.ts';
import type { TransitionCause, WorkOrderState } from '../workorders/types.ts';

export type WorkerEvent =
  /** An engine event of the order's release (or rollback): stages, hosts, output lines, the result. */
  | { type: 'release'; workOrderId: number; event: ReleaseEvent }
  /** The worker moved the order. */
  | { type: 'transition'; workOrderId: number; from: WorkOrderState; to: WorkOrderState; cause: TransitionCause; reason: string }
  /** The environment lock is taken: the order waits in line and is tried again at `retryAt`. */
  | { type: 'waiting'; workOrderId: number; reason: 'held' | 'manual-lock' | 'queued-behind'; message: string; position: number; retryAt: Date }
  /** The environment is frozen: the start moved to the freeze's end. */
  | { type: 'deferred'; workOrderId: number; window: string; until: Date }
  /** A job that no longer applies: the order moved on, the plan changed, or another worker runs it. */
  | { type: 'skipped'; workOrderId: number; jobId: string | null; reason: SkipReason; message: string }
  /** A release whose worker died is being finished: hosts caught mid-release were switched back first. */
  | { type: 'recovering'; workOrderId: number; releaseId: string; hosts: { host: string; to: string | null; ok: boolean; message: string }[] }
  /** A `/rollback` of a released order starts: these hosts go back to `to` (absent: each to its version before). */
  | { type: 'rollback-started'; workOrderId: number; hosts: string[]; to: string | undefined }
  /** The `/rollback` ended: what became of each host (before the order's transition is reported). */
  | { type: 'rollback-finished'; workOrderId: number; ok: boolean; hosts: HostRollbackReport[] }
  /** Something went wrong outside any release outcome (a database error, a config that will not load). */
  | { type: 'error'; workOrderId: number | null; message: string };

export type SkipReason = 'not-found' | 'not-startable' | 'superseded' | 'stale-digest' | 'in-progress';

export type WorkerEventSink = (event: WorkerEvent) => void;
