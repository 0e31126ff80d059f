/**
 * The abort channel of a running release: `/abort` appends an audit row (`release.abort_requested`), and the worker
 * running the release looks for one newer than the order's move to `running` on every lease heartbeat. The request
 * is thereby durable, visible in the audit log, and seen by whichever worker runs (or resumes) the release.
 */
import { appendAudit } from '../../db/index.ts';
import type { DbExecutor, Tx } from '../../db/types.ts';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { auditRowAfter, lastTransitionInto } from './audit-queries.ts';

/** Who asked to abort, and why. */
export interface AbortRequest {
  actor: string;
  reason: string | null;
}

/** The first abort request made since the order's latest move to `running`, if any. */
export async function pendingAbortRequest(
  db: DbExecutor,
  workOrderId: number,
  sinceAuditId?: number,
): Promise<AbortRequest | undefined> {
  const since = sinceAuditId ?? (await lastTransitionInto(db, workOrderId, 'running'))?.auditId;
  if (since === undefined) return undefined;
  const row = await auditRowAfter(db, workOrderId, AUDIT_ACTIONS.abortRequested, since);
  return row === undefined ? undefined : { actor: row.actor, reason: row.reason };
}

/** Records an abort request for the order's running release (inside the caller's transaction). */
export async function requestAbort(
  tx: Tx,
  workOrderId: number,
  actor: string,
  reason: string | undefined,
): Promise<void> {
  await appendAudit(tx, { actor, action: AUDIT_ACTIONS.abortRequested, workOrderId, reason: reason ?? null });
}
