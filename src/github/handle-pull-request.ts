/**
 * `pull_request` synchronize: the plan is bound to the new head (new digest); closed: the deployment is cancelled and
 * the pull request's lanes end. Opened, reopened and synchronize from a fork: the config check (check-pull-config.ts).
 */
import { checkPullConfig } from './check-pull-config.ts';
import { cancelWorkOrder, findWorkOrder, refreshPlanCommit, userActor } from '../workorders/service/index.ts';
import { endPullLanes } from './handle-lane-comment.ts';
import { postPlanReply } from './plan-reply-preflight.ts';
import type { Session } from './session.ts';
import { problemsOf, type PullRequestEvent, pullRequestEventSchema } from './webhook-payloads.ts';

export async function handlePullRequest(session: Session, payload: unknown): Promise<void> {
  const parsed = pullRequestEventSchema.safeParse(payload);
  if (!parsed.success) {
    session.log.warn({ problems: problemsOf(parsed.error) }, 'pull_request event not understood');
    return;
  }
  await followPullWorkOrder(session, parsed.data);
  await checkPullConfig(session, payload);
}

/** The pull request's lanes and work order follow its head (synchronize) or end with it (closed). */
async function followPullWorkOrder(session: Session, event: PullRequestEvent): Promise<void> {
  const { action, number, pull_request: pull } = event;
  if (action !== 'synchronize' && action !== 'closed') return;
  if (action === 'closed') {
    for (const ended of await endPullLanes(session, number, session.sender, 'pull request closed')) {
      session.log.info({ lane: ended.lane, reclaimed: ended.reclaimed }, 'lane ended with its pull request');
    }
  }
  const order = await findWorkOrder(session.deps.service.db, { repoFullName: session.repoFullName, number });
  if (order?.kind !== 'pull_request') return;
  if (action === 'closed') {
    const cancelled = await cancelWorkOrder(session.deps.service, {
      order,
      actor: userActor(session.sender),
      reason: 'pull request closed',
    });
    session.log.info({ order: order.id, ok: cancelled.ok }, 'pull request closed');
    return;
  }
  const context = await session.repoContext(number);
  if (context === undefined) return;
  const result = await refreshPlanCommit(
    session.deps.service,
    {
      order,
      commitSha: pull.head.sha,
      actor: userActor(session.sender),
      ...(pull.updated_at === undefined ? {} : { at: pull.updated_at }),
    },
    context,
  );
  if (!result.ok) {
    // Issues of a stored plan have no comment line here: their messages say what is wrong.
    const why =
      'issues' in result
        ? `${result.message}: ${result.issues.map((issue) => issue.message).join('; ')}`
        : result.message;
    if (result.reason !== 'no-plan')
      await session.comment(number, `The push to ${pull.head.sha.slice(0, 7)} was not taken: ${why}`);
    return;
  }
  if (result.outcome === 'stored') {
    const dropped =
      result.droppedApprovals.length === 0
        ? ''
        : ` Approvals by ${result.droppedApprovals.map((login) => `@${login}`).join(', ')} no longer count.`;
    await postPlanReply(
      session,
      number,
      `New head ${pull.head.sha.slice(0, 7)}: the plan has a new digest.${dropped} ${result.message}`,
      result.preflight ? { workOrderId: order.id, digest: result.summary.digest } : undefined,
    );
    session.deps.onOrderChanged?.(order.id);
  }
}
