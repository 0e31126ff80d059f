/**
 * Comments on the order's issue: the outcome of a release (with the failed host and what was rolled back), and
 * notes while it waits (its place in line: a newer place replaces one not yet posted), is deferred by a freeze, is
 * resumed after a worker stopped, or needs approval again.
 */
import type { ReleaseResult } from '../deploy/types.ts';
import type { WorkOrder } from '../workorders/service/index.ts';
import { codeBlock, inlineCode } from './markdown.ts';
import { orderUrl } from '../lib/order-url.ts';
import type { ReportContext } from './report-context.ts';
import type { OrderReport, ReportTarget } from './report-state.ts';
import { NOTE, type QueuedWrite } from './write-queue.ts';

function succeededLines(order: WorkOrder, what: string, result: ReleaseResult | undefined): string[] {
  const hosts = result?.hosts.map((host) => host.host) ?? [];
  const on = hosts.length === 0 ? '' : ` on ${hosts.length} host${hosts.length === 1 ? '' : 's'} (${hosts.join(', ')})`;
  const next =
    order.acceptor === null
      ? `Next: the result acceptor confirms with ${inlineCode('/accept')}.`
      : `Next: @${order.acceptor}, the result acceptor this work order names: please check the result and accept it ` +
        `with ${inlineCode('/accept')}.`;
  return [`✅ **${what} succeeded**${on}.`, '', next];
}

/**
 * The comment when a release starts, for an order that names its deployer: they are called to watch it, and may stop
 * it. Orders without one get no comment here (the check runs show the start).
 */
export function startedComment(order: WorkOrder): string | undefined {
  if (order.deployer === null) return undefined;
  return (
    `🚀 **The release started.** @${order.deployer}, the deployer this work order names: ` +
    `${inlineCode('/abort')} stops it and rolls back the hosts it switched.`
  );
}

function exitOf(exitCode: number | null): string {
  return exitCode === null ? '' : ` (exit ${exitCode})`;
}

function failedLines(
  to: 'failed' | 'aborted',
  what: string,
  reason: string,
  result: ReleaseResult | undefined,
): string[] {
  const lines = [
    `${to === 'aborted' ? '🛑' : '❌'} **${what} ${to === 'aborted' ? 'was aborted' : 'failed'}**: ${reason}`,
  ];
  const failed = result?.failedHost;
  if (failed !== undefined) {
    lines.push(
      '',
      `Failed host: **${failed.host}** at stage ${inlineCode(failed.stage)}${exitOf(failed.exitCode)}: ` +
        failed.message,
    );
    if (failed.lastLines.length > 0) lines.push('', codeBlock(failed.lastLines.join('\n')));
  } else if (result?.error !== undefined) {
    lines.push('', result.error);
  }
  const rolledBack = result?.hosts.filter((host) => host.rolledBackTo !== undefined) ?? [];
  if (rolledBack.length > 0) {
    const hosts = rolledBack.map(
      (host) => `${host.host} → ${host.rolledBackTo === null ? '(none)' : inlineCode(host.rolledBackTo ?? '')}`,
    );
    lines.push('', `Rolled back: ${hosts.join(', ')}.`);
  }
  return lines;
}

/** The final comment of a release that succeeded, failed or was aborted. */
export function outcomeComment(
  publicUrl: string,
  order: WorkOrder,
  to: 'succeeded' | 'failed' | 'aborted',
  reason: string,
  result: ReleaseResult | undefined,
): string {
  const what =
    result === undefined ? 'The release' : `Release ${inlineCode(result.version)} to ${inlineCode(result.environment)}`;
  const lines = to === 'succeeded' ? succeededLines(order, what, result) : failedLines(to, what, reason, result);
  lines.push('', `Details: ${orderUrl(publicUrl, order.id)}`);
  return lines.join('\n');
}

/**
 * Queues a comment. `replaces` names a kind of note of which only the newest matters (a waiting order's place in
 * line): a newer one replaces one still queued; other comments are each posted.
 */
export function queueComment(
  ctx: ReportContext,
  t: ReportTarget,
  report: OrderReport,
  body: string,
  replaces?: string,
): void {
  let posted = false;
  const notBefore = Date.now() + ctx.noteDelayMs;
  const write: QueuedWrite = {
    key: `comment:${report.workOrderId}:${replaces ?? String(report.comments++)}`,
    urgency: () => (posted ? undefined : { priority: NOTE, notBefore }),
    write: async () => {
      posted = true;
      await ctx.call('comment', () =>
        t.github.rest.issues.createComment({ owner: t.owner, repo: t.repo, issue_number: t.order.number, body }),
      );
    },
  };
  ctx.queues.forInstallation(t.order.installationId).add(write);
}
