/** What the release worker reports, for adapters to turn into check runs, deployment statuses and comments. */
import type { HostRollbackReport } from '../deploy/index.ts';
import type { ReleaseEvent } from '../deploy/types.ts';
import type { LifecycleEvent, PreflightView } from '../workorders/service/index.ts';

export type { SkipReason } from '../workorders/service/index.ts';

/**
 * The lifecycle's events (transitions, waiting in line, freeze deferral, skipped jobs, errors) and the engine's: those
 * are below.
 */
export type WorkerEvent =
  | LifecycleEvent
  /** An engine event of the order's release (or rollback): stages, hosts, output lines, the result. */
  | { type: 'release'; workOrderId: number; event: ReleaseEvent }
  /** A release whose worker died is being finished: hosts caught mid-release were switched back first. */
  | {
      type: 'recovering';
      workOrderId: number;
      releaseId: string;
      hosts: { host: string; to: string | null; ok: boolean; message: string }[];
    }
  /** A `/rollback` of a released order starts: these hosts go back to `to` (absent: each to its version before). */
  | { type: 'rollback-started'; workOrderId: number; hosts: string[]; to: string | undefined }
  /** The `/rollback` ended: what became of each host (before the order's transition is reported). */
  | { type: 'rollback-finished'; workOrderId: number; ok: boolean; hosts: HostRollbackReport[] }
  /** A plan version's pre-flight ended (passed or failed), or could not run; stored before it is reported. */
  | { type: 'preflight'; workOrderId: number; preflight: PreflightView };

export type WorkerEventSink = (event: WorkerEvent) => void;
