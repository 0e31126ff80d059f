/**
 * The job queue: pg-boss on the same database as everything else. On PostgreSQL pg-boss opens its own small
 * pool from the URL (it needs session-pinned connections for LISTEN/NOTIFY); on PGlite it shares the one
 * in-process instance through pg-boss's PGlite adapter. Either way jobs can be enqueued inside our own drizzle
 * transactions (`send(…, { tx })`).
 */
import { fromPglite, PgBoss, type ConstructorOptions, type Job } from 'pg-boss';
import type { Database } from '../db/types.ts';
import { schemaOutput } from '../lib/trust-boundaries.ts';
import { jobDbFor } from './job-db.ts';
import type {
  JobData,
  Queue,
  QueueDefinition,
  QueueDefinitions,
  QueueJob,
  SendJobOptions,
  WorkJobOptions,
} from './types.ts';

export interface OpenQueueOptions<D extends QueueDefinitions> {
  /** Every queue this process sends to or works on. They are created (or updated) at open. */
  queues: D;
  /** pg-boss's own errors (maintenance, polling); default: a process warning. pg-boss must not be left without one. */
  onError?: (error: Error) => void;
}

const DEFAULT_POLLING_SECONDS = 2;

/** pg-boss's command responses are declared as an empty interface; at run time they carry `affected`. */
function affectedCount(response: object): number {
  return 'affected' in response && typeof response.affected === 'number' ? response.affected : 0;
}

function bossOptions(database: Database): ConstructorOptions {
  const common: ConstructorOptions = {
    // Wakes workers on each new job instead of at the next poll (the dispatch latency target is far below a poll).
    useListenNotify: true,
    // Jobs carry their own start time; pg-boss's cron scheduler is not used.
    schedule: false,
  };
  return database.kind === 'postgres'
    ? { ...common, connectionString: database.url, max: 4 }
    : { ...common, db: fromPglite(database.pglite), backend: 'pglite' };
}

function sendOptions(options: SendJobOptions) {
  return {
    ...(options.startAfter === undefined ? {} : { startAfter: options.startAfter }),
    ...(options.singletonKey === undefined ? {} : { singletonKey: options.singletonKey }),
    ...(options.tx === undefined ? {} : { db: jobDbFor(options.tx) }),
  };
}

function queueSettings(definition: QueueDefinition) {
  return {
    notify: true,
    ...(definition.retryLimit === undefined ? {} : { retryLimit: definition.retryLimit }),
    ...(definition.retryDelaySeconds === undefined ? {} : { retryDelay: definition.retryDelaySeconds }),
    ...(definition.retryBackoff === undefined ? {} : { retryBackoff: definition.retryBackoff }),
    ...(definition.expireInSeconds === undefined ? {} : { expireInSeconds: definition.expireInSeconds }),
  };
}

/**
 * Starts pg-boss on `database` (installing or upgrading its `pgboss` schema, under pg-boss's own advisory lock),
 * creates the queues and returns the typed wrapper. Stop it before closing the database.
 */
export async function openQueue<const D extends QueueDefinitions>(
  database: Database,
  options: OpenQueueOptions<D>,
): Promise<Queue<D>> {
  const boss = new PgBoss(bossOptions(database));
  const onError =
    options.onError ??
    ((error: Error) => {
      process.emitWarning(error);
    });
  boss.on('error', onError);
  await boss.start();
  try {
    for (const [name, definition] of Object.entries(options.queues)) {
      const settings = queueSettings(definition);
      await boss.createQueue(name, {
        ...settings,
        policy: definition.policy ?? 'standard',
        ...(definition.heartbeatSeconds === undefined ? {} : { heartbeatSeconds: definition.heartbeatSeconds }),
      });
      // createQueue leaves an existing queue as it was; settings changed since then are applied here.
      // This also caches the queue in pg-boss, so a send inside a PGlite transaction never needs the connection.
      await boss.updateQueue(name, settings);
    }
  } catch (error) {
    await boss.stop({ graceful: false });
    throw error;
  }

  function definitionOf(name: string): QueueDefinition {
    const definition = options.queues[name];
    if (definition === undefined) throw new Error(`unknown queue ${name}: pass it to openQueue`);
    return definition;
  }

  return {
    async send(name, data, sendJobOptions = {}) {
      const definition = definitionOf(name);
      // Checked before it is stored: a bad payload is the sender's bug and should fail the sender, not a worker.
      const parsed = definition.schema.parse(data);
      return boss.send(name, parsed, sendOptions(sendJobOptions));
    },

    async work<N extends keyof D & string>(
      name: N,
      handler: (job: QueueJob<JobData<D, N>>) => Promise<void>,
      workOptions: WorkJobOptions = {},
    ) {
      const definition = definitionOf(name);
      const polling = workOptions.pollingIntervalSeconds ?? DEFAULT_POLLING_SECONDS;
      return boss.work<unknown>(
        name,
        {
          batchSize: 1,
          localConcurrency: workOptions.concurrency ?? 1,
          pollingIntervalSeconds: polling,
          // pg-boss polls at this rate instead while NOTIFY is live; kept as fast as the plain poll, because the
          // poll (not NOTIFY, which fires at insert) is what starts a delayed job once it comes due.
          notifyPollingIntervalSeconds: polling,
        },
        async (jobs: Job<unknown>[]) => {
          for (const job of jobs) {
            // A job written by an older version may not match today's schema: fail it rather than guess.
            const data = schemaOutput<JobData<D, N>>(definition.schema.parse(job.data));
            await handler({ id: job.id, data, retryCount: job.retryCount, signal: job.signal });
          }
        },
      );
    },

    async cancel(name, jobId, cancelOptions = {}) {
      definitionOf(name);
      const response = await boss.cancel(
        name,
        jobId,
        cancelOptions.tx === undefined ? {} : { db: jobDbFor(cancelOptions.tx) },
      );
      return affectedCount(response) === 1;
    },

    async depth() {
      const queues = await boss.getQueues(Object.keys(options.queues));
      return queues.map((queue) => ({ queue: queue.name, queued: queue.queuedCount, active: queue.activeCount }));
    },

    async stop(stopOptions = {}) {
      await boss.stop({ graceful: true, timeout: stopOptions.timeoutMs ?? 30_000 });
    },
  };
}
