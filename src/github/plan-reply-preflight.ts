/**
 * A plan reply that shows its version's pre-flight: posted with the section pending, noted on the pre-flight row so
 * that the reporter edits it when the result arrives, and edited here at once if the result was stored first.
 */
import { z } from 'zod';
import { rememberPreflightReply } from '../workorders/service/index.ts';
import { preflightReplySection, withPreflightSection } from './preflight-markdown.ts';
import { updatePreflightReply } from './report-preflight.ts';
import type { Session } from './session.ts';

const createdSchema = z.object({ id: z.number() });

/** Posts `body` on issue `number`; with `preflight`, the reply also carries (and follows) that version's pre-flight. */
export async function postPlanReply(
  session: Session,
  number: number,
  body: string,
  preflight: { workOrderId: number; digest: string } | undefined,
): Promise<void> {
  if (preflight === undefined) {
    await session.comment(number, body);
    return;
  }
  const repo = { owner: session.owner, repo: session.repo };
  const text = withPreflightSection(body, preflightReplySection(undefined));
  const { data } = await session.github.rest.issues.createComment({ ...repo, issue_number: number, body: text });
  const created = createdSchema.safeParse(data);
  if (!created.success) return;
  const view = await rememberPreflightReply(session.deps.service.db, { ...preflight, commentId: created.data.id });
  if (view !== undefined && view.status !== 'pending')
    await updatePreflightReply(session.github.rest.issues, repo, created.data.id, view);
}
