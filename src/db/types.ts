/** Shared types of the persistence layer: the database handle both drivers produce, and what queries run on. */
import type { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type * as schema from './schema.ts';

export type Schema = typeof schema;

/** A drizzle database typed with the schema, whichever driver is underneath (postgres.js or PGlite). */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

/** A transaction on a {@link Db}. */
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

/** Where a query can run: the database itself or an open transaction (a transaction is a Db too). */
export type DbExecutor = Db | Tx;

interface DatabaseBase {
  db: Db;
  /** Ends the pool (postgres) or shuts the embedded engine down and frees its data directory (pglite). */
  close(): Promise<void>;
}

/**
 * An open database. The driver's own handle is exposed per kind because the job queue needs it: pg-boss opens
 * its own pool from the URL on PostgreSQL, and shares the one PGlite instance in-process.
 */
export type Database =
  | (DatabaseBase & { kind: 'postgres'; url: string })
  | (DatabaseBase & { kind: 'pglite'; pglite: PGlite; dataDir: string });
