/**
 * The order's GitHub Deployment between approval and start: the server that saw the approval creates it (status
 * `queued`) under a row with release_id '' in `github_reports`; the worker that starts the release adopts that row
 * (sets its release id), so one Deployment goes queued → in_progress → success | failure whichever process posts.
 */
import { and, eq, sql } from 'drizzle-orm';
import { setTimeout as sleep } from 'node:timers/promises';
import { githubReports, workOrders, rawRows } from '../db/index.ts';
import type { Db } from '../db/types.ts';
import { z } from 'zod';

/** release_id of a Deployment made before its release started. */
const NOT_STARTED = '';

/**
 * Reserves the order's queued Deployment while it waits to start (`approved` or `scheduled`, checked in the same
 * statement, so an order a worker has already started gets none). `undefined` when it has one already or started.
 */
export async function reserveQueuedDeployment(
  db: Db,
  workOrderId: number,
  environment: string,
): Promise<number | undefined> {
  const result = await db.execute(sql`
    insert into ${githubReports} (work_order_id, release_id, kind, name)
    select ${workOrders.id}, ${NOT_STARTED}, 'deployment', ${environment} from ${workOrders}
    where ${workOrders.id} = ${workOrderId} and ${workOrders.state} in ('approved', 'scheduled')
    on conflict do nothing
    returning id`);
  const [row] = z.array(z.object({ id: z.coerce.number() })).parse(rawRows(result));
  return row?.id;
}

/** The Deployment's id, once GitHub has answered. */
export async function recordQueuedDeployment(db: Db, row: number, githubId: number): Promise<void> {
  await db.update(githubReports).set({ githubId }).where(eq(githubReports.id, row));
}

/** Gives a reservation up (GitHub refused the Deployment): the worker then makes its own. */
export async function dropQueuedDeployment(db: Db, row: number): Promise<void> {
  await db.delete(githubReports).where(and(eq(githubReports.id, row), eq(githubReports.releaseId, NOT_STARTED)));
}

/**
 * Takes the order's queued Deployment for release `releaseId`: its id, waiting up to `waitMs` for a server still
 * creating it. `undefined` when there is none (or it never got an id: the reservation is dropped, make a new one).
 */
export async function adoptQueuedDeployment(
  db: Db,
  workOrderId: number,
  releaseId: string,
  waitMs = 5_000,
): Promise<number | undefined> {
  const [adopted] = await db
    .update(githubReports)
    .set({ releaseId })
    .where(
      and(
        eq(githubReports.workOrderId, workOrderId),
        eq(githubReports.releaseId, NOT_STARTED),
        eq(githubReports.kind, 'deployment'),
      ),
    )
    .returning({ id: githubReports.id, githubId: githubReports.githubId });
  if (adopted === undefined) return undefined;
  const deadline = Date.now() + waitMs;
  let githubId = adopted.githubId;
  while (githubId === null && Date.now() < deadline) {
    await sleep(100);
    const [row] = await db
      .select({ githubId: githubReports.githubId })
      .from(githubReports)
      .where(eq(githubReports.id, adopted.id));
    githubId = row?.githubId ?? null;
  }
  if (githubId === null) await db.delete(githubReports).where(eq(githubReports.id, adopted.id));
  return githubId ?? undefined;
}
