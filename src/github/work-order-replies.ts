/** The bot's words on work orders: plan summaries, refusals, acknowledgements. */
import { describeStrategy } from '../plan/index.ts';
import type { PlanSummary, StatusSummary, SummaryHost } from '../workorders/service/index.ts';
import { codeBlock, inlineCode } from './markdown.ts';
import { planCommandsMarkdown } from './plan-commands-markdown.ts';

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** GitHub refuses comments longer than this. */
export const GITHUB_COMMENT_LIMIT = 65_536;

function hostText(host: SummaryHost): string {
  return `${inlineCode(host.name)} (${inlineCode(host.port === 22 ? host.address : `${host.address} port ${host.port}`)})`;
}

function stageList(summary: PlanSummary): string {
  return summary.stages
    .map((stage) => {
      if (stage.http !== undefined) return `${stage.stage} (HTTP probe)`;
      if (stage.check !== undefined) return `${stage.stage} (command probe)`;
      return stage.commands.length > 0 ? `${stage.stage} (${plural(stage.commands.length, 'command')})` : stage.stage;
    })
    .join(' → ');
}

/**
 * A stored plan: what it deploys (package URL and full sha256), where (hosts per batch with addresses, strategy),
 * every command of every stage verbatim, and whose approvals it still needs. When the commands would make the reply
 * longer than GitHub takes, the reply says so and points to the plan comment and the order page instead.
 */
export function planSummaryMarkdown(summary: PlanSummary, message: string, orderPage: string): string {
  const head = [
    `**Plan v${summary.seq} checked:** ${inlineCode(summary.app)} ${inlineCode(summary.version)} to ${inlineCode(summary.environment)}` +
      `${summary.production ? ' (production)' : ''}, by @${summary.author}.`,
    '',
    `- **Package:** ${inlineCode(summary.package.url)}`,
    `- **sha256:** ${inlineCode(summary.package.sha256)}`,
    `- **Strategy:** ${describeStrategy(summary.strategy)}`,
    `- **Batches:** ${summary.batchHosts.map((batch, index) => `${index + 1}: ${batch.map(hostText).join(', ')}`).join('; ')}`,
    `- **Stages:** ${stageList(summary)}`,
  ];
  if (summary.rollbackVersion !== null) head.push(`- **On failure, back to:** ${inlineCode(summary.rollbackVersion)}`);
  head.push(
    `- **Approvals:** ${summary.approvals.needed} needed from ${summary.approvals.from.map(inlineCode).join(', ') || 'nobody'}; ` +
      `@${summary.approvals.excluding} wrote the plan and does not count.`,
    `- **Digest:** ${inlineCode(summary.digest.slice(0, 12))}${summary.commitSha === null ? '' : ` at ${inlineCode(summary.commitSha.slice(0, 7))}`}`,
  );
  if (summary.schedule !== null) head.push(`- **Not before:** ${summary.schedule.toISOString()}`);
  if (summary.freeze.length > 0) head.push(`- **Freeze windows:** ${summary.freeze.map(inlineCode).join(', ')}`);
  const full = [...head, '', planCommandsMarkdown(summary), '', message].join('\n');
  if (full.length <= GITHUB_COMMENT_LIMIT) return full;
  const tooLong =
    `⚠️ **The commands are too long for this reply** (${full.length} characters, GitHub takes ${GITHUB_COMMENT_LIMIT}): read them in the plan ` +
    `comment above, which holds exactly the plan that runs, or on the [order page](${orderPage}), before approving.`;
  return [...head, '', tooLong, '', message].join('\n');
}

/** A refusal addressed to who asked. */
export function refusalReply(actor: string, what: string, message: string): string {
  return `@${actor} ${what} was refused: ${message}`;
}

/** An accepted command's answer. */
export function acceptedReply(actor: string, message: string): string {
  return `@${actor} ${message}`;
}

/** `/status` in full. */
export function statusReply(status: StatusSummary): string {
  const lines = [`**Work order #${status.order.number}: ${status.order.state}**`, '', status.message];
  if (status.approvals !== null) lines.push(`- Approvals: ${status.approvals.text}`);
  if (status.release !== null) {
    lines.push(
      `- Release ${inlineCode(status.release.version)}: ${status.release.status}${status.release.failedHost === null ? '' : `, failed host ${inlineCode(status.release.failedHost)}`}`,
    );
  }
  return lines.join('\n');
}

/** Problems found in the config or a form, quoted inert. */
export function quotedProblems(text: string): string {
  return codeBlock(text);
}
