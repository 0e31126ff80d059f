/**
 * The reporter's database, behind a small interface: the order, the GitHub ids kept per release (so a release resumed
 * by another process updates the same Deployment and check runs), and the Deployment made at approval.
 */
import { and, eq } from 'drizzle-orm';
import { githubReports } from '../db/index.ts';
import type { Database, Db } from '../db/types.ts';
import { STAGES, type StageName } from '../deploy/types.ts';
import { getWorkOrder, type WorkOrder } from '../workorders/service/index.ts';
import { adoptQueuedDeployment } from './deployment-records.ts';

export interface KnownIds {
  deploymentId: number | undefined;
  checkRuns: Map<StageName, number>;
}

export interface ReportStore {
  order(workOrderId: number): Promise<WorkOrder | undefined>;
  known(workOrderId: number, releaseId: string): Promise<KnownIds>;
  remember(
    workOrderId: number,
    releaseId: string,
    kind: 'deployment' | 'check_run',
    name: string,
    githubId: number,
  ): Promise<void>;
  /** The Deployment made when the order was approved, taken for this release. */
  adoptQueuedDeployment(workOrderId: number, releaseId: string): Promise<number | undefined>;
}

function isStage(name: string): name is StageName {
  return STAGES.some((stage) => stage === name);
}

export function databaseReportStore(database: Database | Db): ReportStore {
  const db: Db = 'kind' in database ? database.db : database;
  return {
    order: (workOrderId) => getWorkOrder(db, workOrderId),
    async known(workOrderId, releaseId) {
      const rows = await db
        .select()
        .from(githubReports)
        .where(and(eq(githubReports.workOrderId, workOrderId), eq(githubReports.releaseId, releaseId)));
      const known: KnownIds = { deploymentId: undefined, checkRuns: new Map() };
      for (const row of rows) {
        if (row.githubId === null) continue;
        if (row.kind === 'deployment') known.deploymentId = row.githubId;
        else if (isStage(row.name)) known.checkRuns.set(row.name, row.githubId);
      }
      return known;
    },
    async remember(workOrderId, releaseId, kind, name, githubId) {
      await db.insert(githubReports).values({ workOrderId, releaseId, kind, name, githubId }).onConflictDoNothing();
    },
    adoptQueuedDeployment: (workOrderId, releaseId) => adoptQueuedDeployment(db, workOrderId, releaseId),
  };
}
