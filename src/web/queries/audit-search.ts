/**
 * Audit search: rows of the viewer's repositories' orders, plus rows about no order that concern one of the viewer's
 * repositories (a lane opened from its pull request), filtered by actor, action, order and time; newest first. Rows
 * that concern no repository (the shared lane library's operations, operator actions) are shown to nobody here:
 * the operator reads them in the database.
 */
import { and, desc, eq, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { auditLog, workOrders } from '../../db/index.ts';
import type { DbExecutor } from '../../db/types.ts';
import { endOfRange, instantField, nameField, pageField, queryReader } from './query-fields.ts';

export const AUDIT_PAGE_SIZE = 50;

export interface AuditFilters {
  actor?: string;
  /** Exact action, or a prefix ending in `.` / `*` (`work_order.*`). */
  action?: string;
  workOrderId?: number;
  from?: Date;
  to?: Date;
  page: number;
}

/** Filters from `query`, with one message per ignored (invalid) value. */
export function parseAuditFilters(query: URLSearchParams): { filters: AuditFilters; problems: string[] } {
  const filters: AuditFilters = { page: 1 };
  const reader = queryReader(query);
  reader.take('actor', nameField, (value) => (filters.actor = value));
  reader.take('action', nameField, (value) => (filters.action = value));
  reader.take('order', z.coerce.number().int().positive(), (value) => (filters.workOrderId = value));
  reader.take('from', instantField, (value) => (filters.from = value));
  reader.take('to', instantField, (value) => (filters.to = endOfRange(value)));
  reader.take('page', pageField, (value) => (filters.page = value));
  return { filters, problems: reader.problems };
}

export type AuditSearchRow = typeof auditLog.$inferSelect & { repoFullName: string | null; number: number | null };

/** One page of matching rows and the number that match in all. */
export async function searchAudit(
  db: DbExecutor,
  repos: readonly string[],
  filters: AuditFilters,
  everything = false,
): Promise<{ rows: AuditSearchRow[]; total: number }> {
  // An order's rows belong to the order's repository; a row without an order to the repository it names, if any.
  const readable = everything
    ? undefined
    : repos.length === 0
      ? sql`false`
      : inArray(sql`coalesce(${workOrders.repoFullName}, ${auditLog.repo})`, [...repos]);
  const where: (SQL | undefined)[] = [readable];
  if (filters.actor !== undefined) where.push(eq(auditLog.actor, filters.actor));
  if (filters.action !== undefined) {
    const prefix = filters.action.endsWith('*')
      ? filters.action.slice(0, -1)
      : filters.action.endsWith('.')
        ? filters.action
        : undefined;
    where.push(
      prefix === undefined ? eq(auditLog.action, filters.action) : sql`starts_with(${auditLog.action}, ${prefix})`,
    );
  }
  if (filters.workOrderId !== undefined) where.push(eq(auditLog.workOrderId, filters.workOrderId));
  if (filters.from !== undefined) where.push(gte(auditLog.at, filters.from));
  if (filters.to !== undefined) where.push(lte(auditLog.at, filters.to));
  const condition = and(...where);
  const rows = await db
    .select({ row: auditLog, repoFullName: workOrders.repoFullName, number: workOrders.number })
    .from(auditLog)
    .leftJoin(workOrders, eq(workOrders.id, auditLog.workOrderId))
    .where(condition)
    .orderBy(desc(auditLog.id))
    .limit(AUDIT_PAGE_SIZE)
    .offset((filters.page - 1) * AUDIT_PAGE_SIZE);
  const counted = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(auditLog)
    .leftJoin(workOrders, eq(workOrders.id, auditLog.workOrderId))
    .where(condition);
  return {
    rows: rows.map(({ row, repoFullName, number }) => ({ ...row, repoFullName: repoFullName ?? row.repo, number })),
    total: counted[0]?.n ?? 0,
  };
}
