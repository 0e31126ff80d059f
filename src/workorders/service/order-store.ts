/** Reading work orders. Writes go through the service functions, which lock the row first. */
import { and, desc, eq, isNull } from 'drizzle-orm';
import { workOrders } from '../../db/index.ts';
import type { DbExecutor } from '../../db/types.ts';
import type { WorkOrder } from './types.ts';

/** The order with `id`, read without locking. */
export async function getWorkOrder(db: DbExecutor, id: number): Promise<WorkOrder | undefined> {
  const [order] = await db.select().from(workOrders).where(eq(workOrders.id, id)).limit(1);
  return order;
}

/**
 * The order with `id`, row-locked until the transaction ends: commands on one order run one after the other, so
 * two approvals arriving together cannot both miss the quorum, nor both reach it.
 */
export async function lockWorkOrder(tx: DbExecutor, id: number): Promise<WorkOrder | undefined> {
  const [order] = await tx.select().from(workOrders).where(eq(workOrders.id, id)).for('update').limit(1);
  return order;
}

/** Where an adapter finds the order a comment or review is about. */
export interface WorkOrderLookup {
  repoFullName: string;
  number: number;
  /** For pull-request deployments: the environment of `/deploy <env>`; absent, the issue's order. */
  environment?: string;
}

/**
 * The order of an issue, or the open PR deployment for an environment (else the newest closed one), or
 * `undefined`. Without an environment on a pull request, the newest open order of that PR.
 */
export async function findWorkOrder(db: DbExecutor, lookup: WorkOrderLookup): Promise<WorkOrder | undefined> {
  const same = and(eq(workOrders.repoFullName, lookup.repoFullName), eq(workOrders.number, lookup.number));
  if (lookup.environment === undefined) {
    const [issue] = await db
      .select()
      .from(workOrders)
      .where(and(same, eq(workOrders.kind, 'issue')))
      .limit(1);
    if (issue !== undefined) return issue;
    const [open] = await db
      .select()
      .from(workOrders)
      .where(and(same, isNull(workOrders.closedAt)))
      .orderBy(desc(workOrders.id))
      .limit(1);
    return open;
  }
  const [order] = await db
    .select()
    .from(workOrders)
    .where(and(same, eq(workOrders.kind, 'pull_request'), eq(workOrders.environment, lookup.environment)))
    // DESC puts nulls (the open order) first, then the most recently closed.
    .orderBy(desc(workOrders.closedAt), desc(workOrders.id))
    .limit(1);
  return order;
}
