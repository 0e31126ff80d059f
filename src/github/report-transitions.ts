/**
 * The worker's transitions of an order → its labels and the final comment; and its notes while waiting, deferred or
 * resumed, and the `/rollback` check run.
 */
import type { WorkerEvent } from '../dispatch/index.ts';
import { codeBlock, inlineCode } from './markdown.ts';
import { outcomeComment, queueComment, startedComment } from './report-comments.ts';
import type { ReportContext } from './report-context.ts';
import { queueLabels, STATE_LABELS } from './report-labels.ts';
import { queueRollback } from './report-rollback.ts';
import type { OrderReport, ReportTarget } from './report-state.ts';
import { commitOf } from './report-target.ts';

type Transition = Extract<WorkerEvent, { type: 'transition' }>;

const { deploying, deployed, failed, rolledBack } = STATE_LABELS;

function onEnded(
  ctx: ReportContext,
  t: ReportTarget,
  report: OrderReport,
  event: Transition & { to: 'failed' | 'aborted' },
): void {
  const result = report.lastResult;
  const rolled =
    event.cause === 'rollback-finished' || (result?.hosts.some((host) => host.rolledBackTo !== undefined) ?? false);
  // An abort is no failure of the release; a rollback (after a failure, an abort or /rollback) is said apart.
  const add = [...(event.to === 'failed' ? [failed] : []), ...(rolled ? [rolledBack] : [])];
  queueLabels(ctx, t, report, add, [deploying, ...(rolled ? [deployed] : [])]);
  const ofRollback = event.cause === 'rollback-finished' || event.cause === 'rollback-failed';
  queueComment(
    ctx,
    t,
    report,
    outcomeComment(ctx.publicUrl, t.order, event.to, event.reason, ofRollback ? undefined : result),
  );
}

export function onTransition(ctx: ReportContext, t: ReportTarget, report: OrderReport, event: Transition): void {
  switch (event.to) {
    case 'running':
      if (event.cause === 'rollback-started') {
        queueLabels(ctx, t, report, [deploying], []);
        return;
      }
      report.lastResult = undefined;
      {
        queueLabels(ctx, t, report, [deploying], [failed, rolledBack, deployed]);
        const started = event.cause === 'started' ? startedComment(t.order) : undefined;
        if (started !== undefined) queueComment(ctx, t, report, started);
        return;
      }
    case 'succeeded':
      queueLabels(ctx, t, report, [deployed], [deploying]);
      {
        queueComment(
          ctx,
          t,
          report,
          outcomeComment(ctx.publicUrl, t.order, 'succeeded', event.reason, report.lastResult),
        );
        return;
      }
    case 'failed':
    case 'aborted': {
      onEnded(ctx, t, report, { ...event, to: event.to });
      return;
    }
    case 'planned': {
      // A worker sends an order back to planned only when the repo config changed after approval: say what changed.
      // The reason quotes config values (commands, env): fenced, so a mention or Markdown in them stays inert.
      const again = `Review the change and approve again (\`/approve <digest>\` binds to that digest).`;
      const body = `**Approval needed again.**\n\n${codeBlock(event.reason)}\n\n${again}`;
      queueComment(ctx, t, report, body);
      return;
    }
    default:
      // `scheduled` by a deferred start: the `deferred` event says it.
      return;
  }
}

type Note = Extract<WorkerEvent, { type: 'waiting' | 'deferred' | 'recovering' }>;

export function onNote(ctx: ReportContext, t: ReportTarget, report: OrderReport, event: Note): void {
  if (event.type === 'waiting') {
    const key = `${event.reason}:${event.position}`;
    if (report.lastWaiting === key) return;
    report.lastWaiting = key;
    queueComment(
      ctx,
      t,
      report,
      `⏸️ Waiting for the environment: ${event.message} (place ${event.position} in line).`,
      'waiting',
    );
    return;
  }
  if (event.type === 'deferred') {
    queueComment(
      ctx,
      t,
      report,
      `❄️ Freeze window ${inlineCode(event.window)}: the start moved to ${event.until.toISOString()}.`,
    );
    return;
  }
  const hosts = event.hosts
    .map((host) => `${host.host} → ${host.to ?? '(none)'}${host.ok ? '' : ` (failed: ${host.message})`}`)
    .join(', ');
  const caught = hosts === '' ? '' : ` Hosts caught mid-release were switched back first: ${hosts}.`;
  queueComment(
    ctx,
    t,
    report,
    `♻️ The worker running release ${inlineCode(event.releaseId)} stopped; another one resumes it.${caught}`,
  );
}

type Rollback = Extract<WorkerEvent, { type: 'rollback-started' | 'rollback-finished' }>;

export async function onRollback(
  ctx: ReportContext,
  t: ReportTarget,
  report: OrderReport,
  event: Rollback,
): Promise<void> {
  if (event.type === 'rollback-started') {
    const sha = await commitOf(ctx, t);
    report.rollback = { to: event.to, hosts: event.hosts, finished: undefined, checkRunId: undefined, sent: undefined };
    if (sha !== undefined) queueRollback(ctx, t, report.workOrderId, sha, report.rollback);
    return;
  }
  const rollback = report.rollback;
  report.rollback = undefined;
  if (rollback === undefined) return;
  rollback.finished = { ok: event.ok, hosts: event.hosts };
  const sha = await commitOf(ctx, t);
  if (sha !== undefined) queueRollback(ctx, t, report.workOrderId, sha, rollback);
}
