/** `/status`: where an order is, in one object an adapter can render. */
import type { WorkOrderState } from '../types.ts';
import { pendingAbortRequest } from './abort-requests.ts';
import { approvalRecords } from './approvals-store.ts';
import { readEnvironmentLock } from './environment-lock.ts';
import { countWaitersAhead, isWaiting } from './lock-waiters.ts';
import { describeQuorum, evaluateOrderQuorum, lookupApprovers } from './order-quorum.ts';
import { environmentFreeze, planTarget } from './order-policy.ts';
import { getWorkOrder } from './order-store.ts';
import { currentPlan } from './plan-store.ts';
import { hostRunsOf, latestRelease, latestRunPerHost } from './release-store.ts';
import type { RepoContext, ServiceDeps } from './types.ts';

export interface StatusSummary {
  order: {
    id: number;
    repoFullName: string;
    number: number;
    kind: 'issue' | 'pull_request';
    title: string;
    state: WorkOrderState;
    app: string | null;
    environment: string | null;
    requester: string;
    closed: boolean;
  };
  plan: {
    seq: number;
    version: string;
    digest: string;
    author: string;
    commitSha: string | null;
    schedule: Date | null;
  } | null;
  approvals: { needed: number; counted: string[]; missing: number; rejectedBy: string | null; text: string } | null;
  /** Whether a start job is queued. */
  startQueued: boolean;
  environment: {
    frozen: { window: string; until: Date } | null;
    lockedBy: string | null;
    lockReason: string | null;
    /** The order holding the environment lock (a running release), if any. */
    heldBy: number | null;
    /** This order's place in the environment's waiting line (1 = next), when it waits. */
    waitingPosition: number | null;
  } | null;
  release: {
    releaseId: string;
    version: string;
    status: string;
    startedAt: Date | null;
    finishedAt: Date | null;
    failedHost: string | null;
    hosts: { host: string; outcome: string; attempt: number; previousVersion: string | null }[];
  } | null;
  abortRequested: boolean;
  message: string;
}

function failedHostOf(result: Record<string, unknown> | null): string | null {
  const failed = result?.failedHost;
  if (typeof failed !== 'object' || failed === null || !('host' in failed)) return null;
  return typeof failed.host === 'string' ? failed.host : null;
}

/** Reads everything `/status` shows. Team lookups for the approvals run here, so call it outside transactions. */
export async function getWorkOrderStatus(
  deps: Pick<ServiceDeps, 'db' | 'now'>,
  orderId: number,
  context: RepoContext,
): Promise<StatusSummary | undefined> {
  const { db } = deps;
  const order = await getWorkOrder(db, orderId);
  if (order === undefined) return undefined;
  const stored = await currentPlan(db, orderId);
  const found = stored === undefined ? undefined : planTarget(context.config, stored.plan);
  const target = found?.ok === true ? found.target : undefined;

  let approvals: StatusSummary['approvals'] = null;
  if (stored !== undefined && target !== undefined) {
    const lookup = await lookupApprovers(db, context, target, orderId);
    const evaluated = evaluateOrderQuorum(await approvalRecords(db, orderId), stored, target.config, lookup);
    if (evaluated.ok) {
      const { quorum } = evaluated;
      approvals = {
        needed: quorum.needed,
        counted: quorum.counted,
        missing: quorum.missing,
        rejectedBy: quorum.rejectedBy ?? null,
        text: describeQuorum(quorum),
      };
    }
  }

  let environment: StatusSummary['environment'] = null;
  if (target !== undefined) {
    const key = { repoFullName: order.repoFullName, app: target.app, environment: target.environment };
    const lock = await readEnvironmentLock(db, key);
    const freeze = environmentFreeze(target.config, (deps.now ?? (() => new Date()))());
    const waiting = await isWaiting(db, orderId);
    environment = {
      frozen: freeze.ok && freeze.state.frozen ? { window: freeze.state.window, until: freeze.state.until } : null,
      lockedBy: lock?.lockedBy ?? null,
      lockReason: lock?.manualReason ?? null,
      heldBy: lock?.holderWorkOrderId ?? null,
      waitingPosition: waiting ? (await countWaitersAhead(db, key, orderId)) + 1 : null,
    };
  }

  const releaseRow = await latestRelease(db, orderId);
  const release: StatusSummary['release'] =
    releaseRow === undefined
      ? null
      : {
          releaseId: releaseRow.releaseId,
          version: releaseRow.version,
          status: releaseRow.status,
          startedAt: releaseRow.startedAt,
          finishedAt: releaseRow.finishedAt,
          failedHost: failedHostOf(releaseRow.result),
          hosts: latestRunPerHost(await hostRunsOf(db, releaseRow.releaseId)).map((run) => ({
            host: run.host,
            outcome: run.outcome,
            attempt: run.attempt,
            previousVersion: run.previousVersion,
          })),
        };
  const abortRequested = order.state === 'running' && (await pendingAbortRequest(db, orderId)) !== undefined;

  const parts = [`#${order.number} is ${order.state}`];
  if (stored !== undefined)
    parts.push(`plan v${stored.row.seq}: ${stored.plan.app} ${stored.plan.version} to ${stored.plan.environment}`);
  if (approvals !== null && (order.state === 'planned' || order.state === 'approved' || order.state === 'scheduled'))
    parts.push(approvals.text);
  if (environment?.frozen)
    parts.push(`frozen (${environment.frozen.window}) until ${environment.frozen.until.toISOString()}`);
  const lockedBy = environment?.lockedBy ?? null;
  const lockReason = environment?.lockReason ?? null;
  if (lockedBy !== null) parts.push(`locked by @${lockedBy}${lockReason === null ? '' : `: ${lockReason}`}`);
  const position = environment?.waitingPosition ?? null;
  if (position !== null) parts.push(`waiting for the environment lock (#${position} in line)`);
  if (release !== null)
    parts.push(
      `last release ${release.version}: ${release.status}${release.failedHost === null ? '' : ` (${release.failedHost} failed)`}`,
    );
  if (abortRequested) parts.push('abort requested');

  return {
    order: {
      id: order.id,
      repoFullName: order.repoFullName,
      number: order.number,
      kind: order.kind,
      title: order.title,
      state: order.state,
      app: order.app,
      environment: order.environment,
      requester: order.requester,
      closed: order.closedAt !== null,
    },
    plan:
      stored === undefined
        ? null
        : {
            seq: stored.row.seq,
            version: stored.plan.version,
            digest: stored.row.digest,
            author: stored.row.author,
            commitSha: stored.row.commitSha,
            schedule: stored.plan.schedule ?? null,
          },
    approvals,
    startQueued: order.startJobId !== null,
    environment,
    release,
    abortRequested,
    message: `${parts.join('; ')}.`,
  };
}
