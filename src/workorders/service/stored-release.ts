/** The releases row of an order's run: created when it starts, its engine result stored when it ends. */
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { releases, workOrders } from '../../db/index.ts';
import type { DbExecutor } from '../../db/types.ts';
import type { ReleaseResult } from '../../deploy/types.ts';
import { HOST_OUTCOMES } from '../../db/vocabulary.ts';
import type { RetrySource } from '../../deploy/index.ts';
import { toJsonRecord } from './plan-store.ts';
import type { ReleaseRow } from './release-store.ts';
import type { PreparedRun } from './prepare-run.ts';

const storedResult = z.looseObject({
  releaseId: z.string(),
  version: z.string(),
  hosts: z.array(z.looseObject({ host: z.string(), outcome: z.enum(HOST_OUTCOMES) })),
});

/** What a retry needs of a stored result, or `undefined` when the row has none (the release never ran). */
export function retrySourceOf(row: ReleaseRow): (RetrySource & { stored: Record<string, unknown> }) | undefined {
  if (row.result === null) return undefined;
  const parsed = storedResult.safeParse(row.result);
  if (!parsed.success) return undefined;
  return {
    releaseId: parsed.data.releaseId,
    version: parsed.data.version,
    hosts: parsed.data.hosts,
    stored: row.result,
  };
}

/** Creates the row of a new release, `running` from now. */
export async function insertRunningRelease(tx: DbExecutor, prepared: PreparedRun, releaseId: string): Promise<void> {
  await tx.insert(releases).values({
    workOrderId: prepared.order.id,
    releaseId,
    repoFullName: prepared.order.repoFullName,
    app: prepared.plan.app,
    environment: prepared.plan.environment,
    version: prepared.plan.version,
    status: 'running',
    startedAt: sql`now()`,
  });
}

/** Marks an existing release `running` again (a retry or a resumed release). */
export async function markReleaseRunning(tx: DbExecutor, releaseId: string): Promise<void> {
  await tx.update(releases).set({ status: 'running', finishedAt: null }).where(eq(releases.releaseId, releaseId));
}

/** Stores the engine's result and final status; the order's first success also stamps the order (`released_at`). */
export async function storeReleaseResult(tx: DbExecutor, result: ReleaseResult): Promise<void> {
  const [stored] = await tx
    .update(releases)
    .set({ status: result.status, result: toJsonRecord(result), finishedAt: sql`now()` })
    .where(eq(releases.releaseId, result.releaseId))
    .returning({ workOrderId: releases.workOrderId });
  if (result.status === 'succeeded' && stored?.workOrderId !== null && stored?.workOrderId !== undefined) {
    // now() is the transaction's time: the same instant as the release's finished_at above.
    await tx
      .update(workOrders)
      .set({ releasedAt: sql`coalesce(${workOrders.releasedAt}, now())` })
      .where(eq(workOrders.id, stored.workOrderId));
  }
}
