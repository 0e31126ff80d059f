/**
 * The transaction that makes a checked plan the order's current version: the version row, the order's app and
 * environment, the audit row, the move back to `planned` (dropping approvals of the previous digest and withdrawing a
 * queued start), and the start at once when the environment needs no approvals. It says what happened; the reply to
 * people is composed elsewhere (plan-reply.ts).
 */
import { eq, sql } from 'drizzle-orm';
import { appendAudit, workOrders } from '../../db/index.ts';
import type { Tx } from '../../db/types.ts';
import type { Plan } from '../../plan/types.ts';
import type { StandIn } from '../named-people.ts';
import { evaluateQuorum } from '../quorum.ts';
import { normalizeLogin } from '../roles.ts';
import type { Actor, ApprovalRecord, WorkOrderState } from '../types.ts';
import { applyCheckedTransition } from './apply-transition.ts';
import { approvalRecords } from './approvals-store.ts';
import { AUDIT_ACTIONS, auditActor } from './audit-actions.ts';
import { lockWorkOrder } from './order-store.ts';
import { currentPlanVersion, insertPlanVersion, type PlanVersionRow } from './plan-store.ts';
import { requestPreflight } from './preflight-store.ts';
import { startApprovedOrder, type StartedApproval } from './start-approved-order.ts';
import { withdrawStartJob } from './start-jobs.ts';
import type { Moved, Refusal, ServiceDeps, WorkOrder } from './types.ts';

/** A plan to store, with where it came from. */
export interface PlanCandidate {
  plan: Plan;
  yaml: string;
  author: string;
  commentId: number | null;
  commitSha: string | null;
  sourceTime: Date | null;
  /** Store only while this is still the current version's digest (a restatement must not undo a newer plan). */
  replaces?: string;
  /** The author writes the plan instead of the plan author the order names (`--override-named`): audited. */
  standIn?: StandIn;
}

/** What the checks before the transaction found: the digest, the settings it covers, the approvals needed. */
export interface CheckedPlan {
  digest: string;
  resolved: Record<string, unknown>;
  approvalsNeeded: number;
}

export type PlanStoreOutcome =
  | { kind: 'refused'; refusal: Refusal<'wrong-state'> }
  | { kind: 'unchanged'; row: PlanVersionRow }
  | {
      kind: 'stored';
      row: PlanVersionRow;
      moved: Moved[];
      dropped: string[];
      cancelledJob: boolean;
      jobId: string | null;
      /** Whether this version's pre-flight was queued (not when it starts at once: its check stage runs now). */
      preflight: boolean;
    };

/** States in which a new plan is taken; a running or finished order needs a new work order (or PR deployment). */
export const OPEN_FOR_PLANS: ReadonlySet<WorkOrderState> = new Set(['requested', 'planned', 'approved', 'scheduled']);

export function wrongState(order: WorkOrder): Refusal<'wrong-state'> {
  const why =
    order.state === 'running'
      ? 'a release is running; post the plan again once it ends'
      : 'open a new work order for another release';
  return {
    ok: false,
    reason: 'wrong-state',
    message: `work order #${order.number} is ${order.state} and takes no new plan: ${why}`,
  };
}

/** The people whose latest verdict on `digest` is an approval. */
function approversOf(records: readonly ApprovalRecord[], digest: string): string[] {
  const latest = new Map<string, ApprovalRecord>();
  for (const record of records) latest.set(normalizeLogin(record.actor), record);
  return [...latest.values()]
    .filter((record) => record.digest === digest && record.verdict === 'approved')
    .map((record) => record.actor);
}

interface NewVersion {
  order: WorkOrder;
  candidate: PlanCandidate;
  checked: CheckedPlan;
  previous: PlanVersionRow | undefined;
  actor: Actor;
}

/** Inserts the version row, points the order at its app, environment and commit, and audits the submission. */
async function insertVersion(tx: Tx, version: NewVersion): Promise<PlanVersionRow> {
  const { order, candidate, checked, previous } = version;
  const { replaces: _replaces, ...fields } = candidate;
  const { plan } = candidate;
  const row = await insertPlanVersion(tx, {
    workOrderId: order.id,
    ...fields,
    digest: checked.digest,
    resolved: checked.resolved,
  });
  await tx
    .update(workOrders)
    .set({
      app: plan.app,
      environment: plan.environment,
      headSha: candidate.commitSha ?? order.headSha,
      updatedAt: sql`now()`,
    })
    .where(eq(workOrders.id, order.id));
  await appendAudit(tx, {
    actor: auditActor(version.actor),
    action: AUDIT_ACTIONS.planSubmitted,
    workOrderId: order.id,
    reason: `plan v${row.seq}: ${plan.app} ${plan.version} to ${plan.environment}`,
    data: {
      seq: row.seq,
      digest: checked.digest,
      previousDigest: previous?.digest ?? null,
      commitSha: candidate.commitSha,
      commentId: candidate.commentId,
      author: candidate.author,
    },
  });
  return row;
}

/** Moves the order to `planned`: its first plan, or a new plan replacing an approved one (its start withdrawn). */
async function replan(
  tx: Tx,
  deps: ServiceDeps,
  version: NewVersion & { row: PlanVersionRow; dropped: string[] },
): Promise<{ order: WorkOrder; moved: Moved[]; cancelledJob: boolean }> {
  const { order, row, previous, actor, dropped } = version;
  const { digest } = version.checked;
  if (order.state === 'requested') {
    const planned = await applyCheckedTransition(tx, order, 'planned', {
      cause: 'plan-posted',
      actor,
      reason: `plan v${row.seq}`,
      data: { digest },
    });
    return { order: planned.order, moved: [planned.moved], cancelledJob: false };
  }
  if (order.state !== 'approved' && order.state !== 'scheduled') return { order, moved: [], cancelledJob: false };
  const cancelledJob = await withdrawStartJob(tx, deps.queue, order);
  const replanned = await applyCheckedTransition(tx, order, 'planned', {
    cause: 'plan-replaced',
    actor,
    reason: `plan v${row.seq} replaces v${previous?.seq ?? '?'}: earlier approvals no longer count`,
    data: { digest, previousDigest: previous?.digest ?? null, dropped },
  });
  return { order: replanned.order, moved: [replanned.moved], cancelledJob };
}

/** Nobody needs to approve: the quorum is met the moment the plan is, and the order starts. */
async function startAtOnce(
  tx: Tx,
  deps: ServiceDeps,
  order: WorkOrder,
  version: NewVersion & { row: PlanVersionRow },
): Promise<StartedApproval> {
  const { candidate, checked, row, actor } = version;
  const quorum = evaluateQuorum({
    approvals: [],
    digest: checked.digest,
    planAuthor: candidate.author,
    required: 0,
    isApprover: () => false,
  });
  return startApprovedOrder(tx, deps, order, { row, plan: candidate.plan }, quorum, actor);
}

/** Stores `candidate` as the order's current plan version, in one transaction (see the top of this file). */
export async function storePlanVersion(
  deps: ServiceDeps,
  orderId: number,
  candidate: PlanCandidate,
  checked: CheckedPlan,
  actor: Actor,
): Promise<PlanStoreOutcome> {
  return deps.db.transaction(async (tx): Promise<PlanStoreOutcome> => {
    const order = await lockWorkOrder(tx, orderId);
    if (order === undefined) throw new Error(`work order ${orderId} vanished`);
    if (!OPEN_FOR_PLANS.has(order.state)) return { kind: 'refused', refusal: wrongState(order) };
    const previous = await currentPlanVersion(tx, orderId);
    if (candidate.replaces !== undefined && previous?.digest !== candidate.replaces) {
      return {
        kind: 'refused',
        refusal: {
          ok: false,
          reason: 'wrong-state',
          message: `the plan of work order #${order.number} changed meanwhile`,
        },
      };
    }
    if (previous?.digest === checked.digest) return { kind: 'unchanged', row: previous };
    const version: NewVersion = { order, candidate, checked, previous, actor };
    const row = await insertVersion(tx, version);
    if (candidate.standIn !== undefined) {
      await appendAudit(tx, {
        actor: candidate.author,
        action: AUDIT_ACTIONS.namedOverride,
        workOrderId: orderId,
        reason: candidate.standIn.reason,
        data: { command: 'write-plan', role: candidate.standIn.role, named: candidate.standIn.named, seq: row.seq },
      });
    }
    const dropped = previous === undefined ? [] : approversOf(await approvalRecords(tx, orderId), previous.digest);
    const replanned = await replan(tx, deps, { ...version, row, dropped });
    const started =
      checked.approvalsNeeded === 0 ? await startAtOnce(tx, deps, replanned.order, { ...version, row }) : undefined;
    const moved = [...replanned.moved, ...(started?.moved ?? [])];
    const preflight = started === undefined;
    if (preflight)
      await requestPreflight(tx, deps.queue, {
        workOrderId: order.id,
        digest: row.digest,
        requestedBy: auditActor(actor),
      });
    return {
      kind: 'stored',
      row,
      moved,
      dropped,
      cancelledJob: replanned.cancelledJob,
      jobId: started?.jobId ?? null,
      preflight,
    };
  });
}
