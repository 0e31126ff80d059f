/**
 * Workers as a process runs them (the server's in-process workers and `yardmaster worker`): SSH identity from the
 * environment, the repo config from `YARDMASTER_CONFIG` or the GitHub adapter, events logged and reported.
 */
import type { WorkerEvent } from '../dispatch/index.ts';
import type { PolicySource } from '../policy/index.ts';
import type { Runtime } from './open-runtime.ts';
import { fileRepoConfigSource, missingRepoConfigSource, type RepoConfigSource } from './repo-config-source.ts';
import { startWorkers, type Workers } from './start-workers.ts';
import { policyWorkerConnect, workerConnect } from './worker-connect.ts';
import { fanOut, logWorkerEvents, type WorkerEventLogger } from './worker-event-log.ts';

/** What GitHub adds when the process has App credentials. */
export interface GitHubWorkerWiring {
  /** `.github/yardmaster.yml` of the order's repository; used unless YARDMASTER_CONFIG is set. */
  configSource?: RepoConfigSource;
  /** Check runs, deployment statuses, comments. */
  report?: (event: WorkerEvent) => void;
  /** Resolves when every event reported so far is handled (called after the queue stopped, before the database closes). */
  idle?: () => Promise<void>;
}

/** The logger workers use. */
export type ProcessWorkersLog = WorkerEventLogger & { warn(fields: object, message: string): void };

/** Started workers, or why they cannot start (a bad SSH identity). */
export type ProcessWorkersResult =
  | { ok: true; workers: Workers; configSource: RepoConfigSource; idle: () => Promise<void> }
  | { ok: false; problem: string };

/** The repo config source: the file when YARDMASTER_CONFIG is set, else GitHub's, else one that explains. */
export function chooseConfigSource(runtime: Runtime, github: GitHubWorkerWiring): RepoConfigSource {
  if (runtime.config.configFile !== undefined) return fileRepoConfigSource(runtime.config.configFile);
  return (
    github.configSource ??
    missingRepoConfigSource(
      'no repo config source: set YARDMASTER_CONFIG to a config file, or give the worker the App credentials (APP_ID, PRIVATE_KEY)',
    )
  );
}

/** Starts `runtime.config.workers` releases' worth of workers (none when 0), within the operator's `policy`. */
export async function startProcessWorkers(
  runtime: Runtime,
  env: Readonly<Record<string, string | undefined>>,
  log: ProcessWorkersLog,
  policy: PolicySource,
  github: GitHubWorkerWiring = {},
): Promise<ProcessWorkersResult> {
  const configSource = chooseConfigSource(runtime, github);
  const idle = github.idle ?? (() => Promise.resolve());
  if (runtime.config.workers === 0) {
    return {
      ok: true,
      workers: await startWorkers(runtime, {
        count: 0,
        connect: () => Promise.reject(new Error('no workers')),
        configSource,
      }),
      configSource,
      idle,
    };
  }
  const connect = await workerConnect(env, runtime.config.acceptNewHostKeys, log);
  if (!connect.ok) return { ok: false, problem: connect.message };
  const onEvent = github.report === undefined ? logWorkerEvents(log) : fanOut(logWorkerEvents(log), github.report);
  const connectFor = policyWorkerConnect(policy, connect.connect, env, runtime.config.acceptNewHostKeys, log);
  const workers = await startWorkers(runtime, {
    count: runtime.config.workers,
    connect: connect.connect,
    policy,
    connectFor,
    configSource,
    onEvent,
  });
  log.info(
    {
      workerId: workers.worker?.workerId,
      concurrency: runtime.config.workers,
      configSource: configSource.name,
      policy: policy.name,
    },
    'release worker started',
  );
  return { ok: true, workers, configSource, idle };
}
