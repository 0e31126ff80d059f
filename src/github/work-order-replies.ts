/** The bot's words on work orders: plan summaries, refusals, acknowledgements. */
import type { PlanSummary, StatusSummary } from '../workorders/service/index.ts';
import { codeBlock, inlineCode } from './markdown.ts';

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** A stored plan: what it deploys, hosts per batch, stages, and whose approvals it still needs. */
export function planSummaryMarkdown(summary: PlanSummary, message: string): string {
  const lines = [
    `**Plan v${summary.seq} checked:** ${inlineCode(summary.app)} ${inlineCode(summary.version)} to ${inlineCode(summary.environment)}` +
      `${summary.production ? ' (production)' : ''}, by @${summary.author}.`,
    '',
    `- **Package:** ${inlineCode(summary.package.url)} (sha256 ${inlineCode(summary.package.sha256.slice(0, 12))}…)`,
    `- **Batches:** ${summary.batches.map((batch, index) => `${index + 1}: ${batch.map(inlineCode).join(', ')}`).join('; ')}`,
    `- **Stages:** ${summary.stages
      .map((stage) => (stage.check !== undefined ? `${stage.stage} (${stage.check})` : stage.commands.length > 0 ? `${stage.stage} (${plural(stage.commands.length, 'command')})` : stage.stage))
      .join(' → ')}`,
    `- **Approvals:** ${summary.approvals.needed} needed from ${summary.approvals.from.map(inlineCode).join(', ') || 'nobody'}; ` +
      `@${summary.approvals.excluding} wrote the plan and does not count.`,
    `- **Digest:** ${inlineCode(summary.digest.slice(0, 12))}${summary.commitSha === null ? '' : ` at ${inlineCode(summary.commitSha.slice(0, 7))}`}`,
  ];
  if (summary.schedule !== null) lines.push(`- **Not before:** ${summary.schedule.toISOString()}`);
  if (summary.freeze.length > 0) lines.push(`- **Freeze windows:** ${summary.freeze.map(inlineCode).join(', ')}`);
  lines.push('', message);
  return lines.join('\n');
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
    lines.push(`- Release ${inlineCode(status.release.version)}: ${status.release.status}${status.release.failedHost === null ? '' : `, failed host ${inlineCode(status.release.failedHost)}`}`);
  }
  return lines.join('\n');
}

/** Problems found in the config or a form, quoted inert. */
export function quotedProblems(text: string): string {
  return codeBlock(text);
}
