/**
 * The embedded PGlite (PostgreSQL compiled to WebAssembly) in this process. Loaded by client.ts only without a URL,
 * so a server on PostgreSQL never loads PGlite nor drizzle's pglite driver.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { lockDataDir } from './data-dir-lock.ts';
import { IN_MEMORY } from './in-memory.ts';
import * as schema from './schema.ts';
import type { Database } from './types.ts';

export async function openPglite(dataDir: string): Promise<Database> {
  if (dataDir.startsWith(IN_MEMORY)) {
    const pglite = await PGlite.create(dataDir);
    return {
      kind: 'pglite',
      pglite,
      dataDir,
      db: drizzle({ client: pglite, schema }),
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
    db: drizzle({ client: pglite, schema }),
    async close() {
      try {
        await pglite.close();
      } finally {
        await lock.release();
      }
    },
  };
}
