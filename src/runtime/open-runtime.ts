/**
 * The process's shared state: the database (PostgreSQL or the embedded PGlite), migrated at start, and the job
 * queue of releases. The server and `yardmaster worker` both start here.
 */
import { installAuditKey, resolveAuditKey, AUDIT_KEY_VARIABLE, openDatabase, migrateDatabase } from '../db/index.ts';
import type { Database } from '../db/types.ts';
import { openQueue } from '../dispatch/index.ts';
import { RUNTIME_QUEUES, type RuntimeQueue } from './runtime-queues.ts';
import { checkReadiness, expectedMigrations, type Readiness } from './readiness.ts';
import type { RuntimeConfig } from './runtime-env.ts';
import { startAuditHeadLog } from './audit-head-log.ts';

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

/** Says where the audit key came from; loudly when the chain is not keyed. */
function logAuditKey(
  source: 'variable' | 'data-dir-file' | 'none',
  database: Database,
  log: RuntimeLog,
  file: string | undefined,
): void {
  if (source === 'variable') log.info({ auditKey: AUDIT_KEY_VARIABLE }, 'audit chain keyed');
  else if (source === 'data-dir-file')
    log.info(
      { auditKey: file },
      `audit chain keyed with the data directory's key file (set ${AUDIT_KEY_VARIABLE} to keep the key away from the data)`,
    );
  else if (database.kind === 'postgres') {
    log.error(
      { auditKey: 'none' },
      `${AUDIT_KEY_VARIABLE} is not set: the audit chain is plain sha256, which anyone who can write the database can recompute; set it (32+ characters) in every process`,
    );
  } else log.info({ auditKey: 'none' }, 'audit chain not keyed (in-memory database)');
}

/**
 * Opens the database, applies migrations, installs the audit key (audit-key.ts) and starts the periodic audit head
 * log line, opens the queue with {@link RUNTIME_QUEUES}.
 *
 * @param env where `YARDMASTER_AUDIT_KEY` is read (normally `process.env`).
 */
export async function openRuntime(
  config: RuntimeConfig,
  log: RuntimeLog,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<Runtime> {
  const database = await openDatabase(
    config.database.kind === 'postgres' ? { url: config.database.url } : { dataDir: config.database.dataDir },
  );
  let queue: RuntimeQueue;
  let expected: number;
  try {
    await migrateDatabase(database);
    const auditKey = await resolveAuditKey(
      env,
      database.kind === 'postgres' ? { kind: 'postgres' } : { kind: 'pglite', dataDir: database.dataDir },
      { createFile: true },
    );
    if (!auditKey.ok) throw new Error(auditKey.problem);
    installAuditKey(auditKey.key);
    logAuditKey(auditKey.source, database, log, auditKey.file);
    expected = await expectedMigrations();
    queue = await openQueue(database, {
      queues: RUNTIME_QUEUES,
      onError: (error) => {
        log.error({ err: error }, 'job queue error');
      },
    });
  } catch (error) {
    await database.close();
    throw error;
  }
  log.info(
    { database: database.kind === 'postgres' ? 'postgres' : `pglite:${database.dataDir}`, migrations: expected },
    'database ready',
  );
  const headLog = startAuditHeadLog(database.db, log);
  return {
    config,
    database,
    queue,
    readiness: () => checkReadiness(database, expected),
    async close(options = {}) {
      headLog.stop();
      try {
        await queue.stop({ timeoutMs: options.queueTimeoutMs ?? 30_000 });
        await options.afterQueue?.();
      } finally {
        await database.close();
      }
    },
  };
}
