/** A plan comment (or an edit of it, or a push to the PR) becomes the order's current plan version. */
import {
  releaseSettings,
  releaseSettingsRecord,
  type ResolvedTargets,
  resolvePlanTargets,
  rolesForApp,
} from '../../config/index.ts';
import type { RepoConfig } from '../../config/types.ts';
import { planDigest } from '../../plan/index.ts';
import { parsePlanFromComment } from '../../plan/markdown.ts';
import type { Plan, SourceIssue } from '../../plan/types.ts';
import {
  checkPlanAgainstPolicy,
  missingSecretIssues,
  planFieldLocator,
  unlocated,
  type PlanFieldLocator,
} from '../../policy/index.ts';
import { authorize } from '../authorize.ts';
import { planCommentOverride } from '../named-options.ts';
import { checkNamedPerson, namedPeopleOf } from '../named-people.ts';
import type { Actor } from '../types.ts';
import { authorizationContextFor } from './order-policy.ts';
import { userActor } from './audit-actions.ts';
import { getWorkOrder } from './order-store.ts';
import { planReplyMessage } from './plan-reply.ts';
import { summarizePlan, type PlanSummary } from './plan-summary.ts';
import { currentPlan } from './plan-store.ts';
import {
  OPEN_FOR_PLANS,
  storePlanVersion,
  wrongState,
  type CheckedPlan,
  type PlanCandidate,
} from './store-plan-version.ts';
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
      /** Whether the version's pre-flight was queued (its result comes later, as a check run and in the reply). */
      preflight: boolean;
      message: string;
    }
  | Refusal<'no-plan' | 'several-plans' | 'plan-in-list'>
  | (Refusal<'invalid-plan' | 'invalid-targets' | 'policy-refused'> & { issues: SourceIssue[] })
  | Refusal<'not-found' | 'not-allowed' | 'not-named' | 'environment-mismatch' | 'wrong-state'>;

type PlanTargets = Extract<ResolvedTargets, { ok: true }>;

/** The checks before the transaction: the order, its environment, the config, the policy, the secret store. */
async function checkCandidate(
  deps: ServiceDeps,
  orderId: number,
  plan: Plan,
  config: RepoConfig,
  locate: PlanFieldLocator,
): Promise<{ ok: true; order: WorkOrder; targets: PlanTargets } | Exclude<SubmitPlanResult, { ok: true }>> {
  const order = await getWorkOrder(deps.db, orderId);
  if (order === undefined) return { ok: false, reason: 'not-found', message: `no work order ${orderId}` };
  if (order.kind === 'pull_request' && order.environment !== null && plan.environment !== order.environment) {
    const names = `this deployment is for ${order.environment}, but the plan names environment ${plan.environment}`;
    return { ok: false, reason: 'environment-mismatch', message: `${names}; use /deploy ${plan.environment} for that` };
  }
  const targets = resolvePlanTargets(config, plan);
  if (!targets.ok)
    return {
      ok: false,
      reason: 'invalid-targets',
      message: 'the plan does not fit .github/yardmaster.yml',
      issues: targets.issues,
    };
  const refused = checkPlanAgainstPolicy(deps.policy.forRepo(order.repoFullName), plan, targets.hosts, locate);
  if (refused.length > 0)
    return {
      ok: false,
      reason: 'policy-refused',
      message: "the plan goes past what the operator's policy allows this repository",
      issues: refused,
    };
  // Secret values come only from the operator's store, never from the server's environment: a plan whose
  // environment names one the store lacks could never run (and must not run on the server's own variables).
  const { repoFullName } = order;
  const projectName = config.apps[plan.app]?.project;
  const project = projectName === undefined ? undefined : config.projects[projectName];
  const missing = await missingSecretIssues(
    deps.db,
    repoFullName,
    plan.app,
    plan.environment,
    targets.environment,
    projectName === undefined || project === undefined ? undefined : { ...project, name: projectName },
  );
  if (missing.names.length > 0) {
    const names = missing.names.join(', ');
    const lacking = "the plan's environment names secrets that Yardmaster's secret store does not hold";
    const message = `${lacking} for this repository: ${names}`;
    return { ok: false, reason: 'invalid-targets', message, issues: missing.issues };
  }
  if (!OPEN_FOR_PLANS.has(order.state)) return wrongState(order);
  return { ok: true, order, targets };
}

/** The digest covers the config the plan resolves to as well: approvers approve both, and a change needs them again. */
function checkedPlan(candidate: PlanCandidate, targets: PlanTargets): CheckedPlan {
  const resolved = releaseSettingsRecord(releaseSettings(targets));
  const commit = candidate.commitSha === null ? {} : { commitSha: candidate.commitSha };
  const digest = planDigest(candidate.plan, { ...commit, settings: resolved });
  return { digest, resolved, approvalsNeeded: targets.environment.approvals };
}

/** Stores `candidate` as the order's plan (checks, transaction, reply): shared by comments, pushes and restatements. */
async function storePlan(
  deps: ServiceDeps,
  orderId: number,
  candidate: PlanCandidate,
  context: Pick<RepoContext, 'config'>,
  actor: Actor,
  locate: PlanFieldLocator = unlocated,
): Promise<SubmitPlanResult> {
  const { plan } = candidate;
  const checked = await checkCandidate(deps, orderId, plan, context.config, locate);
  if (!checked.ok) return checked;
  const { targets } = checked;
  const outcome = await storePlanVersion(deps, orderId, candidate, checkedPlan(candidate, targets), actor);
  if (outcome.kind === 'refused') return outcome.refusal;
  const { row } = outcome;
  const version = { seq: row.seq, digest: row.digest, commitSha: row.commitSha, author: row.author };
  const { app, hosts, environment } = targets;
  const roles = rolesForApp(context.config, plan.app);
  const summary = summarizePlan({ plan, app, hosts, environment, roles, version });
  const stored =
    outcome.kind === 'stored'
      ? outcome
      : { moved: [], dropped: [], cancelledJob: false, jobId: null, preflight: false };
  return {
    ok: true,
    outcome: outcome.kind,
    summary,
    moved: stored.moved,
    droppedApprovals: stored.dropped,
    cancelledJob: stored.cancelledJob,
    jobId: stored.jobId,
    preflight: stored.preflight,
    message: planReplyMessage(plan, outcome, summary),
  };
}

/**
 * Reads the plan in a comment and, when its author may write plans and it fits the repo config, makes it the order's
 * current plan. A new digest drops earlier approvals (they stay, bound to the old digest) and sends an approved or
 * scheduled order back to `planned`, cancelling its queued start in the same transaction.
 */
export async function submitPlan(
  deps: ServiceDeps,
  input: SubmitPlanInput,
  context: RepoContext,
): Promise<SubmitPlanResult> {
  const parsed = parsePlanFromComment(input.markdown);
  if (!parsed.ok && parsed.reason === 'no-plan')
    return { ok: false, reason: 'no-plan', message: 'the comment holds no plan' };
  if (!parsed.ok && parsed.reason !== 'invalid') return { ok: false, reason: parsed.reason, message: parsed.message };
  if (!parsed.ok) return { ok: false, reason: 'invalid-plan', message: 'the plan has errors', issues: parsed.issues };
  const allowed = await authorize(
    { name: 'write-plan' },
    input.author,
    authorizationContextFor(context, undefined, parsed.plan.app),
  );
  if (!allowed.ok) return { ok: false, reason: 'not-allowed', message: allowed.message };
  const order = await getWorkOrder(deps.db, input.order.id);
  if (order === undefined) return { ok: false, reason: 'not-found', message: `no work order ${input.order.id}` };
  const override = planCommentOverride(input.markdown);
  const named = checkNamedPerson({ name: 'write-plan' }, input.author, namedPeopleOf(order), override);
  if (!named.ok) return { ok: false, reason: 'not-named', message: named.message };
  const author = input.author.replace(/^@/, '');
  const stored = await storePlan(
    deps,
    input.order.id,
    {
      plan: parsed.plan,
      yaml: parsed.block.yaml,
      author,
      commentId: input.commentId,
      commitSha: input.commitSha ?? null,
      sourceTime: input.at ?? null,
      ...(named.standIn === undefined ? {} : { standIn: named.standIn }),
    },
    context,
    userActor(author),
    planFieldLocator(parsed.block),
  );
  const { standIn } = named;
  if (!stored.ok || stored.outcome !== 'stored' || standIn === undefined) return stored;
  const instead = `Written instead of @${standIn.named}, the plan author this work order names: ${standIn.reason} (recorded).`;
  return { ...stored, message: `${stored.message}\n\n${instead}` };
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
export async function refreshPlanCommit(
  deps: ServiceDeps,
  input: RefreshPlanInput,
  context: RepoContext,
): Promise<SubmitPlanResult> {
  const current = await currentPlan(deps.db, input.order.id);
  if (current === undefined) return { ok: false, reason: 'no-plan', message: 'the work order has no plan yet' };
  return storePlan(
    deps,
    input.order.id,
    {
      plan: current.plan,
      yaml: current.row.yaml,
      author: current.row.author,
      commentId: current.row.commentId,
      commitSha: input.commitSha,
      sourceTime: input.at ?? null,
    },
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
