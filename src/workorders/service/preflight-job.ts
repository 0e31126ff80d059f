/**
 * `preflight.run`: whether a pre-flight job still applies and what it runs against (the order's current plan, its
 * hosts resolved against the repo config as it is now, within the operator's policy), and storing its result. The
 * worker (src/dispatch/preflight-job.ts) runs the engine's read-only check in between.
 */
import type { PreflightReport } from '../../deploy/index.ts';
import { getWorkOrder } from './order-store.ts';
import { prepareRun, type PreparedRun, type RunSources } from './prepare-run.ts';
import { preflightOf, recordPreflightResult, type PreflightView } from './preflight-store.ts';
import type { PreflightJobData } from './release-jobs.ts';
import { OPEN_FOR_PLANS } from './store-plan-version.ts';

export type PreflightJobCheck =
  /** Another attempt (or a finished one) owns the row: nothing to do or report. */
  | { kind: 'skip' }
  /** It cannot run (the order moved on, the plan was replaced, the config no longer fits): stored as failed. */
  | { kind: 'done'; view: PreflightView | undefined }
  | { kind: 'run'; prepared: PreparedRun };

/** Decides whether the job runs (see {@link PreflightJobCheck}). */
export async function checkPreflightJob(ctx: RunSources, data: PreflightJobData): Promise<PreflightJobCheck> {
  const row = await preflightOf(ctx.db, data.workOrderId, data.digest);
  if (row?.attempt !== data.attempt || row.status !== 'pending') return { kind: 'skip' };
  const fail = async (message: string): Promise<PreflightJobCheck> => ({
    kind: 'done',
    view: await recordPreflightResult(ctx.db, { ...data, report: { message } }),
  });
  const order = await getWorkOrder(ctx.db, data.workOrderId);
  if (order === undefined) return { kind: 'skip' };
  // A running release checks its hosts itself, under its host locks; a finished order has nothing left to check.
  if (!OPEN_FOR_PLANS.has(order.state)) return fail(`not run: work order #${order.number} is ${order.state}`);
  const prepared = await prepareRun(ctx, order, { settings: 'current' });
  if (!prepared.ok) return fail(`not run: ${prepared.message}`);
  if (prepared.run.version.digest !== data.digest) return fail('not run: a newer plan version replaced this one');
  return { kind: 'run', prepared: prepared.run };
}

/** Stores what the engine found; undefined when a newer attempt was requested meanwhile. */
export async function finishPreflight(
  ctx: Pick<RunSources, 'db'>,
  data: PreflightJobData,
  report: PreflightReport,
): Promise<PreflightView | undefined> {
  return recordPreflightResult(ctx.db, { ...data, report });
}
