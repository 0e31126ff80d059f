/** Approval rows: verdicts bound to the digest their author saw, never updated (a withdrawal is a later row). */
import { and, asc, eq } from 'drizzle-orm';
import { approvals } from '../../db/index.ts';
import type { DbExecutor } from '../../db/types.ts';
import type { ApprovalRecord, ApprovalSource, ApprovalVerdict } from '../types.ts';

/** Every verdict on the order, oldest first (quorum evaluation takes each person's latest). */
export async function approvalRecords(db: DbExecutor, workOrderId: number): Promise<ApprovalRecord[]> {
  const rows = await db
    .select()
    .from(approvals)
    .where(eq(approvals.workOrderId, workOrderId))
    .orderBy(asc(approvals.id));
  return rows.map((row) => ({
    actor: row.actor,
    source: row.source,
    digest: row.digest,
    verdict: row.verdict,
    at: row.createdAt,
  }));
}

export interface NewApproval {
  workOrderId: number;
  actor: string;
  source: ApprovalSource;
  sourceRef: string;
  digest: string;
  verdict: ApprovalVerdict;
  reason: string | null;
}

/** Stores a verdict; false when (source, sourceRef) was seen before: a redelivery or a replayed click. */
export async function insertApproval(tx: DbExecutor, approval: NewApproval): Promise<boolean> {
  const rows = await tx.insert(approvals).values(approval).onConflictDoNothing().returning({ id: approvals.id });
  return rows.length > 0;
}

/** Whether an outside event was recorded already. */
export async function approvalSeen(db: DbExecutor, source: ApprovalSource, sourceRef: string): Promise<boolean> {
  const rows = await db
    .select({ id: approvals.id })
    .from(approvals)
    .where(and(eq(approvals.source, source), eq(approvals.sourceRef, sourceRef)))
    .limit(1);
  return rows.length > 0;
}
