/** Every repository the database knows (apps, work orders, releases, audit rows, lanes): what a local viewer sees. */
import { isNotNull } from 'drizzle-orm';
import { apps, auditLog, lanes, releases, workOrders } from '../../db/index.ts';
import type { DbExecutor } from '../../db/types.ts';

export async function allRepositories(db: DbExecutor): Promise<string[]> {
  const lists = await Promise.all([
    db.selectDistinct({ repo: apps.repoFullName }).from(apps),
    db.selectDistinct({ repo: workOrders.repoFullName }).from(workOrders),
    db.selectDistinct({ repo: releases.repoFullName }).from(releases),
    db.selectDistinct({ repo: auditLog.repo }).from(auditLog).where(isNotNull(auditLog.repo)),
    db.selectDistinct({ repo: lanes.repoFullName }).from(lanes).where(isNotNull(lanes.repoFullName)),
  ]);
  const repos = new Set<string>();
  for (const list of lists) for (const row of list) if (row.repo !== null) repos.add(row.repo);
  return [...repos].toSorted();
}
