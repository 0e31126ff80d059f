/**
 * `preflight.run`: the work-order service decides whether the job still applies and what it checks (the order's
 * current plan, its hosts as the config resolves them now, within the policy); this runs the engine's read-only check
 * on the hosts, through the repository's policy-guarded connect, and stores and reports the result.
 */
import { preflightEnvironment } from '../deploy/index.ts';
import { packageAccess } from '../policy/index.ts';
import { checkPreflightJob, finishPreflight, type PreflightJobData } from '../workorders/service/index.ts';
import type { WorkerContext } from './worker-context.ts';

/** Handles one `preflight.run` job; a `preflight` event carries the stored result (none for a superseded run). */
export async function handlePreflightJob(
  ctx: WorkerContext,
  job: { data: PreflightJobData; signal?: AbortSignal },
): Promise<void> {
  const { data } = job;
  const check = await checkPreflightJob(ctx, data);
  if (check.kind === 'skip') return;
  if (check.kind === 'done') {
    if (check.view !== undefined) ctx.emit({ type: 'preflight', workOrderId: data.workOrderId, preflight: check.view });
    return;
  }
  const { prepared } = check;
  const repo = prepared.order.repoFullName;
  const report = await preflightEnvironment(
    {
      plan: prepared.plan,
      app: prepared.app,
      environment: prepared.environment,
      hosts: prepared.hosts,
      signal: job.signal ?? new AbortController().signal,
    },
    {
      connect: ctx.connectFor(repo),
      artifactsDir: ctx.artifactsDir,
      cacheDir: ctx.cacheDir,
      packageAccess: packageAccess(ctx.policy.forRepo(repo)),
    },
  );
  const view = await finishPreflight(ctx, data, report);
  if (view !== undefined) ctx.emit({ type: 'preflight', workOrderId: data.workOrderId, preflight: view });
}
