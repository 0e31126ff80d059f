/**
 * The release worker: pulls `release.start` and `release.rollback` jobs and runs them against the hosts, one release
 * per app + environment at a time (the environment lock), and resumes releases whose worker died (a sweep for running
 * orders whose lock lease ran out). Any number of workers, in any number of processes, may share one database.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '../db/types.ts';
import type { ConnectHost } from '../deploy/types.ts';
import {
  defaultPolicySource,
  policyConnect,
  storeSecretSource,
  type PolicySource,
  type RepoConnect,
  type SecretSource,
} from '../policy/index.ts';
import { handlePreflightJob } from './preflight-job.ts';
import { PREFLIGHT_QUEUE, ROLLBACK_QUEUE, START_QUEUE, type ReleaseQueue } from './release-queues.ts';
import { sweepExpiredReleases } from './recovery-sweep.ts';
import { handleRollbackJob } from './rollback-job.ts';
import { handleStartJob } from './start-job.ts';
import type { ConfigLoader, WorkerContext } from './worker-context.ts';
import type { WorkerEvent } from './worker-events.ts';

export type { ConfigLoader } from './worker-context.ts';

export interface ReleaseWorkerOptions {
  database: Database;
  /** Opened with `RELEASE_QUEUES`; stopping it is the caller's (after `worker.stop()`). */
  queue: ReleaseQueue;
  /** Opens an executor for a host: the registry bound to this worker's SSH identity and host-key policy. */
  connect: ConnectHost;
  loadConfig: ConfigLoader;
  /** The operator's policy (default: the built-in defaults over `artifactsDir`: ssh only, files from the store). */
  policy?: PolicySource;
  /** `connect` per repository (default: `connect` guarded by `policy`); the runtime adds per-repository SSH identities. */
  connectFor?: RepoConnect;
  /** Where relative package paths are looked up, and where downloads are cached. */
  artifactsDir: string;
  cacheDir: string;
  /** Shown as the environment lock's owner; unique per worker. Default `<host>:<pid>:<uuid>`. */
  workerId?: string;
  /**
   * Where `secret_env` values come from: the secret store for the order's repository and environment. Default: the
   * store in `database` without a key, which runs only environments that name no secret. Never the process's
   * environment: a repository must not reach the server's own variables.
   */
  secrets?: SecretSource;
  /** Every event worth reporting: engine events, transitions, waiting, deferral, recovery, errors. */
  onEvent?: (event: WorkerEvent) => void;
  /** How long the environment lock stays held without a heartbeat (default 30 s): the time to notice a dead worker. */
  leaseMs?: number;
  /** Lease renewal and abort check interval (default a quarter of the lease, at most 1 s). */
  heartbeatMs?: number;
  /** How soon an order that found the environment locked tries again (default 5 s). */
  waitRetryMs?: number;
  /** How often to look for releases whose worker died (default half the lease; 0 = never, e.g. in tests). */
  sweepIntervalMs?: number;
  /**
   * Also work `preflight.run` (pre-flights of plans before approval), at most this many at once (default 0: this
   * worker runs none; the runtime's workers run them).
   */
  preflightConcurrency?: number;
  /** Releases this worker runs at once (default 2; different environments only, by the lock). */
  concurrency?: number;
  pollingIntervalSeconds?: number;
  /** The clock for freeze windows (tests pin it). */
  now?: () => Date;
}

export interface ReleaseWorker {
  readonly workerId: string;
  /** Runs one recovery pass now; resolves to how many releases it resumed. */
  sweep(): Promise<number>;
  /** Stops sweeping and waits for a sweep in progress; job handlers stop with the queue. */
  stop(): Promise<void>;
}

const DEFAULT_LEASE_MS = 30_000;

/** Starts a release worker (see the top of this file). */
export async function startReleaseWorker(options: ReleaseWorkerOptions): Promise<ReleaseWorker> {
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const onEvent = options.onEvent;
  const now = options.now ?? (() => new Date());
  const policy = options.policy ?? defaultPolicySource({ artifactsDir: options.artifactsDir });
  const ctx: WorkerContext = {
    db: options.database.db,
    queue: options.queue,
    connect: options.connect,
    connectFor: options.connectFor ?? policyConnect(policy, options.connect),
    policy,
    loadConfig: options.loadConfig,
    workerId,
    artifactsDir: options.artifactsDir,
    cacheDir: options.cacheDir,
    secrets: options.secrets ?? storeSecretSource(options.database.db, undefined),
    leaseMs,
    heartbeatMs: options.heartbeatMs ?? Math.min(1_000, Math.max(50, Math.floor(leaseMs / 4))),
    waitRetryMs: options.waitRetryMs ?? 5_000,
    now,
    emit: (event) => {
      try {
        onEvent?.(event);
      } catch {
        // A reporting adapter's failure must not break the release it reports on.
      }
    },
    active: new Set(),
  };
  const report = (error: unknown, workOrderId: number | null): void => {
    ctx.emit({ type: 'error', workOrderId, message: error instanceof Error ? error.message : String(error) });
  };

  const workOptions = {
    concurrency: options.concurrency ?? 2,
    ...(options.pollingIntervalSeconds === undefined ? {} : { pollingIntervalSeconds: options.pollingIntervalSeconds }),
  };
  await options.queue.work(
    START_QUEUE,
    async (job) => {
      try {
        await handleStartJob(ctx, job);
      } catch (error) {
        report(error, job.data.workOrderId);
        throw error;
      }
    },
    workOptions,
  );
  await options.queue.work(
    ROLLBACK_QUEUE,
    async (job) => {
      try {
        await handleRollbackJob(ctx, job);
      } catch (error) {
        report(error, job.data.workOrderId);
        throw error;
      }
    },
    workOptions,
  );

  const preflights = options.preflightConcurrency ?? 0;
  if (preflights > 0)
    await options.queue.work(
      PREFLIGHT_QUEUE,
      async (job) => {
        try {
          await handlePreflightJob(ctx, job);
        } catch (error) {
          report(error, job.data.workOrderId);
          throw error;
        }
      },
      { ...workOptions, concurrency: preflights },
    );

  const stopping = new AbortController();
  let sweeping: Promise<number> = Promise.resolve(0);
  const sweep = (): Promise<number> => {
    sweeping = sweeping
      .then(() => sweepExpiredReleases(ctx))
      .catch((error: unknown) => {
        report(error, null);
        return 0;
      });
    return sweeping;
  };
  const interval = options.sweepIntervalMs ?? Math.floor(leaseMs / 2);
  const loop =
    interval > 0
      ? (async () => {
          for (;;) {
            await sweep();
            try {
              await sleep(interval, undefined, { signal: stopping.signal });
            } catch {
              return;
            }
          }
        })()
      : Promise.resolve();

  return {
    workerId,
    sweep,
    async stop() {
      stopping.abort();
      await loop;
      await sweeping;
    },
  };
}
