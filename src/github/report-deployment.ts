/**
 * The release's GitHub Deployment for the plan's environment: the one made at approval (status queued), else one made
 * here (then queued first), going in_progress when the release starts and success | failure when it ends. Each turn
 * in the write queue sends one request (making it, queued, in progress: PROGRESS); the final status is STATE, after
 * the stages' check runs that completed just before it.
 */
import { z } from 'zod';
import { deploymentParams, deploymentStatusParams } from './deployment-params.ts';
import { orderUrl } from '../lib/order-url.ts';
import type { ReportContext } from './report-context.ts';
import type { DeploymentState, ReleaseReport, ReportTarget } from './report-state.ts';
import { PROGRESS, STATE, type QueuedWrite, type Urgency } from './write-queue.ts';

const idSchema = z.object({ id: z.number() });

function deploymentUrgency(release: ReleaseReport): Urgency | undefined {
  const { deployment } = release;
  const wanted = deployment.wanted;
  if (deployment.id === undefined && (deployment.create === undefined || release.sha === undefined)) return undefined;
  if (
    deployment.id !== undefined &&
    deployment.queuedSent &&
    (wanted === undefined || wanted.state === deployment.sent)
  )
    return undefined;
  const final =
    deployment.id !== undefined && deployment.queuedSent && wanted !== undefined && wanted.state !== 'in_progress';
  return { priority: final ? STATE : PROGRESS };
}

async function postStatus(
  ctx: ReportContext,
  t: ReportTarget,
  release: ReleaseReport,
  state: DeploymentState | 'queued',
  description: string,
): Promise<boolean> {
  const deploymentId = release.deployment.id;
  if (deploymentId === undefined) return false;
  const target = {
    owner: t.owner,
    repo: t.repo,
    deploymentId,
    environment: release.environment,
    logUrl: orderUrl(ctx.publicUrl, release.workOrderId),
  };
  const posted = await ctx.call(`deployment status ${state}`, () =>
    t.github.rest.repos.createDeploymentStatus(deploymentStatusParams(target, state, description)),
  );
  return posted !== undefined;
}

async function createDeployment(
  ctx: ReportContext,
  t: ReportTarget,
  release: ReleaseReport,
  production: boolean,
  sha: string,
): Promise<void> {
  const facts = {
    owner: t.owner,
    repo: t.repo,
    sha,
    app: release.app,
    environment: release.environment,
    version: release.version,
    production,
    workOrderId: release.workOrderId,
    releaseId: release.releaseId,
  };
  const created = await ctx.call('deployment', () => t.github.rest.repos.createDeployment(deploymentParams(facts)));
  const parsed = idSchema.safeParse(created?.data);
  if (!parsed.success) return;
  release.deployment.id = parsed.data.id;
  release.deployment.create = undefined;
  release.deployment.queuedSent = false;
  await ctx.store.remember(release.workOrderId, release.releaseId, 'deployment', release.environment, parsed.data.id);
}

/** One request: makes the Deployment, or says queued, or posts the status wanted; queued again for the next. */
async function sendDeployment(
  ctx: ReportContext,
  t: ReportTarget,
  release: ReleaseReport,
  again: () => void,
): Promise<void> {
  const { deployment } = release;
  if (deployment.id === undefined) {
    if (deployment.create !== undefined && release.sha !== undefined)
      await createDeployment(ctx, t, release, deployment.create.production, release.sha);
  } else if (!deployment.queuedSent) {
    deployment.queuedSent = true;
    await postStatus(ctx, t, release, 'queued', `${release.version} queued`);
  } else {
    const wanted = deployment.wanted;
    if (
      wanted !== undefined &&
      wanted.state !== deployment.sent &&
      (await postStatus(ctx, t, release, wanted.state, wanted.description))
    )
      deployment.sent = wanted.state;
  }
  if (deploymentUrgency(release) !== undefined) again();
}

/** Sets what the Deployment should say and queues it. */
export function queueDeploymentState(
  ctx: ReportContext,
  t: ReportTarget,
  release: ReleaseReport,
  state: DeploymentState,
  description: string,
): void {
  release.deployment.wanted = { state, description };
  const queue = ctx.queues.forInstallation(t.order.installationId);
  const write: QueuedWrite = {
    key: `deployment:${release.workOrderId}:${release.releaseId}`,
    urgency: () => deploymentUrgency(release),
    write: () =>
      sendDeployment(ctx, t, release, () => {
        queue.add(write);
      }).catch((error: unknown) => {
        ctx.log.warn({ err: error }, 'deployment not reported');
      }),
  };
  queue.add(write);
}
