/**
 * The process's shared state: the database (PostgreSQL or the embedded PGlite), migrated at start, and the job
 * queue of releases. The server and `yardmaster worker` both start here.
 */
import { openDatabase } from '../db/client.ts';
import { migrateDatabase } from '../db/migrate.ts';
import type { Database } from '../db/types.ts';
import { openQueue } from '../dispatch/queue.ts';
import { RUNTIME_QUEUES, type RuntimeQueue } from './runtime-queues.ts';
import { checkReadiness, expectedMigrations, type Readiness } from './readiness.ts';
import type { RuntimeConfig } from './runtime-env.ts';

/** Where the runtime logs. */
export interface RuntimeLog {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** An open runtime. Stop workers before {@link Runtime.close}. */
export interface Runtime {
  config: RuntimeConfig;
  database: Database;
  queue: RuntimeQueue;
  /** Database reachable and every migration applied. */
  readiness(): Promise<Readiness>;
  /**
   * Stops the queue (waiting up to `queueTimeoutMs` for running handlers), runs `afterQueue` (e.g. the GitHub
   * reporter finishing what those handlers reported), then closes the database.
   */
  close(options?: { queueTimeoutMs?: number; afterQueue?: () => Promise<void> }): Promise<void>;
}

/** Opens the database, applies migrations, opens the queue with {@link RUNTIME_QUEUES}. */
export async function openRuntime(config: RuntimeConfig, log: RuntimeLog): Promise<Runtime> {
  const database = await openDatabase(config.database.kind === 'postgres' ? { url: config.database.url } : { dataDir: config.database.dataDir });
  let queue: RuntimeQueue;
  let expected: number;
  try {
    await migrateDatabase(database);
    expected = await expectedMigrations();
    queue = await openQueue(database, { queues: RUNTIME_QUEUES, onError: (error) => log.error({ err: error }, 'job queue error') });
  } catch (error) {
    await database.close();
    throw error;
  }
  log.info(
    { database: database.kind === 'postgres' ? 'postgres' : `pglite:${database.dataDir}`, migrations: expected },
    'database ready',
  );
  return {
    config,
    database,
    queue,
    readiness: () => checkReadiness(database, expected),
    async close(options = {}) {
      try {
        await queue.stop({ timeoutMs: options.queueTimeoutMs ?? 30_000 });
        await options.afterQueue?.();
      } finally {
        await database.close();
      }
    },
  };
}
