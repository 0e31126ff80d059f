/**
 * `pull_request_review` submitted/dismissed: a verdict for the plan as it was at the review's commit. Only each
 * reviewer's latest state counts (the service keeps the latest verdict per actor); a dismissal revokes.
 */
import { and, desc, eq } from 'drizzle-orm';
import { planVersions } from '../db/index.ts';
import { reviewVerdict } from '../workorders/index.ts';
import { findWorkOrder, planVersionAt, recordVerdict } from '../workorders/service/index.ts';
import { announceQueuedDeployment, sessionAnnouncer } from './announce-queued-deployment.ts';
import type { Session } from './session.ts';
import { problemsOf, reviewEventSchema } from './webhook-payloads.ts';
import { acceptedReply, refusalReply } from './work-order-replies.ts';

/**
 * The digest of the plan version the reviewer saw: the newest bound to the review's commit that existed when the
 * review was submitted (GitHub's submitted_at against the versions' GitHub times; a plan comment edited afterwards
 * at the same commit is not what they reviewed). A commit no plan version was made for, or a review older than every
 * version, gets a digest no plan has, so the service answers `stale-digest`.
 */
async function digestSeenBy(
  session: Session,
  workOrderId: number,
  commitSha: string,
  submittedAt: Date | undefined,
): Promise<string> {
  if (submittedAt !== undefined)
    return (
      (await planVersionAt(session.deps.service.db, workOrderId, submittedAt, commitSha))?.digest ??
      `commit:${commitSha}`
    );
  const [row] = await session.deps.service.db
    .select({ digest: planVersions.digest })
    .from(planVersions)
    .where(and(eq(planVersions.workOrderId, workOrderId), eq(planVersions.commitSha, commitSha)))
    .orderBy(desc(planVersions.seq))
    .limit(1);
  return row?.digest ?? `commit:${commitSha}`;
}

export async function handleReview(session: Session, payload: unknown): Promise<void> {
  const parsed = reviewEventSchema.safeParse(payload);
  if (!parsed.success) {
    session.log.warn({ problems: problemsOf(parsed.error) }, 'pull_request_review event not understood');
    return;
  }
  const { action, review, pull_request: pull } = parsed.data;
  if (action !== 'submitted' && action !== 'dismissed') return;
  const verdict = reviewVerdict(action === 'dismissed' ? 'dismissed' : review.state);
  if (verdict === undefined) return;
  const order = await findWorkOrder(session.deps.service.db, {
    repoFullName: session.repoFullName,
    number: pull.number,
  });
  if (order?.kind !== 'pull_request') return;
  const context = await session.repoContext(pull.number);
  if (context === undefined) return;
  // The verdict is the reviewer's even when someone else dismissed their review: the dismissal withdraws the
  // reviewer's approval (GitHub no longer counts it), and the one who dismissed it is named in the reason.
  const reviewer = review.user.login;
  const dismissedBy =
    action === 'dismissed' && parsed.data.sender.login !== reviewer ? parsed.data.sender.login : undefined;
  const submittedAt = review.submitted_at ?? undefined;
  const body = review.body === null || review.body === undefined || review.body === '' ? undefined : review.body;
  const reason =
    dismissedBy === undefined ? body : `review dismissed by @${dismissedBy}${body === undefined ? '' : `: ${body}`}`;
  const result = await recordVerdict(
    session.deps.service,
    {
      order,
      actor: reviewer,
      source: 'github',
      // A dismissal is a second event about the same review: its own ref, or it would be taken for a replay.
      sourceRef: action === 'dismissed' ? `review:${review.id}:dismissed` : `review:${review.id}`,
      verdict,
      digestSeen: await digestSeenBy(session, order.id, review.commit_id, submittedAt),
      ...(submittedAt === undefined ? {} : { givenAt: submittedAt }),
      ...(reason === undefined ? {} : { reason }),
    },
    context,
  );
  if (!result.ok) {
    // A revocation by someone who could not approve anyway changes nothing worth a comment.
    if (verdict === 'revoked' && result.reason === 'not-allowed') return;
    await session.comment(
      pull.number,
      refusalReply(reviewer, `The review ${action === 'dismissed' ? 'dismissal' : 'verdict'}`, result.message),
    );
    return;
  }
  if (result.duplicate) return;
  await session.comment(pull.number, acceptedReply(reviewer, result.message));
  session.deps.onOrderChanged?.(order.id);
  await announceQueuedDeployment(sessionAnnouncer(session), order.id, result.moved, context.config);
}
