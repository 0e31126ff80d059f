/**
 * A database of its own for each test file: `ym_<random>` on the local PostgreSQL (created through the
 * `postgres` maintenance database, dropped afterwards), or a fresh in-memory PGlite.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { IN_MEMORY, openDatabase } from '../../src/db/client.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';
import type { Database } from '../../src/db/types.ts';

/** The maintenance database of the test server; override with YM_TEST_MAINTENANCE_URL. */
export const MAINTENANCE_URL = process.env.YM_TEST_MAINTENANCE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Both backends Yardmaster runs on, for `describe.each`. */
export const BACKENDS = ['postgres', 'pglite'] as const;
export type Backend = (typeof BACKENDS)[number];

export interface TestPostgres {
  name: string;
  url: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/**
 * Creates an empty database `<prefix><random>` (default `ym_`) through the maintenance database and returns its
 * URL; `drop()` removes it even with sessions open. Benches use it too, with their own prefix and server.
 */
export async function createTestPostgres(
  options: { maintenanceUrl?: string; prefix?: string } = {},
): Promise<TestPostgres> {
  const maintenanceUrl = options.maintenanceUrl ?? MAINTENANCE_URL;
  const name = `${options.prefix ?? 'ym_'}${randomBytes(6).toString('hex')}`;
  const admin = postgres(maintenanceUrl, { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  return {
    name,
    url: withDatabase(maintenanceUrl, name),
    async drop() {
      const dropper = postgres(maintenanceUrl, { max: 1, onnotice: () => undefined });
      try {
        await dropper.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await dropper.end({ timeout: 5 });
      }
    },
  };
}

export interface TestDatabase {
  backend: Backend;
  database: Database;
  /** The PostgreSQL URL (postgres backend only), e.g. for a second process or a superuser session. */
  url: string | null;
  /** Closes the database and drops it. */
  cleanup(): Promise<void>;
}

/** Opens a fresh database on `backend`, migrated unless `migrate: false`. */
export async function openTestDatabase(backend: Backend, options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const database = await openDatabase({ dataDir: IN_MEMORY });
    if (options.migrate !== false) await migrateDatabase(database);
    return { backend, database, url: null, cleanup: () => database.close() };
  }
  const server = await createTestPostgres();
  const database = await openDatabase({ url: server.url });
  if (options.migrate !== false) await migrateDatabase(database);
  return {
    backend,
    database,
    url: server.url,
    async cleanup() {
      await database.close();
      await server.drop();
    },
  };
}
