/** Lets pg-boss run its statements through one of our drizzle transactions. */
import { is, SQL, sql } from 'drizzle-orm';
import { fromDrizzle, type Db as BossDb } from 'pg-boss';
import { rawRows } from '../db/index.ts';
import type { DbExecutor } from '../db/types.ts';

/**
 * pg-boss's drizzle adapter, over a driver-neutral executor: drizzle types a raw result per driver (an array for
 * postgres.js, `{ rows }` for PGlite), so the rows are unwrapped here into the one shape pg-boss reads.
 */
export function jobDbFor(executor: DbExecutor): BossDb {
  return fromDrizzle(
    {
      async execute(query: unknown) {
        // The adapter only ever hands back what it built with the `sql` tag passed below.
        if (!is(query, SQL)) throw new TypeError('pg-boss passed a query that is not a drizzle SQL object');
        return { rows: rawRows(await executor.execute(query)) };
      },
    },
    sql,
  );
}
