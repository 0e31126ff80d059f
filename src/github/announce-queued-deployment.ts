/**
 * When an approval queues an order's start (planned → approved, or → scheduled for later), its GitHub Deployment is
 * made at once with status `queued`, so GitHub shows it waiting (for its time, a free environment or a worker); the
 * worker that starts the release adopts it (deployment-records.ts). A failure here only means the worker makes the
 * Deployment itself at the start.
 */
import { z } from 'zod';
import { currentPlan, getWorkOrder, type RepoContext } from '../workorders/service/index.ts';
import type { Moved } from '../workorders/service/types.ts';
import { deploymentParams, deploymentStatusParams } from './deployment-params.ts';
import { dropQueuedDeployment, recordQueuedDeployment, reserveQueuedDeployment } from './deployment-records.ts';
import { defaultBranchHead } from './handle-issues.ts';
import { orderUrl } from './order-url.ts';
import type { Session } from './session.ts';

const idSchema = z.object({ id: z.number() });

/** Whether `moved` queued the order's first start (a retry goes on with the release's own Deployment). */
function queuesStart(moved: readonly Moved[]): Moved | undefined {
  return moved.find((move) => move.from === 'planned' && (move.to === 'approved' || move.to === 'scheduled'));
}

export async function announceQueuedDeployment(session: Session, workOrderId: number, moved: readonly Moved[], context: RepoContext): Promise<void> {
  const queued = queuesStart(moved);
  if (queued === undefined) return;
  const db = session.deps.service.db;
  const [order, stored] = await Promise.all([getWorkOrder(db, workOrderId), currentPlan(db, workOrderId)]);
  if (order === undefined || stored === undefined) return;
  const { app, environment, version, schedule } = stored.plan;
  const sha = order.headSha ?? (await defaultBranchHead(session));
  if (sha === undefined) return;
  const row = await reserveQueuedDeployment(db, order.id, environment);
  if (row === undefined) return;
  const production = context.config.apps[app]?.environments[environment]?.production ?? environment === 'production';
  let deploymentId: number;
  try {
    const { data } = await session.github.rest.repos.createDeployment(
      deploymentParams({ owner: session.owner, repo: session.repo, sha, app, environment, version, production, workOrderId: order.id }),
    );
    deploymentId = idSchema.parse(data).id;
  } catch (error) {
    await dropQueuedDeployment(db, row);
    session.log.warn({ err: error, workOrderId: order.id }, 'queued deployment not created; the worker creates it at the start');
    return;
  }
  await recordQueuedDeployment(db, row, deploymentId);
  const startAt = schedule ?? order.scheduledAt;
  const description = moved.some((move) => move.to === 'scheduled') && startAt !== null ? `${version} scheduled for ${startAt.toISOString()}` : `${version} approved, waiting for a worker`;
  const logUrl = orderUrl(session.deps.publicUrl, order.id);
  try {
    await session.github.rest.repos.createDeploymentStatus(
      deploymentStatusParams({ owner: session.owner, repo: session.repo, deploymentId, environment, logUrl }, 'queued', description),
    );
  } catch (error) {
    session.log.warn({ err: error, workOrderId: order.id }, 'queued deployment status not posted');
  }
}
