/**
 * Keeps an order's Slack approval messages true: posts one when a plan starts waiting for approval (to the
 * environment's channel), updates it in place as approvals arrive (from Slack or GitHub) and as the order moves on,
 * and marks the message of a replaced plan as such (its buttons go). Calls for one order run one after another.
 */
import { and, eq } from 'drizzle-orm';
import { slackMessages } from '../db/index.ts';
import { issueUrl } from '../lib/github-web-url.ts';
import { createKeyedSerialRunner } from '../lib/keyed-serial-runner.ts';
import { orderUrl } from '../lib/order-url.ts';
import { approvalSnapshot, getWorkOrder, preflightOf } from '../workorders/service/index.ts';
import { approvalBlocks, approvalText, escapeMrkdwn, type SlackBlock } from './approval-blocks.ts';
import { preflightBlock } from './preflight-blocks.ts';
import { repoContextOf } from './repo-context.ts';
import { approvalChannelOf } from './slack-users.ts';
import type { SlackDeps } from './types.ts';

function replacedBlocks(url: string, seq: number): SlackBlock[] {
  return [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `♻️ *This plan was replaced by plan v${seq}*: approvals given here no longer count. <${url}|See the work order>.`,
      },
    },
  ];
}

async function sync(deps: SlackDeps, workOrderId: number): Promise<void> {
  const db = deps.service.db;
  const order = await getWorkOrder(db, workOrderId);
  if (order === undefined) return;
  const repo = await repoContextOf(deps, order);
  if (!repo.ok) {
    deps.log.warn({ workOrderId, problem: repo.message }, 'Slack approval message not updated: repo config unusable');
    return;
  }
  const snapshot = await approvalSnapshot(db, order.id, repo.context);
  if (snapshot === undefined) return;
  const { summary } = snapshot;
  const channel = approvalChannelOf(repo.context.config, summary.app, summary.environment);
  if (channel === undefined) return;
  const url = orderUrl(deps.publicUrl, order.id);
  const rows = await db.select().from(slackMessages).where(eq(slackMessages.workOrderId, order.id));
  for (const row of rows) {
    if (row.digest === summary.digest || row.stale) continue;
    const blocks = replacedBlocks(url, summary.seq);
    await deps.slack.chat.update({
      channel: row.channel,
      ts: row.ts,
      text: `Plan replaced by v${summary.seq}: ${escapeMrkdwn(order.title)}`,
      blocks,
    });
    await db.update(slackMessages).set({ stale: true }).where(eq(slackMessages.id, row.id));
  }
  const githubUrl = issueUrl(deps.githubWebUrl, order.repoFullName, order.number);
  const required = repo.context.config.apps[summary.app]?.environments[summary.environment]?.preflight === 'required';
  const preflight = preflightBlock(await preflightOf(db, order.id, summary.digest), required);
  const view = {
    workOrderId: order.id,
    repoFullName: order.repoFullName,
    number: order.number,
    title: order.title,
    state: order.state,
    summary,
    approvedBy: snapshot.approvedBy,
    needed: snapshot.needed,
    githubUrl,
    url,
    stale: false,
    ...(preflight === undefined ? {} : { preflight }),
  };
  const current = rows.find((row) => row.digest === summary.digest);
  if (current !== undefined) {
    await deps.slack.chat.update({
      channel: current.channel,
      ts: current.ts,
      text: approvalText(view),
      blocks: approvalBlocks(view),
    });
    return;
  }
  // A message is posted for a plan that waits for approval; one approved at once (no approvals needed) gets none.
  if (order.state !== 'planned') return;
  const posted = await deps.slack.chat.postMessage({ channel, text: approvalText(view), blocks: approvalBlocks(view) });
  if (posted.ts === undefined) {
    deps.log.warn({ workOrderId, error: posted.error }, 'Slack approval message not posted');
    return;
  }
  await db
    .insert(slackMessages)
    .values({ workOrderId: order.id, digest: summary.digest, channel: posted.channel ?? channel, ts: posted.ts })
    .onConflictDoNothing();
}

/** Where an order's message is, for a plan digest (replies to the message go in its thread). */
export async function approvalMessageOf(
  deps: Pick<SlackDeps, 'service'>,
  workOrderId: number,
  digest: string,
): Promise<{ channel: string; ts: string } | undefined> {
  const [row] = await deps.service.db
    .select({ channel: slackMessages.channel, ts: slackMessages.ts })
    .from(slackMessages)
    .where(and(eq(slackMessages.workOrderId, workOrderId), eq(slackMessages.digest, digest)));
  return row;
}

/** The syncer: `(workOrderId) => void`, never throwing; `idle()` for tests and shutdown. */
export interface ApprovalMessageSync {
  (workOrderId: number): void;
  idle(): Promise<void>;
}

export function createApprovalMessageSync(deps: SlackDeps): ApprovalMessageSync {
  // One order's updates in order; different orders side by side, without a limit. Each task logs its own failure
  // (with the order), so the runner has none left to report.
  const runner = createKeyedSerialRunner(Number.MAX_SAFE_INTEGER, () => undefined);
  const syncer = (workOrderId: number): void => {
    runner.add(String(workOrderId), () =>
      sync(deps, workOrderId).catch((error: unknown) => {
        deps.log.warn({ err: error, workOrderId }, 'Slack approval message sync failed');
      }),
    );
  };
  syncer.idle = (): Promise<void> => runner.idle();
  return syncer;
}
