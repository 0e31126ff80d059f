/**
 * The labels kept in step with the order's state: `deploying`, `deployed`, `failed`, `rolled-back`. What each label
 * should be is kept per order (the issue's labels are read once first); a queued write sets the ones that differ
 * from what was last sent, one request per turn (removals first, then one request adding the rest), so a label added
 * and removed again before its turn costs nothing.
 */
import { z } from 'zod';
import { httpStatusOf } from './octokit-slice.ts';
import type { ReportContext } from './report-context.ts';
import type { OrderReport, ReportTarget } from './report-state.ts';
import { NOTE, type QueuedWrite } from './write-queue.ts';

export const STATE_LABELS = {
  deploying: 'deploying',
  deployed: 'deployed',
  failed: 'failed',
  rolledBack: 'rolled-back',
} as const;

function changes(report: OrderReport): { add: string[]; remove: string[] } {
  const add: string[] = [];
  const remove: string[] = [];
  for (const [name, wanted] of report.labels.wanted) {
    if (report.labels.sent.get(name) === wanted) continue;
    (wanted ? add : remove).push(name);
  }
  return { add, remove };
}

const labelsSchema = z.array(z.object({ name: z.string() }));

/** Reads the issue's labels once, so that labels it does not have are not removed (each removal is a write). */
async function readLabels(ctx: ReportContext, t: ReportTarget, report: OrderReport): Promise<void> {
  if (report.labels.read) return;
  report.labels.read = true;
  const answer = await ctx.call('labels read', () =>
    t.github.rest.issues.listLabelsOnIssue({
      owner: t.owner,
      repo: t.repo,
      issue_number: t.order.number,
      per_page: 100,
    }),
  );
  const parsed = labelsSchema.safeParse(answer?.data);
  if (!parsed.success) return;
  const present = new Set(parsed.data.map((label) => label.name));
  for (const name of Object.values(STATE_LABELS))
    if (!report.labels.sent.has(name)) report.labels.sent.set(name, present.has(name));
}

/** One request: the first label to remove, else the ones to add; queued again while more is left. */
async function sendLabels(ctx: ReportContext, t: ReportTarget, report: OrderReport, again: () => void): Promise<void> {
  await readLabels(ctx, t, report);
  const { add, remove } = changes(report);
  const issue = { owner: t.owner, repo: t.repo, issue_number: t.order.number };
  const name = remove[0];
  if (name !== undefined) {
    try {
      await t.github.rest.issues.removeLabel({ ...issue, name });
    } catch (error) {
      if (httpStatusOf(error) !== 404) ctx.log.warn({ err: error, label: name }, 'removing a label failed');
    }
    report.labels.sent.set(name, false);
  } else if (add.length > 0) {
    const added = await ctx.call('labels', () => t.github.rest.issues.addLabels({ ...issue, labels: add }));
    for (const label of add) report.labels.sent.set(label, added !== undefined);
  }
  const left = changes(report);
  if (left.add.length + left.remove.length > 0) again();
}

/** Wants `add` on the order's issue and `remove` off it, and queues the change. */
export function queueLabels(
  ctx: ReportContext,
  t: ReportTarget,
  report: OrderReport,
  add: readonly string[],
  remove: readonly string[],
): void {
  for (const name of remove) report.labels.wanted.set(name, false);
  for (const name of add) report.labels.wanted.set(name, true);
  const queue = ctx.queues.forInstallation(t.order.installationId);
  const notBefore = Date.now() + ctx.noteDelayMs;
  const write: QueuedWrite = {
    key: `labels:${report.workOrderId}`,
    urgency: () => {
      const { add: adding, remove: removing } = changes(report);
      return adding.length + removing.length === 0 ? undefined : { priority: NOTE, notBefore };
    },
    write: () =>
      sendLabels(ctx, t, report, () => {
        queue.add(write);
      }).catch((error: unknown) => {
        ctx.log.warn({ err: error }, 'labels not reported');
      }),
  };
  queue.add(write);
}
