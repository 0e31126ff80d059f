/** A plan comment (or an edit of it, or a push to the PR) becomes the order's current plan version. */
import { eq, sql } from 'drizzle-orm';
import { releaseSettings, releaseSettingsRecord } from '../../config/release-settings.ts';
import { resolvePlanTargets } from '../../config/resolve-hosts.ts';
import type { RepoConfig } from '../../config/types.ts';
import { appendAudit } from '../../db/audit-log.ts';
import { workOrders } from '../../db/schema.ts';
import { planDigest } from '../../plan/digest.ts';
import { parsePlanFromComment } from '../../plan/parse-plan-from-comment.ts';
import type { Plan, SourceIssue } from '../../plan/types.ts';
import { checkPlanAgainstPolicy, missingSecretIssues, planFieldLocator, unlocated, type PlanFieldLocator } from '../../policy/index.ts';
import { authorize } from '../authorize.ts';
import { evaluateQuorum } from '../quorum.ts';
import { normalizeLogin } from '../roles.ts';
import type { Actor, ApprovalRecord, WorkOrderState } from '../types.ts';
import { applyCheckedTransition } from './apply-transition.ts';
import { approvalRecords } from './approvals-store.ts';
import { authorizationContextFor } from './order-policy.ts';
import { AUDIT_ACTIONS, auditActor, userActor } from './audit-actions.ts';
import { getWorkOrder, lockWorkOrder } from './order-store.ts';
import { summarizePlan, type PlanSummary } from './plan-summary.ts';
import { currentPlan, currentPlanVersion, insertPlanVersion } from './plan-store.ts';
import { startApprovedOrder } from './start-approved-order.ts';
import { withdrawStartJob } from './start-jobs.ts';
import type { Moved, OrderRef, Refusal, RepoContext, ServiceDeps, WorkOrder } from './types.ts';

export interface SubmitPlanInput {
  order: OrderRef;
  /** The comment holding the plan; its edits make new versions. */
  commentId: number | null;
  /** Who wrote the text: the comment's author, or whoever edited it (GitHub's `sender`). */
  author: string;
  markdown: string;
  /** GitHub's time of the text (the comment's created_at, or updated_at for an edit): approvals are compared with it. */
  at?: Date;
  /** PR head for PR deployments, the default branch head for issues: part of the digest. */
  commitSha?: string;
}

export type SubmitPlanResult =
  | {
      ok: true;
      /** `unchanged`: the plan means the same as the current version (a reformatted comment): approvals stand. */
      outcome: 'stored' | 'unchanged';
      summary: PlanSummary;
      moved: Moved[];
      /** People whose approval counted for the replaced version and no longer does. */
      droppedApprovals: string[];
      /** Whether a queued start job was cancelled. */
      cancelledJob: boolean;
      /** Set when the environment needs no approvals and the order was approved and queued at once. */
      jobId: string | null;
      message: string;
    }
  | Refusal<'no-plan' | 'several-plans' | 'plan-in-list'>
  | (Refusal<'invalid-plan' | 'invalid-targets' | 'policy-refused'> & { issues: SourceIssue[] })
  | Refusal<'not-found' | 'not-allowed' | 'environment-mismatch' | 'wrong-state'>;

/** States in which a new plan is taken; a running or finished order needs a new work order (or PR deployment). */
const OPEN_FOR_PLANS: ReadonlySet<WorkOrderState> = new Set(['requested', 'planned', 'approved', 'scheduled']);

function wrongState(order: WorkOrder): Refusal<'wrong-state'> {
  const why = order.state === 'running' ? 'a release is running; post the plan again once it ends' : 'open a new work order for another release';
  return { ok: false, reason: 'wrong-state', message: `work order #${order.number} is ${order.state} and takes no new plan: ${why}` };
}

/** The people whose latest verdict on `digest` is an approval. */
function approversOf(records: readonly ApprovalRecord[], digest: string): string[] {
  const latest = new Map<string, ApprovalRecord>();
  for (const record of records) latest.set(normalizeLogin(record.actor), record);
  return [...latest.values()].filter((record) => record.digest === digest && record.verdict === 'approved').map((record) => record.actor);
}

interface PlanCandidate {
  plan: Plan;
  yaml: string;
  author: string;
  commentId: number | null;
  commitSha: string | null;
  sourceTime: Date | null;
  /** Store only while this is still the current version's digest (a restatement must not undo a newer plan). */
  replaces?: string;
}

/** Stores `candidate` as the order's plan (checks, version row, transitions, audit): shared by comments and pushes. */
async function storePlan(
  deps: ServiceDeps,
  orderId: number,
  candidate: PlanCandidate,
  context: Pick<RepoContext, 'config'>,
  actor: Actor,
  locate: PlanFieldLocator = unlocated,
): Promise<SubmitPlanResult> {
  const order = await getWorkOrder(deps.db, orderId);
  if (order === undefined) return { ok: false, reason: 'not-found', message: `no work order ${orderId}` };
  const { plan } = candidate;
  if (order.kind === 'pull_request' && order.environment !== null && plan.environment !== order.environment) {
    return {
      ok: false,
      reason: 'environment-mismatch',
      message: `this deployment is for ${order.environment}, but the plan names environment ${plan.environment}; use /deploy ${plan.environment} for that`,
    };
  }
  const targets = resolvePlanTargets(context.config, plan);
  if (!targets.ok) return { ok: false, reason: 'invalid-targets', message: 'the plan does not fit .github/yardmaster.yml', issues: targets.issues };
  const refused = checkPlanAgainstPolicy(deps.policy.forRepo(order.repoFullName), plan, targets.hosts, locate);
  if (refused.length > 0) return { ok: false, reason: 'policy-refused', message: "the plan goes past what the operator's policy allows this repository", issues: refused };
  // Secret values come only from the operator's store, never from the server's environment: a plan whose
  // environment names one the store lacks could never run (and must not run on the server's own variables).
  const missingSecrets = await missingSecretIssues(deps.db, order.repoFullName, plan.app, plan.environment, targets.environment);
  if (missingSecrets.names.length > 0) {
    const message = `the plan's environment names secrets that Yardmaster's secret store does not hold for this repository: ${missingSecrets.names.join(', ')}`;
    return { ok: false, reason: 'invalid-targets', message, issues: missingSecrets.issues };
  }
  if (!OPEN_FOR_PLANS.has(order.state)) return wrongState(order);
  // The digest covers the config the plan resolves to as well: approvers approve both, and a change needs them again.
  const resolved = releaseSettingsRecord(releaseSettings(targets));
  const digest = planDigest(plan, { ...(candidate.commitSha === null ? {} : { commitSha: candidate.commitSha }), settings: resolved });

  const stored = await deps.db.transaction(async (tx) => {
    const locked = await lockWorkOrder(tx, orderId);
    if (locked === undefined) throw new Error(`work order ${orderId} vanished`);
    if (!OPEN_FOR_PLANS.has(locked.state)) return wrongState(locked);
    const previous = await currentPlanVersion(tx, orderId);
    if (candidate.replaces !== undefined && previous?.digest !== candidate.replaces) {
      return { ok: false as const, reason: 'wrong-state' as const, message: `the plan of work order #${locked.number} changed meanwhile` };
    }
    if (previous !== undefined && previous.digest === digest) {
      return { outcome: 'unchanged' as const, row: previous, moved: [], dropped: [], cancelledJob: false, jobId: null };
    }
    const { replaces: _replaces, ...fields } = candidate;
    const row = await insertPlanVersion(tx, { workOrderId: orderId, ...fields, digest, resolved });
    await tx
      .update(workOrders)
      .set({ app: plan.app, environment: plan.environment, headSha: candidate.commitSha ?? locked.headSha, updatedAt: sql`now()` })
      .where(eq(workOrders.id, orderId));
    await appendAudit(tx, {
      actor: auditActor(actor),
      action: AUDIT_ACTIONS.planSubmitted,
      workOrderId: orderId,
      reason: `plan v${row.seq}: ${plan.app} ${plan.version} to ${plan.environment}`,
      data: { seq: row.seq, digest, previousDigest: previous?.digest ?? null, commitSha: candidate.commitSha, commentId: candidate.commentId, author: candidate.author },
    });
    const dropped = previous === undefined ? [] : approversOf(await approvalRecords(tx, orderId), previous.digest);
    const moved: Moved[] = [];
    let cancelledJob = false;
    let current = locked;
    if (locked.state === 'requested') {
      const planned = await applyCheckedTransition(tx, current, 'planned', { cause: 'plan-posted', actor, reason: `plan v${row.seq}`, data: { digest } });
      moved.push(planned.moved);
      current = planned.order;
    } else if (locked.state === 'approved' || locked.state === 'scheduled') {
      cancelledJob = await withdrawStartJob(tx, deps.queue, locked);
      const replanned = await applyCheckedTransition(tx, current, 'planned', {
        cause: 'plan-replaced',
        actor,
        reason: `plan v${row.seq} replaces v${previous?.seq ?? '?'}: earlier approvals no longer count`,
        data: { digest, previousDigest: previous?.digest ?? null, dropped },
      });
      moved.push(replanned.moved);
      current = replanned.order;
    }
    let jobId: string | null = null;
    if (targets.environment.approvals === 0) {
      // Nobody needs to approve: the quorum is met the moment the plan is.
      const quorum = evaluateQuorum({ approvals: [], digest, planAuthor: candidate.author, required: 0, isApprover: () => false });
      const started = await startApprovedOrder(tx, deps, current, { row, plan }, quorum, actor);
      moved.push(...started.moved);
      jobId = started.jobId;
    }
    return { outcome: 'stored' as const, row, moved, dropped, cancelledJob, jobId };
  });
  if ('ok' in stored) return stored;

  const summary = summarizePlan({
    plan,
    hosts: targets.hosts,
    environment: targets.environment,
    roles: context.config.roles,
    version: { seq: stored.row.seq, digest: stored.row.digest, commitSha: stored.row.commitSha, author: stored.row.author },
  });
  const message =
    stored.outcome === 'unchanged'
      ? `Plan unchanged (v${stored.row.seq}): approvals stand.`
      : `Plan v${stored.row.seq}: ${plan.app} ${plan.version} to ${plan.environment}` +
        (stored.dropped.length > 0 ? `; approvals by ${stored.dropped.join(', ')} were for the previous plan and no longer count` : '') +
        (stored.jobId !== null ? '; no approvals needed: queued to start.' : `; needs ${summary.approvals.needed} approval(s).`);
  return {
    ok: true,
    outcome: stored.outcome,
    summary,
    moved: stored.moved,
    droppedApprovals: stored.dropped,
    cancelledJob: stored.cancelledJob,
    jobId: stored.jobId,
    message,
  };
}

/**
 * Reads the plan in a comment and, when its author may write plans and it fits the repo config, makes it the order's
 * current plan. A new digest drops earlier approvals (they stay, bound to the old digest) and sends an approved or
 * scheduled order back to `planned`, cancelling its queued start in the same transaction.
 */
export async function submitPlan(deps: ServiceDeps, input: SubmitPlanInput, context: RepoContext): Promise<SubmitPlanResult> {
  const parsed = parsePlanFromComment(input.markdown);
  if (!parsed.ok && parsed.reason === 'no-plan') return { ok: false, reason: 'no-plan', message: 'the comment holds no plan' };
  if (!parsed.ok && parsed.reason !== 'invalid') return { ok: false, reason: parsed.reason, message: parsed.message };
  if (!parsed.ok) return { ok: false, reason: 'invalid-plan', message: 'the plan has errors', issues: parsed.issues };
  const allowed = await authorize({ name: 'write-plan' }, input.author, authorizationContextFor(context, undefined));
  if (!allowed.ok) return { ok: false, reason: 'not-allowed', message: allowed.message };
  const author = input.author.replace(/^@/, '');
  return storePlan(
    deps,
    input.order.id,
    { plan: parsed.plan, yaml: parsed.block.yaml, author, commentId: input.commentId, commitSha: input.commitSha ?? null, sourceTime: input.at ?? null },
    context,
    userActor(author),
    planFieldLocator(parsed.block),
  );
}

export interface RefreshPlanInput {
  order: OrderRef;
  /** The pull request's new head. */
  commitSha: string;
  /** Who pushed; the plan's author stays who wrote it. */
  actor: Actor;
  /** GitHub's time of the push (the pull request's updated_at), when known. */
  at?: Date;
}

/**
 * A push to a pull request: the current plan is bound to the new head commit, which makes a new digest, so earlier
 * approvals no longer count. Refused like a plan when the order is running or finished; `no-plan` without one.
 */
export async function refreshPlanCommit(deps: ServiceDeps, input: RefreshPlanInput, context: RepoContext): Promise<SubmitPlanResult> {
  const current = await currentPlan(deps.db, input.order.id);
  if (current === undefined) return { ok: false, reason: 'no-plan', message: 'the work order has no plan yet' };
  return storePlan(
    deps,
    input.order.id,
    { plan: current.plan, yaml: current.row.yaml, author: current.row.author, commentId: current.row.commentId, commitSha: input.commitSha, sourceTime: input.at ?? null },
    context,
    input.actor,
  );
}

export interface RestatePlanInput {
  order: OrderRef;
  /** The digest the worker found approved for other release settings than the config resolves to now. */
  digest: string;
  /** The repo config as the worker loaded it. */
  config: RepoConfig;
  actor: Actor;
}

/**
 * The repo config changed after the order was approved (found when its release was to start): the current plan is
 * stored again as a new version over the config as it is now. Its digest covers the release settings, so it is a new
 * digest: an approved or scheduled order goes back to `planned` (cause `plan-replaced`, its start job cancelled, the
 * earlier approvals bound to the old digest) and the approvers approve the plan with the changed config again; an
 * environment that now needs no approvals starts at once, as for any new plan. Nothing happens when the plan changed
 * meanwhile.
 */
export async function restatePlanForConfig(deps: ServiceDeps, input: RestatePlanInput): Promise<SubmitPlanResult> {
  const current = await currentPlan(deps.db, input.order.id);
  if (current === undefined) return { ok: false, reason: 'no-plan', message: 'the work order has no plan' };
  return storePlan(
    deps,
    input.order.id,
    {
      plan: current.plan,
      yaml: current.row.yaml,
      author: current.row.author,
      commentId: current.row.commentId,
      commitSha: current.row.commitSha,
      // Made by Yardmaster: no GitHub time; approvals are compared with the server's time of it.
      sourceTime: null,
      replaces: input.digest,
    },
    { config: input.config },
    input.actor,
  );
}
