/**
 * Opens the database: PostgreSQL through postgres.js when a URL is given, else PGlite (PostgreSQL compiled to
 * WebAssembly) in this process, so `npm start` works with nothing installed. Both run the same migrations and
 * the same pg-boss schema; see src/db/README.md for why PGlite is the embedded default.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { lockDataDir } from './data-dir-lock.ts';
import { defaultDataDir } from './default-data-dir.ts';
import * as schema from './schema.ts';
import type { Database } from './types.ts';

export interface OpenDatabaseOptions {
  /** A PostgreSQL connection URL (DATABASE_URL). When absent or empty, the embedded PGlite is used. */
  url?: string | undefined;
  /** PGlite's data directory; `memory://` keeps it in memory (tests). Default: {@link defaultDataDir}. */
  dataDir?: string | undefined;
  /** Most connections postgres.js opens (default 10). */
  maxConnections?: number;
}

/** The data directory value that keeps PGlite in memory. */
export const IN_MEMORY = 'memory://';

async function openPostgres(url: string, maxConnections: number): Promise<Database> {
  const client = postgres(url, {
    max: maxConnections,
    // postgres.js prints server notices ("schema … already exists, skipping") to the console by default.
    onnotice: () => undefined,
  });
  try {
    // postgres.js connects lazily; a wrong URL should fail here, where the caller can say which setting is wrong.
    await client`select 1`;
  } catch (error) {
    await client.end({ timeout: 1 });
    throw error;
  }
  return {
    kind: 'postgres',
    url,
    db: drizzlePostgres({ client, schema }),
    close: () => client.end({ timeout: 5 }),
  };
}

async function openPglite(dataDir: string): Promise<Database> {
  if (dataDir.startsWith(IN_MEMORY)) {
    const pglite = await PGlite.create(dataDir);
    return {
      kind: 'pglite',
      pglite,
      dataDir,
      db: drizzlePglite({ client: pglite, schema }),
      close: () => pglite.close(),
    };
  }
  // PGlite creates the data directory itself but not its parents.
  await mkdir(dirname(dataDir), { recursive: true });
  const lock = await lockDataDir(dataDir);
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(dataDir);
  } catch (error) {
    await lock.release();
    throw error;
  }
  return {
    kind: 'pglite',
    pglite,
    dataDir,
    db: drizzlePglite({ client: pglite, schema }),
    async close() {
      try {
        await pglite.close();
      } finally {
        await lock.release();
      }
    },
  };
}

/**
 * Opens PostgreSQL at `url`, else the embedded PGlite at `dataDir`. Does not migrate: call
 * {@link migrateDatabase} (migrate.ts) before use. Close it with `close()` after stopping the job queue.
 *
 * @throws DataDirInUseError when another live process has the embedded data directory open.
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  if (options.url !== undefined && options.url !== '') return openPostgres(options.url, options.maxConnections ?? 10);
  return openPglite(options.dataDir ?? defaultDataDir());
}
