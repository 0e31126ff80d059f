/**
 * PostgreSQL through postgres.js. Loaded by client.ts only when a URL is given, so the embedded database never loads
 * postgres.js nor drizzle's postgres-js driver.
 */
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema.ts';
import type { Database } from './types.ts';

export async function openPostgres(url: string, maxConnections: number): Promise<Database> {
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
    db: drizzle({ client, schema }),
    close: () => client.end({ timeout: 5 }),
  };
}
