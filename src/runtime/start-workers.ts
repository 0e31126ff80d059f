/**
 * In-process release workers on an open runtime: one release worker (src/dispatch/release-worker.ts) running up to
 * `count` releases at once, with the process's SSH identity and a repo config source.
 */
import type { ConnectHost } from '../deploy/types.ts';
import type { PolicySource, RepoConnect } from '../policy/index.ts';
import { type ReleaseWorker, startReleaseWorker, type WorkerEvent } from '../dispatch/index.ts';
import { storeSecretSource } from '../policy/index.ts';
import type { Runtime } from './open-runtime.ts';
import type { RepoConfigSource } from './repo-config-source.ts';

/** What {@link startWorkers} needs besides the runtime. */
export interface StartWorkersOptions {
  /** Releases run at once (different environments only: one release per app + environment). */
  count: number;
  connect: ConnectHost;
  /** The operator's policy (default: the built-in defaults). */
  policy?: PolicySource;
  /** `connect` per repository within the policy (default: `connect` guarded by `policy`). */
  connectFor?: RepoConnect;
  configSource: RepoConfigSource;
  /** Every worker event (GitHub reporting, logs). */
  onEvent?: (event: WorkerEvent) => void;
  /** Shown as the environment lock's owner; default `<host>:<pid>:<uuid>`. */
  workerId?: string;
}

/** Running workers. */
export interface Workers {
  /** Null when `count` was 0. */
  readonly worker: ReleaseWorker | null;
  /** Stops sweeping; job handlers stop with the queue ({@link Runtime.close}), which must come after. */
  stop(): Promise<void>;
}

/** Starts the workers; with `count` 0 starts nothing. */
export async function startWorkers(runtime: Runtime, options: StartWorkersOptions): Promise<Workers> {
  if (options.count === 0) return { worker: null, stop: () => Promise.resolve() };
  const worker = await startReleaseWorker({
    database: runtime.database,
    queue: runtime.queue,
    connect: options.connect,
    loadConfig: (repo) => options.configSource.load(repo),
    artifactsDir: runtime.config.artifactsDir,
    cacheDir: runtime.config.cacheDir,
    concurrency: options.count,
    // Pre-flights read hosts only and are bounded per host: as many as releases, beside them.
    preflightConcurrency: options.count,
    pollingIntervalSeconds: runtime.config.pollSeconds,
    ...(options.policy === undefined ? {} : { policy: options.policy }),
    ...(options.connectFor === undefined ? {} : { connectFor: options.connectFor }),
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
    // Secrets come from the store under the process's YARDMASTER_SECRETS_KEY, never from its environment.
    secrets: storeSecretSource(runtime.database.db, runtime.config.secretsKey),
    ...(options.workerId === undefined ? {} : { workerId: options.workerId }),
  });
  return { worker, stop: () => worker.stop() };
}
