/**
 * Applies the SQL migrations in migrations/ (written by drizzle-kit) with drizzle's own migrators, at start.
 * Idempotent: drizzle records applied migrations in drizzle.__drizzle_migrations and skips them.
 * Only the open database's driver and migrator are imported (the other one stays unloaded, as in client.ts).
 */
import { fileURLToPath } from 'node:url';
import { LOCK_NAMESPACE, MIGRATION_LOCK } from './advisory-locks.ts';
import type { Database } from './types.ts';

/** migrations/ at the root of the checkout (or of the image: the Dockerfile must copy it next to src/). */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

export interface MigrateOptions {
  migrationsFolder?: string;
}

/**
 * Brings the schema up to date on either backend.
 *
 * On PostgreSQL several processes (server, workers) may start at once. drizzle's migrator reads the last applied
 * migration before its transaction, so two of them would both try to create the tables; they are serialised with
 * a session advisory lock held on a connection of their own (a pool could run the lock and the migration on
 * different connections). The second process then finds everything applied and does nothing.
 * PGlite is one process by construction (see data-dir-lock.ts), so it needs no lock.
 */
export async function migrateDatabase(database: Database, options: MigrateOptions = {}): Promise<void> {
  const migrationsFolder = options.migrationsFolder ?? MIGRATIONS_FOLDER;
  if (database.kind === 'pglite') {
    const [{ drizzle }, { migrate }] = await Promise.all([
      import('drizzle-orm/pglite'),
      import('drizzle-orm/pglite/migrator'),
    ]);
    await migrate(drizzle({ client: database.pglite }), { migrationsFolder });
    return;
  }
  const [{ drizzle }, { migrate }, { default: postgres }] = await Promise.all([
    import('drizzle-orm/postgres-js'),
    import('drizzle-orm/postgres-js/migrator'),
    import('postgres'),
  ]);
  const client = postgres(database.url, { max: 1, onnotice: () => undefined });
  try {
    await client`select pg_advisory_lock(${LOCK_NAMESPACE}, ${MIGRATION_LOCK})`;
    try {
      await migrate(drizzle({ client }), { migrationsFolder });
    } finally {
      await client`select pg_advisory_unlock(${LOCK_NAMESPACE}, ${MIGRATION_LOCK})`;
    }
  } finally {
    await client.end({ timeout: 5 });
  }
}
