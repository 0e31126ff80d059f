/**
 * Opens the database: PostgreSQL through postgres.js when a URL is given, else PGlite (PostgreSQL compiled to
 * WebAssembly) in this process, so `npm start` works with nothing installed. Both run the same migrations and
 * the same pg-boss schema; see src/db/README.md for why PGlite is the embedded default.
 * Each driver is imported when it is chosen (client-postgres.ts, client-pglite.ts): a process loads one of them
 * only, which keeps the server's start short (test/integration/server-start-loads.test.ts).
 */
import { defaultDataDir } from './default-data-dir.ts';
import type { Database } from './types.ts';

export { IN_MEMORY } from './in-memory.ts';

export interface OpenDatabaseOptions {
  /** A PostgreSQL connection URL (DATABASE_URL). When absent or empty, the embedded PGlite is used. */
  url?: string | undefined;
  /** PGlite's data directory; `memory://` keeps it in memory (tests). Default: {@link defaultDataDir}. */
  dataDir?: string | undefined;
  /** Most connections postgres.js opens (default 10). */
  maxConnections?: number;
}

/**
 * Opens PostgreSQL at `url`, else the embedded PGlite at `dataDir`. Does not migrate: call
 * {@link migrateDatabase} (migrate.ts) before use. Close it with `close()` after stopping the job queue.
 *
 * @throws DataDirInUseError when another live process has the embedded data directory open.
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  if (options.url !== undefined && options.url !== '') {
    const { openPostgres } = await import('./client-postgres.ts');
    return openPostgres(options.url, options.maxConnections ?? 10);
  }
  const { openPglite } = await import('./client-pglite.ts');
  return openPglite(options.dataDir ?? defaultDataDir());
}
