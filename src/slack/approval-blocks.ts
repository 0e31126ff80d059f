/**
 * The Block Kit of an order's approval message: what is to be released where (app, environment, version, hosts per
 * batch, schedule, short digest), a link to the order on GitHub, the approvals so far and how many are needed, and
 * Approve / Reject buttons while the plan waits for approval. A message of a replaced plan says so and has no buttons.
 */
import { describeStrategy } from '../plan/index.ts';
import type { PlanSummary, SummaryHost } from '../workorders/service/index.ts';
import { BLOCK_KIT_LIMITS, type SlackBlock, type SlackButton } from './block-kit-types.ts';
import { planCommandBlocks } from './plan-command-blocks.ts';

export type { SlackBlock, SlackButton, TextObject } from './block-kit-types.ts';

/** The buttons' `action_id`s. */
export const APPROVE_ACTION = 'yardmaster_approve';
export const REJECT_ACTION = 'yardmaster_reject';

/** What the message shows. */
export interface ApprovalView {
  workOrderId: number;
  repoFullName: string;
  number: number;
  title: string;
  state: string;
  summary: PlanSummary;
  /** Logins whose approvals count, and how many are needed. */
  approvedBy: string[];
  needed: number;
  /** The order's issue or pull request on GitHub. */
  githubUrl: string;
  /** The order's page on Yardmaster (the dashboard). */
  url: string;
  /** A newer plan replaced this one. */
  stale: boolean;
  /** The pre-flight line (preflight-blocks.ts), when the plan's pre-flight was requested. */
  preflight?: SlackBlock;
}

/** `<orderId>:<digest>`: the button's value, so a click counts for the plan the message showed. */
export function approvalValue(workOrderId: number, digest: string): string {
  return `${workOrderId}:${digest}`;
}

/** Reads a button value back; undefined when it is not one of ours. */
export function parseApprovalValue(value: string): { workOrderId: number; digest: string } | undefined {
  const match = /^(\d{1,15}):([0-9a-f]{64})$/.exec(value);
  return match?.[1] === undefined || match[2] === undefined
    ? undefined
    : { workOrderId: Number(match[1]), digest: match[2] };
}

/** Slack's mrkdwn escapes: &, < and > only. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

const STATE_LINES: Readonly<Record<string, string>> = {
  planned: 'Waiting for approval',
  approved: '✅ Approved: queued to start',
  scheduled: '🕒 Approved: scheduled',
  running: '🚀 Releasing',
  succeeded: '✅ Released',
  accepted: '🏁 Released and accepted',
  failed: '❌ Failed',
  aborted: '🛑 Aborted',
  rejected: '⛔ Rejected',
  cancelled: 'Cancelled',
};

/** The message's fallback text (notifications, screen readers). */
export function approvalText(view: ApprovalView): string {
  const { summary } = view;
  return clip(
    `${view.stale ? 'Plan replaced: ' : ''}${summary.app} ${summary.version} to ${summary.environment} (${view.repoFullName}#${view.number}): ${STATE_LINES[view.state] ?? view.state}`,
    3000,
  );
}

function hostText(host: SummaryHost): string {
  return `${escapeMrkdwn(host.name)} (${escapeMrkdwn(host.port === 22 ? host.address : `${host.address} port ${host.port}`)})`;
}

/** Hosts per batch with addresses; batches that do not fit are counted, never cut silently. */
function hostsSection(summary: PlanSummary): { block: SlackBlock; complete: boolean } {
  let text = `*Hosts by batch* (${escapeMrkdwn(describeStrategy(summary.strategy))})`;
  const batches = summary.batchHosts;
  let shown = 0;
  for (const [index, batch] of batches.entries()) {
    const line = `\n${index + 1}. ${batch.map(hostText).join(', ')}`;
    // Room for the closing note, should later batches not fit.
    if (text.length + line.length > BLOCK_KIT_LIMITS.sectionText - 200) break;
    text += line;
    shown++;
  }
  const complete = shown === batches.length;
  if (!complete) {
    const rest = batches.slice(shown).reduce((total, batch) => total + batch.length, 0);
    text += `\n⚠️ ${batches.length - shown} more batches (${rest} hosts) do not fit here: read them in the plan reply on GitHub and approve there with \`/approve\`.`;
  }
  return { block: { type: 'section', text: { type: 'mrkdwn', text } }, complete };
}

export function approvalBlocks(view: ApprovalView): SlackBlock[] {
  const { summary } = view;
  const status = view.stale
    ? '♻️ *This plan was replaced by a newer one*: approvals here no longer count.'
    : `*${STATE_LINES[view.state] ?? view.state}*`;
  const approvals = `${view.approvedBy.length} of ${view.needed} approvals${view.approvedBy.length === 0 ? '' : `: ${view.approvedBy.map(escapeMrkdwn).join(', ')}`}`;
  const hosts = hostsSection(summary);
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: clip(`${summary.app} ${summary.version} → ${summary.environment}`, 150) },
    },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(
          `<${view.githubUrl}|${escapeMrkdwn(`${view.repoFullName}#${view.number}`)}> ${escapeMrkdwn(view.title)} (<${view.url}|details>)\n${status}`,
          3000,
        ),
      },
    },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*App*\n${escapeMrkdwn(summary.app)}` },
        {
          type: 'mrkdwn',
          text: `*Environment*\n${escapeMrkdwn(summary.environment)}${summary.production ? ' (production)' : ''}`,
        },
        {
          type: 'mrkdwn',
          text: `*Version*\n${escapeMrkdwn(summary.version)}${summary.rollbackVersion === null ? '' : ` (on failure back to ${escapeMrkdwn(summary.rollbackVersion)})`}`,
        },
        {
          type: 'mrkdwn',
          text: `*Schedule*\n${summary.schedule === null ? 'as soon as approved' : summary.schedule.toISOString()}`,
        },
        { type: 'mrkdwn', text: `*Approvals*\n${clip(approvals, 1900)}` },
        {
          type: 'mrkdwn',
          text: `*Plan*\nv${summary.seq} by ${escapeMrkdwn(summary.author)}, digest \`${summary.digest.slice(0, 12)}\``,
        },
      ],
    },
    hosts.block,
    ...(view.preflight === undefined ? [] : [view.preflight]),
  ];
  const waiting = !view.stale && view.state === 'planned';
  // What comes after the commands: the buttons (while waiting) and the approvers line.
  const after = (waiting ? 1 : 0) + 1;
  const commands = planCommandBlocks(summary, BLOCK_KIT_LIMITS.blocks - blocks.length - after, {
    githubUrl: view.githubUrl,
    url: view.url,
  });
  blocks.push(...commands.blocks);
  if (waiting) {
    const value = approvalValue(view.workOrderId, summary.digest);
    const reject: SlackButton = {
      type: 'button',
      action_id: REJECT_ACTION,
      text: { type: 'plain_text', text: 'Reject' },
      style: 'danger',
      value,
    };
    const approve: SlackButton = {
      type: 'button',
      action_id: APPROVE_ACTION,
      text: { type: 'plain_text', text: 'Approve' },
      style: 'primary',
      value,
    };
    // Approving here is offered only when this message shows everything that will run.
    const elements = commands.complete && hosts.complete ? [approve, reject] : [reject];
    blocks.push({ type: 'actions', block_id: `yardmaster_approval_${view.workOrderId}`, elements });
  }
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `Approvers: ${escapeMrkdwn(summary.approvals.from.join(', ') || '(none configured)')}; the plan's author never counts.`,
      },
    ],
  });
  return blocks;
}
