/** The work-order list: the viewer's repositories only, filtered, newest first, a page at a time. */
import { and, desc, eq, gte, inArray, lte, or, sql, type SQL } from 'drizzle-orm';
import { apps, approvals, workOrders } from '../../db/index.ts';
import type { DbExecutor } from '../../db/types.ts';
import type { OrderFilters } from './order-filters.ts';

export const ORDERS_PAGE_SIZE = 25;

export interface OrderListRow {
  id: number;
  repoFullName: string;
  kind: string;
  number: number;
  title: string;
  state: string;
  app: string | null;
  environment: string | null;
  project: string | null;
  requester: string;
  createdAt: Date;
  updatedAt: Date;
}

function conditions(repos: readonly string[], filters: OrderFilters): SQL[] {
  const where: SQL[] = [inArray(workOrders.repoFullName, [...repos])];
  if (filters.app !== undefined) where.push(eq(workOrders.app, filters.app));
  if (filters.environment !== undefined) where.push(eq(workOrders.environment, filters.environment));
  if (filters.state !== undefined) where.push(eq(workOrders.state, filters.state));
  if (filters.project !== undefined) where.push(eq(apps.project, filters.project));
  if (filters.from !== undefined) where.push(gte(workOrders.createdAt, filters.from));
  if (filters.to !== undefined) where.push(lte(workOrders.createdAt, filters.to));
  if (filters.person !== undefined) {
    const person = filters.person;
    const approved = sql`exists (select 1 from ${approvals} where ${approvals.workOrderId} = ${workOrders.id} and ${approvals.actor} = ${person})`;
    const named = or(
      eq(workOrders.requester, person),
      eq(workOrders.planAuthor, person),
      eq(workOrders.deployer, person),
      eq(workOrders.acceptor, person),
      approved,
    );
    if (named !== undefined) where.push(named);
  }
  return where;
}

/** One page of orders and how many match in all. */
export async function listOrders(
  db: DbExecutor,
  repos: readonly string[],
  filters: OrderFilters,
): Promise<{ rows: OrderListRow[]; total: number }> {
  if (repos.length === 0) return { rows: [], total: 0 };
  const where = and(...conditions(repos, filters));
  const joinApps = and(eq(apps.repoFullName, workOrders.repoFullName), eq(apps.name, workOrders.app));
  const rows = await db
    .select({
      id: workOrders.id,
      repoFullName: workOrders.repoFullName,
      kind: workOrders.kind,
      number: workOrders.number,
      title: workOrders.title,
      state: workOrders.state,
      app: workOrders.app,
      environment: workOrders.environment,
      project: apps.project,
      requester: workOrders.requester,
      createdAt: workOrders.createdAt,
      updatedAt: workOrders.updatedAt,
    })
    .from(workOrders)
    .leftJoin(apps, joinApps)
    .where(where)
    .orderBy(desc(workOrders.createdAt), desc(workOrders.id))
    .limit(ORDERS_PAGE_SIZE)
    .offset((filters.page - 1) * ORDERS_PAGE_SIZE);
  const counted = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(workOrders)
    .leftJoin(apps, joinApps)
    .where(where);
  return { rows, total: counted[0]?.n ?? 0 };
}
