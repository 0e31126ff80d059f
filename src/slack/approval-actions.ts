/**
 * The approval buttons: Approve records an approval for the plan digest the message showed, in the name of the
 * GitHub login the clicking Slack member is mapped to (repo config `slack.users`); Reject asks for a reason in a
 * modal, whose submission records the rejection. The same service function as GitHub's reviews and `/approve`
 * decides; refusals go back to the member only (ephemeral). An accepted verdict is also said on GitHub.
 */
import { recordVerdict } from '../workorders/service/index.ts';
import type { ApprovalVerdict } from '../workorders/types.ts';
import { parseApprovalValue } from './approval-blocks.ts';
import { announceQueuedDeployment } from '../github/index.ts';
import { sayOnGitHub } from './say-on-github.ts';
import { slackActor } from './slack-actor.ts';
import type { SlackDeps, SlackModal } from './types.ts';

/** The reject modal's `callback_id` and its reason field. */
export const REJECT_MODAL = 'yardmaster_reject_modal';
export const REASON_BLOCK = 'reason';
export const REASON_INPUT = 'reason_input';

/** A click as the adapter needs it. */
export interface ApprovalClick {
  slackUser: string;
  /** The button's value: `<orderId>:<digest>`. */
  value: string;
  /** Where to answer the member privately. */
  channel: string | undefined;
  /** Unique per click (Slack's `action_ts` with the message), so a replayed request counts once. */
  clickRef: string;
}

/** What became of a click or submission, for the reply. */
export type ClickOutcome = { ok: true; message: string } | { ok: false; message: string };

async function decide(
  deps: SlackDeps,
  click: ApprovalClick,
  verdict: ApprovalVerdict,
  reason?: string,
): Promise<ClickOutcome> {
  const target = parseApprovalValue(click.value);
  if (target === undefined) return { ok: false, message: "This button is not one of Yardmaster's." };
  const actor = await slackActor(deps, target.workOrderId, click.slackUser);
  if (!actor.ok) return actor;
  const { order, context, login } = actor;
  const result = await recordVerdict(
    deps.service,
    {
      order,
      actor: login,
      source: 'slack',
      sourceRef: click.clickRef,
      verdict,
      digestSeen: target.digest,
      ...(reason === undefined ? {} : { reason }),
    },
    context,
  );
  if (!result.ok) return { ok: false, message: `Refused for @${login}: ${result.message}` };
  if (result.duplicate) return { ok: true, message: result.message };
  await sayOnGitHub(
    deps,
    order,
    `@${login} ${verdict === 'approved' ? 'approved' : 'rejected'} this plan from Slack${reason === undefined ? '.' : `: ${reason}`}`,
  );
  if (result.moved.length > 0) {
    // Reaching the quorum from Slack queues the start: GitHub shows the Deployment waiting, as for a review.
    const announcer = {
      db: deps.service.db,
      github: await deps.githubFor(order.installationId),
      repoFullName: order.repoFullName,
      publicUrl: deps.publicUrl,
      log: deps.log,
    };
    await announceQueuedDeployment(announcer, order.id, result.moved, context.config).catch((error: unknown) => {
      deps.log.warn({ err: error, workOrderId: order.id }, 'queued deployment not announced');
    });
  }
  return { ok: true, message: result.message };
}

/** Approve: the verdict, then the member hears of a refusal privately; the message is updated by the caller. */
export function approveClick(deps: SlackDeps, click: ApprovalClick): Promise<ClickOutcome> {
  return decide(deps, click, 'approved');
}

/** The modal that asks a rejecting member why. */
export function rejectModal(value: string): SlackModal {
  return {
    type: 'modal',
    callback_id: REJECT_MODAL,
    private_metadata: value,
    title: { type: 'plain_text', text: 'Reject the plan' },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: REASON_BLOCK,
        label: { type: 'plain_text', text: 'Why? (shown on the work order)' },
        element: { type: 'plain_text_input', action_id: REASON_INPUT, multiline: true, max_length: 1000 },
      },
    ],
  };
}

/** Reject (the modal's submission): the verdict with the reason given. */
export function rejectSubmission(deps: SlackDeps, click: ApprovalClick, reason: string): Promise<ClickOutcome> {
  return decide(deps, click, 'rejected', reason.trim() === '' ? 'rejected from Slack' : reason.trim());
}

/** The order a button value names (to update its message after a click). */
export function orderIdOf(value: string): number | undefined {
  return parseApprovalValue(value)?.workOrderId;
}
