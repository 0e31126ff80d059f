/**
 * A pre-flight's result → GitHub: the check run `yardmaster / preflight` on the order's commit (completed, with the
 * per-host table), and the plan reply's pre-flight section edited to show it (when the reply is known: the handler
 * that posted it notes it, and updates it itself if the result was stored first).
 */
import { z } from 'zod';
import { checkRunExternalId } from './handle-check-run-action.ts';
import type { PreflightView } from '../workorders/service/index.ts';
import { orderUrl } from '../lib/order-url.ts';
import {
  preflightCheckRun,
  PREFLIGHT_CHECK_NAME,
  preflightReplySection,
  withPreflightSection,
} from './preflight-markdown.ts';
import type { OctokitSlice } from './octokit-slice.ts';
import type { ReportContext } from './report-context.ts';
import type { ReportTarget } from './report-state.ts';
import { commitOf } from './report-target.ts';
import { STATE } from './write-queue.ts';

const commentSchema = z.object({ body: z.string().nullish() });

/** Rewrites the pre-flight section of the plan reply `commentId` to show `view`. */
export async function updatePreflightReply(
  github: Pick<OctokitSlice['rest']['issues'], 'getComment' | 'updateComment'>,
  repo: { owner: string; repo: string },
  commentId: number,
  view: PreflightView,
): Promise<void> {
  const { data } = await github.getComment({ ...repo, comment_id: commentId });
  const body = commentSchema.parse(data).body ?? '';
  await github.updateComment({
    ...repo,
    comment_id: commentId,
    body: withPreflightSection(body, preflightReplySection(view)),
  });
}

/** Queues the check run and the reply's update (see the top of this file). */
export function onPreflight(ctx: ReportContext, t: ReportTarget, view: PreflightView): void {
  const queue = ctx.queues.forInstallation(t.order.installationId);
  const repo = { owner: t.owner, repo: t.repo };
  let checkRunSent = false;
  queue.add({
    key: `preflight:${String(view.workOrderId)}:${view.digest}:${String(view.attempt)}`,
    urgency: () => (checkRunSent ? undefined : { priority: STATE }),
    write: async () => {
      checkRunSent = true;
      const sha = await commitOf(ctx, t);
      if (sha === undefined) return;
      await ctx.call('pre-flight check run', () =>
        t.github.rest.checks.create({
          ...repo,
          head_sha: sha,
          name: PREFLIGHT_CHECK_NAME,
          external_id: checkRunExternalId(view.workOrderId),
          details_url: orderUrl(ctx.publicUrl, view.workOrderId),
          ...preflightCheckRun(view),
        }),
      );
    },
  });
  const commentId = view.replyCommentId;
  if (commentId === null) return;
  let replySent = false;
  queue.add({
    key: `preflight-reply:${String(view.workOrderId)}:${view.digest}`,
    urgency: () => (replySent ? undefined : { priority: STATE }),
    write: async () => {
      replySent = true;
      await ctx.call('pre-flight reply', () => updatePreflightReply(t.github.rest.issues, repo, commentId, view));
    },
  });
}
