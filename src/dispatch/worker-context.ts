/** What every part of the release worker shares. */
import type { ConnectHost } from '../deploy/types.ts';
import type { RepoConnect } from '../policy/index.ts';
import type { ReleaseDeps } from '../workorders/service/index.ts';
import type { ReleaseQueue } from './release-queues.ts';
import type { WorkerEvent } from './worker-events.ts';

export type { ConfigLoader } from '../workorders/service/index.ts';

/** The lifecycle's collaborators (database, queue, policy, config, secrets, identity, lease, clock), the engine's. */
export interface WorkerContext extends ReleaseDeps {
  queue: ReleaseQueue;
  /** The executor registry bound to the worker's identity; releases reach hosts through {@link WorkerContext.connectFor}. */
  connect: ConnectHost;
  /** `connect` for one repository's hosts, within what the operator's policy grants it (checked at every connect). */
  connectFor: RepoConnect;
  artifactsDir: string;
  cacheDir: string;
  heartbeatMs: number;
  emit: (event: WorkerEvent) => void;
  /** Orders this process is running right now: a job and a sweep must never both run one. */
  active: Set<number>;
}
