/**
 * The labels kept in step with the order's state: `deploying`, `deployed`, `failed`, `rolled-back`. What each label
 * should be is kept per order; one queued write sets the ones that differ from what was last sent (removals first,
 * then one request adding the rest), so a label added and removed again before its turn costs nothing.
 */
import { httpStatusOf } from './octokit-slice.ts';
import type { ReportContext } from './report-context.ts';
import type { OrderReport, ReportTarget } from './report-state.ts';
import { STATE, type QueuedWrite } from './write-queue.ts';

export const STATE_LABELS = { deploying: 'deploying', deployed: 'deployed', failed: 'failed', rolledBack: 'rolled-back' } as const;

function changes(report: OrderReport): { add: string[]; remove: string[] } {
  const add: string[] = [];
  const remove: string[] = [];
  for (const [name, wanted] of report.labels.wanted) {
    if (report.labels.sent.get(name) === wanted) continue;
    (wanted ? add : remove).push(name);
  }
  return { add, remove };
}

async function sendLabels(ctx: ReportContext, t: ReportTarget, report: OrderReport): Promise<void> {
  const { add, remove } = changes(report);
  const issue = { owner: t.owner, repo: t.repo, issue_number: t.order.number };
  for (const name of remove) {
    try {
      await t.github.rest.issues.removeLabel({ ...issue, name });
    } catch (error) {
      if (httpStatusOf(error) !== 404) ctx.log.warn({ err: error, label: name }, 'removing a label failed');
    }
    report.labels.sent.set(name, false);
  }
  if (add.length === 0) return;
  const added = await ctx.call('labels', () => t.github.rest.issues.addLabels({ ...issue, labels: add }));
  if (added !== undefined) for (const name of add) report.labels.sent.set(name, true);
}

/** Wants `add` on the order's issue and `remove` off it, and queues the change. */
export function queueLabels(ctx: ReportContext, t: ReportTarget, report: OrderReport, add: readonly string[], remove: readonly string[]): void {
  for (const name of remove) report.labels.wanted.set(name, false);
  for (const name of add) report.labels.wanted.set(name, true);
  const write: QueuedWrite = {
    key: `labels:${report.workOrderId}`,
    urgency: () => {
      const { add: adding, remove: removing } = changes(report);
      return adding.length + removing.length === 0 ? undefined : { priority: STATE };
    },
    write: () => sendLabels(ctx, t, report).catch((error: unknown) => ctx.log.warn({ err: error }, 'labels not reported')),
  };
  ctx.queues.forInstallation(t.order.installationId).add(write);
}
