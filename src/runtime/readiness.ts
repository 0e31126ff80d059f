/**
 * `/readyz`: the database answers and every migration in migrations/ is applied. Orchestrators route traffic only
 * to a ready server; a database outage makes it unready without killing the process.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { MIGRATIONS_FOLDER, rawRows } from '../db/index.ts';
import type { Database } from '../db/types.ts';

/** Ready, or why not. */
export type Readiness = { ready: true } | { ready: false; reason: string };

const journalSchema = z.object({ entries: z.array(z.object({ tag: z.string() })) });
const countSchema = z.object({ n: z.coerce.number() });

/** How many migrations this version of Yardmaster ships (drizzle-kit's journal). */
export async function expectedMigrations(migrationsFolder: string = MIGRATIONS_FOLDER): Promise<number> {
  const journal = journalSchema.parse(
    JSON.parse(await readFile(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')),
  );
  return journal.entries.length;
}

function timeout(ms: number): Promise<never> {
  return new Promise((_resolve, reject) =>
    setTimeout(() => {
      reject(new Error(`no answer within ${ms} ms`));
    }, ms).unref(),
  );
}

/** Checks the database now (one short query, bounded by `timeoutMs`); never throws. */
export async function checkReadiness(database: Database, expected: number, timeoutMs = 2_000): Promise<Readiness> {
  try {
    const query = database.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    const [row] = rawRows(await Promise.race([query, timeout(timeoutMs)]));
    const applied = countSchema.parse(row).n;
    return applied >= expected
      ? { ready: true }
      : { ready: false, reason: `migrations applied: ${applied} of ${expected}` };
  } catch (error) {
    return { ready: false, reason: `database unreachable: ${error instanceof Error ? error.message : String(error)}` };
  }
}
