/**
 * Where an order's approval stands, for adapters that show it (the Slack approval message): the current plan's
 * summary, whose approvals count for it, and how many are needed.
 */
import { resolvePlanTargets, rolesForApp } from '../../config/index.ts';
import type { DbExecutor } from '../../db/types.ts';
import { approvalRecords } from './approvals-store.ts';
import { evaluateOrderQuorum, lookupApprovers } from './order-quorum.ts';
import { currentPlan } from './plan-store.ts';
import { summarizePlan, type PlanSummary } from './plan-summary.ts';
import type { RepoContext } from './types.ts';

export interface ApprovalSnapshot {
  summary: PlanSummary;
  /** Logins whose approvals count for the current plan. */
  approvedBy: string[];
  needed: number;
}

/** The snapshot; undefined when the order has no plan or its plan no longer fits the repo config. */
export async function approvalSnapshot(
  db: DbExecutor,
  workOrderId: number,
  context: RepoContext,
): Promise<ApprovalSnapshot | undefined> {
  const stored = await currentPlan(db, workOrderId);
  if (stored === undefined) return undefined;
  const targets = resolvePlanTargets(context.config, stored.plan);
  if (!targets.ok) return undefined;
  const summary = summarizePlan({
    plan: stored.plan,
    app: targets.app,
    hosts: targets.hosts,
    environment: targets.environment,
    roles: rolesForApp(context.config, stored.plan.app),
    version: {
      seq: stored.row.seq,
      digest: stored.row.digest,
      commitSha: stored.row.commitSha,
      author: stored.row.author,
    },
  });
  const lookup = await lookupApprovers(db, context, { app: stored.plan.app, config: targets.environment }, workOrderId);
  const evaluated = evaluateOrderQuorum(await approvalRecords(db, workOrderId), stored, targets.environment, lookup);
  return {
    summary,
    approvedBy: evaluated.ok ? [...evaluated.quorum.counted] : [],
    needed: targets.environment.approvals,
  };
}
