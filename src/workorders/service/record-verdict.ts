/** An approval, rejection or withdrawal from a review, a `/approve` or `/reject` comment, a Slack button or the CLI. */
import { appendAudit } from '../../db/index.ts';
import { authorize, type Action } from '../authorize.ts';
import type { QuorumResult } from '../quorum.ts';
import type { ApprovalSource, ApprovalVerdict, WorkOrderState } from '../types.ts';
import { applyCheckedTransition } from './apply-transition.ts';
import { approvalRecords, approvalSeen, insertApproval } from './approvals-store.ts';
import { AUDIT_ACTIONS, userActor } from './audit-actions.ts';
import { describeQuorum, evaluateOrderQuorum, lookupApprovers, type ApproverLookup } from './order-quorum.ts';
import { authorizationContextFor, planTarget } from './order-policy.ts';
import { getWorkOrder, lockWorkOrder } from './order-store.ts';
import type { DbExecutor } from '../../db/types.ts';
import { currentPlan, planVersionWithDigest, type StoredPlan } from './plan-store.ts';
import { preflightRefusal } from './preflight-gate.ts';
import { startApprovedOrder } from './start-approved-order.ts';
import { withdrawStartJob } from './start-jobs.ts';
import type { Moved, OrderRef, Refusal, RepoContext, ServiceDeps, WorkOrder } from './types.ts';

export interface VerdictInput {
  order: OrderRef;
  /** A GitHub login (Slack users mapped to theirs by the adapter). */
  actor: string;
  source: ApprovalSource;
  /** The outside event: `review:<id>`, `comment:<id>`, a Slack action id, a CLI invocation id. */
  sourceRef: string;
  verdict: ApprovalVerdict;
  /** The plan digest the actor saw (a review's commit, the plan shown in Slack, the plan current at the comment). */
  digestSeen: string;
  /** GitHub's time of the verdict (comment created_at, review submitted_at), to say when it was given if refused. */
  givenAt?: Date;
  /** The rejection reason or approval comment. */
  reason?: string;
}

export type VerdictRefusalReason =
  | 'not-found'
  | 'no-plan'
  | 'unknown-environment'
  | 'not-allowed'
  | 'own-plan'
  | 'stale-digest'
  | 'wrong-state'
  | 'preflight-not-passed';

export type VerdictResult =
  /** Seen before (same source and source ref): nothing changed. */
  | { ok: true; duplicate: true; message: string }
  | {
      ok: true;
      duplicate: false;
      verdict: ApprovalVerdict;
      quorum: QuorumResult;
      moved: Moved[];
      /** The start job queued when this verdict completed the quorum. */
      jobId: string | null;
      startAfter: Date | null;
      message: string;
    }
  | Refusal<VerdictRefusalReason>;

/** Where each verdict is taken. Approvals after the quorum are recorded (they count if someone revokes). */
const TAKES: Readonly<Record<ApprovalVerdict, ReadonlySet<WorkOrderState>>> = {
  approved: new Set(['planned', 'approved', 'scheduled']),
  rejected: new Set(['planned', 'approved', 'scheduled']),
  revoked: new Set(['planned', 'approved', 'scheduled']),
};

const MAX_LOOKUPS = 3;

function actionFor(input: VerdictInput): Action {
  if (input.verdict === 'approved')
    return input.reason === undefined ? { name: 'approve' } : { name: 'approve', comment: input.reason };
  return { name: 'reject', reason: input.reason ?? input.verdict };
}

function wrongState(order: WorkOrder, verdict: ApprovalVerdict): Refusal<'wrong-state'> {
  return {
    ok: false,
    reason: 'wrong-state',
    message: `work order #${order.number} is ${order.state}: it takes no ${verdict === 'approved' ? 'approval' : 'verdict'} now`,
  };
}

function githubTime(at: Date): string {
  return at.toISOString().replace(/\.000Z$/, 'Z');
}

/**
 * The refusal of a verdict given for another plan version than the current one, naming both: the approver reviews
 * the current plan and gives their verdict again.
 */
async function stale(
  db: DbExecutor,
  orderId: number,
  stored: StoredPlan,
  input: VerdictInput,
): Promise<Refusal<'stale-digest'>> {
  const seen = input.digestSeen === '' ? undefined : await planVersionWithDigest(db, orderId, input.digestSeen);
  const what = input.verdict === 'approved' ? 'approval' : 'verdict';
  const when = input.givenAt === undefined ? '' : ` given at ${githubTime(input.givenAt)}`;
  const saw =
    seen === undefined
      ? 'before the plan now current existed'
      : `for plan v${seen.seq} (digest ${seen.digest.slice(0, 12)})`;
  return {
    ok: false,
    reason: 'stale-digest',
    message: `your ${what}${when} was ${saw}, but the plan is now v${stored.row.seq} (digest ${stored.row.digest.slice(0, 12)}): review it and ${input.verdict === 'approved' ? 'approve' : 'answer'} again`,
  };
}

type Attempt = { retry: true } | { retry: false; result: VerdictResult };

/** The named deployer's call when the start waits for its time: they may start it sooner or stop it. */
function deployerCall(deployer: string | null): string {
  if (deployer === null) return '';
  return ` @${deployer}, the deployer this work order names: /deploy starts it now, /abort stops it.`;
}

/**
 * Records a verdict and acts on the quorum it leaves, in one transaction: reaching it approves the order (scheduled
 * when its start lies ahead) and queues `release.start`; an approver's rejection rejects the order; a withdrawal that
 * breaks an approved order's quorum sends it back to `planned` and cancels its start job. The plan's author never
 * approves it. A replay (same source and source ref) answers `duplicate` and changes nothing.
 */
export async function recordVerdict(
  deps: ServiceDeps,
  input: VerdictInput,
  context: RepoContext,
): Promise<VerdictResult> {
  const order = await getWorkOrder(deps.db, input.order.id);
  if (order === undefined) return { ok: false, reason: 'not-found', message: `no work order ${input.order.id}` };
  if (await approvalSeen(deps.db, input.source, input.sourceRef))
    return { ok: true, duplicate: true, message: 'already recorded' };
  const stored = await currentPlan(deps.db, order.id);
  if (stored === undefined)
    return { ok: false, reason: 'no-plan', message: `work order #${order.number} has no plan to approve yet` };
  const found = planTarget(context.config, stored.plan);
  if (!found.ok) return { ok: false, reason: 'unknown-environment', message: found.message };
  const environment = found.target.config;
  const allowed = await authorize(actionFor(input), input.actor, authorizationContextFor(context, stored));
  if (!allowed.ok) return { ok: false, reason: allowed.reason, message: allowed.message };
  if (!TAKES[input.verdict].has(order.state)) return wrongState(order, input.verdict);
  const binding = input.verdict !== 'revoked';
  if (binding && input.digestSeen !== stored.row.digest) return stale(deps.db, order.id, stored, input);

  let lookup: ApproverLookup = await lookupApprovers(deps.db, context, found.target, order.id, [input.actor]);
  for (let attempt = 1; ; attempt++) {
    const outcome: Attempt = await deps.db.transaction(async (tx) => {
      const locked = await lockWorkOrder(tx, order.id);
      if (locked === undefined) throw new Error(`work order ${order.id} vanished`);
      const now = await currentPlan(tx, order.id);
      if (now === undefined) throw new Error(`the plan of work order ${order.id} vanished`);
      if (!TAKES[input.verdict].has(locked.state)) return { retry: false, result: wrongState(locked, input.verdict) };
      if (binding && input.digestSeen !== now.row.digest)
        return { retry: false, result: await stale(tx, order.id, now, input) };
      if (input.verdict === 'approved') {
        const version = { workOrderId: order.id, digest: now.row.digest, seq: now.row.seq };
        const notYet = await preflightRefusal(tx, environment, version);
        if (notYet !== undefined) return { retry: false, result: notYet };
      }
      const before = await approvalRecords(tx, order.id);
      if (!evaluateOrderQuorum(before, now, environment, lookup).ok) return { retry: true };

      const actor = input.actor.replace(/^@/, '');
      const inserted = await insertApproval(tx, {
        workOrderId: order.id,
        actor,
        source: input.source,
        sourceRef: input.sourceRef,
        digest: binding ? now.row.digest : input.digestSeen,
        verdict: input.verdict,
        reason: input.reason ?? null,
      });
      if (!inserted) return { retry: false, result: { ok: true, duplicate: true, message: 'already recorded' } };
      await appendAudit(tx, {
        actor,
        action: AUDIT_ACTIONS.approvalRecorded,
        workOrderId: order.id,
        reason: input.reason ?? input.verdict,
        data: {
          verdict: input.verdict,
          source: input.source,
          sourceRef: input.sourceRef,
          digest: now.row.digest,
          seq: now.row.seq,
        },
      });
      const evaluated = evaluateOrderQuorum(await approvalRecords(tx, order.id), now, environment, lookup);
      if (!evaluated.ok) throw new Error('approver lookup lost the actor it was made for');
      const { quorum } = evaluated;
      const who = userActor(actor);
      const moved: Moved[] = [];
      let jobId: string | null = null;
      let startAfter: Date | null = null;
      let message = `${input.verdict === 'approved' ? 'Approval' : input.verdict === 'rejected' ? 'Rejection' : 'Withdrawal'} by @${actor} recorded (${describeQuorum(quorum)}).`;

      if (input.verdict === 'rejected' && quorum.rejectedBy !== undefined) {
        await withdrawStartJob(tx, deps.queue, locked);
        const rejected = await applyCheckedTransition(tx, locked, 'rejected', {
          cause: 'rejected',
          actor: who,
          reason: input.reason ?? 'rejected',
        });
        moved.push(rejected.moved);
        message = `Rejected by @${actor}${input.reason === undefined ? '' : `: ${input.reason}`}. A rejected work order is final; open a new one.`;
      } else if (
        input.verdict === 'revoked' &&
        (locked.state === 'approved' || locked.state === 'scheduled') &&
        !quorum.met
      ) {
        await withdrawStartJob(tx, deps.queue, locked);
        const lost = await applyCheckedTransition(tx, locked, 'planned', {
          cause: 'quorum-lost',
          actor: who,
          reason: `@${actor} withdrew: ${describeQuorum(quorum)}`,
        });
        moved.push(lost.moved);
        message = `@${actor} withdrew their approval: ${describeQuorum(quorum)}; the start is cancelled.`;
      } else if (input.verdict === 'approved' && locked.state === 'planned' && quorum.met) {
        const started = await startApprovedOrder(tx, deps, locked, now, quorum, who);
        moved.push(...started.moved);
        jobId = started.jobId;
        startAfter = started.startAfter;
        message = `Approved (${describeQuorum(quorum)}). ${startAfter === null ? 'Queued to start now.' : `Scheduled for ${startAfter.toISOString()}.${deployerCall(locked.deployer)}`}`;
      }
      return {
        retry: false,
        result: { ok: true, duplicate: false, verdict: input.verdict, quorum, moved, jobId, startAfter, message },
      };
    });
    if (!outcome.retry) return outcome.result;
    if (attempt >= MAX_LOOKUPS)
      throw new Error(`verdicts on work order ${order.id} keep arriving faster than approvers can be looked up`);
    lookup = await lookupApprovers(deps.db, context, found.target, order.id, [input.actor]);
  }
}
