/** What every part of the release worker shares. */
import type { RepoConfig } from '../config/types.ts';
import type { Db } from '../db/types.ts';
import type { ConnectHost } from '../deploy/types.ts';
import type { PolicySource, RepoConnect, SecretSource } from '../policy/index.ts';
import type { ReleaseQueue } from './release-queues.ts';
import type { WorkerEvent } from './worker-events.ts';

/** Where the worker gets an order's repo config: `.github/yardmaster.yml` of the default branch, as it is now. */
export type ConfigLoader = (repo: { repoFullName: string; installationId: number }) => Promise<{ ok: true; config: RepoConfig } | { ok: false; message: string }>;

export interface WorkerContext {
  db: Db;
  queue: ReleaseQueue;
  /** The executor registry bound to the worker's identity; releases reach hosts through {@link WorkerContext.connectFor}. */
  connect: ConnectHost;
  /** `connect` for one repository's hosts, within what the operator's policy grants it (checked at every connect). */
  connectFor: RepoConnect;
  /** The operator's policy, checked again when a release starts. */
  policy: PolicySource;
  loadConfig: ConfigLoader;
  workerId: string;
  artifactsDir: string;
  cacheDir: string;
  /** Where `secret_env` values come from: the secret store, never the process's environment. */
  secrets: SecretSource;
  leaseMs: number;
  heartbeatMs: number;
  waitRetryMs: number;
  now: () => Date;
  emit: (event: WorkerEvent) => void;
  /** Orders this process is running right now: a job and a sweep must never both run one. */
  active: Set<number>;
}
