/**
 * A `/rollback` gets a check run of its own on the order's commit, `yardmaster / rollback`: in progress with the
 * hosts going back, then completed with a row per host.
 */
import { z } from 'zod';
import { rollbackOutput } from './check-run-output.ts';
import { checkRunExternalId } from './handle-check-run-action.ts';
import type { CheckRunFields } from './octokit-slice.ts';
import { orderUrl } from '../lib/order-url.ts';
import type { ReportContext } from './report-context.ts';
import type { ReportTarget, RollbackReport } from './report-state.ts';
import { LIVE, STATE, type QueuedWrite } from './write-queue.ts';

const idSchema = z.object({ id: z.number() });

function rollbackView(rollback: RollbackReport): CheckRunFields {
  const finished = rollback.finished;
  if (finished === undefined) return { status: 'in_progress', output: rollbackOutput(rollback.to, rollback.hosts) };
  return {
    status: 'completed',
    conclusion: finished.ok ? 'success' : 'failure',
    output: rollbackOutput(rollback.to, [], finished.hosts),
  };
}

async function sendRollback(
  ctx: ReportContext,
  t: ReportTarget,
  workOrderId: number,
  sha: string,
  rollback: RollbackReport,
): Promise<void> {
  const view = rollbackView(rollback);
  const full = JSON.stringify(view);
  const fields: CheckRunFields =
    view.status === 'completed' ? { ...view, completed_at: new Date().toISOString() } : view;
  const repo = { owner: t.owner, repo: t.repo };
  const id = rollback.checkRunId;
  if (id !== undefined) {
    if (
      (await ctx.call('check run rollback update', () =>
        t.github.rest.checks.update({ ...repo, check_run_id: id, ...fields }),
      )) !== undefined
    )
      rollback.sent = full;
    return;
  }
  const base = {
    ...repo,
    head_sha: sha,
    name: 'yardmaster / rollback',
    external_id: checkRunExternalId(workOrderId),
    details_url: orderUrl(ctx.publicUrl, workOrderId),
  };
  const parsed = idSchema.safeParse(
    (await ctx.call('check run rollback', () => t.github.rest.checks.create({ ...base, ...fields })))?.data,
  );
  if (!parsed.success) return;
  rollback.checkRunId = parsed.data.id;
  rollback.sent = full;
}

/** Queues the rollback's check run (its state when its turn comes). */
export function queueRollback(
  ctx: ReportContext,
  t: ReportTarget,
  workOrderId: number,
  sha: string,
  rollback: RollbackReport,
): void {
  const write: QueuedWrite = {
    key: `rollback:${workOrderId}`,
    urgency: () => {
      if (rollback.sent === JSON.stringify(rollbackView(rollback))) return undefined;
      return { priority: rollback.finished === undefined ? LIVE : STATE };
    },
    write: () =>
      sendRollback(ctx, t, workOrderId, sha, rollback).catch((error: unknown) => {
        ctx.log.warn({ err: error }, 'rollback check run not reported');
      }),
  };
  ctx.queues.forInstallation(t.order.installationId).add(write);
}
