/**
 * `pull_request_review` submitted/dismissed: a verdict for the plan as it was at the review's commit. Only each
 * reviewer's latest state counts (the service keeps the latest verdict per actor); a dismissal revokes.
 */
import { and, desc, eq } from 'drizzle-orm';
import { planVersions } from '../db/schema.ts';
import { reviewVerdict } from '../workorders/review-verdict.ts';
import { findWorkOrder, recordVerdict } from '../workorders/service/index.ts';
import { announceQueuedDeployment, sessionAnnouncer } from './announce-queued-deployment.ts';
import type { Session } from './session.ts';
import { problemsOf, reviewEventSchema } from './webhook-payloads.ts';
import { acceptedReply, refusalReply } from './work-order-replies.ts';

/**
 * The digest of the newest plan version bound to `commitSha`; a commit no plan version was made for gets a digest
 * no plan has, so the service answers `stale-digest` (the review saw older code than the plan is for).
 */
async function digestAtCommit(session: Session, workOrderId: number, commitSha: string): Promise<string> {
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
  const order = await findWorkOrder(session.deps.service.db, { repoFullName: session.repoFullName, number: pull.number });
  if (order === undefined || order.kind !== 'pull_request') return;
  const context = await session.repoContext(pull.number);
  if (context === undefined) return;
  const reviewer = review.user.login;
  const result = await recordVerdict(
    session.deps.service,
    {
      order,
      actor: reviewer,
      source: 'github',
      // A dismissal is a second event about the same review: its own ref, or it would be taken for a replay.
      sourceRef: action === 'dismissed' ? `review:${review.id}:dismissed` : `review:${review.id}`,
      verdict,
      digestSeen: await digestAtCommit(session, order.id, review.commit_id),
      ...(review.body === null || review.body === undefined || review.body === '' ? {} : { reason: review.body }),
    },
    context,
  );
  if (!result.ok) {
    // A revocation by someone who could not approve anyway changes nothing worth a comment.
    if (verdict === 'revoked' && result.reason === 'not-allowed') return;
    await session.comment(pull.number, refusalReply(reviewer, `The review ${action === 'dismissed' ? 'dismissal' : 'verdict'}`, result.message));
    return;
  }
  if (result.duplicate) return;
  await session.comment(pull.number, acceptedReply(reviewer, result.message));
  session.deps.onOrderChanged?.(order.id);
  await announceQueuedDeployment(sessionAnnouncer(session), order.id, result.moved, context.config);
}
