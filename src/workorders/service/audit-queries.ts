/** Questions the service and the worker ask of an order's audit rows. */
import { and, desc, eq, gt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { auditLog } from '../../db/index.ts';
import type { DbExecutor } from '../../db/types.ts';
import { TRANSITIONS } from '../states.ts';
import type { TransitionCause, WorkOrderState } from '../types.ts';
import { AUDIT_ACTIONS, type AuditAction } from './audit-actions.ts';

const transitionData = z.looseObject({
  cause: z.string(),
  releaseId: z.string().optional(),
  version: z.string().optional(),
});

const CAUSES: ReadonlySet<string> = new Set(TRANSITIONS.map((rule) => rule.cause));

function isTransitionCause(word: string): word is TransitionCause {
  return CAUSES.has(word);
}

/** The latest transition of an order into `state`, with the facts stored on it. */
export interface TransitionRow {
  auditId: number;
  actor: string;
  cause: TransitionCause;
  reason: string | null;
  /** Set on `started` rows: the release the worker ran. */
  releaseId: string | undefined;
  /** Set on `rollback-started` rows: the version asked for. */
  version: string | undefined;
}

/** The latest transition of the order into `state` (by `cause`, when given), or `undefined`. */
export async function lastTransitionInto(
  db: DbExecutor,
  workOrderId: number,
  state: WorkOrderState,
  cause?: TransitionCause,
): Promise<TransitionRow | undefined> {
  const [row] = await db
    .select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.workOrderId, workOrderId),
        eq(auditLog.action, AUDIT_ACTIONS.transition),
        eq(auditLog.toState, state),
        cause === undefined ? undefined : sql`${auditLog.data}->>'cause' = ${cause}`,
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(1);
  if (row === undefined) return undefined;
  const data = transitionData.parse(row.data);
  if (!isTransitionCause(data.cause)) throw new Error(`audit row ${row.id} names an unknown cause ${data.cause}`);
  return {
    auditId: row.id,
    actor: row.actor,
    cause: data.cause,
    reason: row.reason,
    releaseId: data.releaseId,
    version: data.version,
  };
}

/** The first row with `action` on the order after audit row `afterId`, if any. */
export async function auditRowAfter(
  db: DbExecutor,
  workOrderId: number,
  action: AuditAction,
  afterId: number,
): Promise<{ id: number; actor: string; reason: string | null } | undefined> {
  const [row] = await db
    .select({ id: auditLog.id, actor: auditLog.actor, reason: auditLog.reason })
    .from(auditLog)
    .where(and(eq(auditLog.workOrderId, workOrderId), eq(auditLog.action, action), gt(auditLog.id, afterId)))
    .orderBy(auditLog.id)
    .limit(1);
  return row;
}
