/**
 * When an approval queues an order's start (planned → approved, or → scheduled for later), its GitHub Deployment is
 * made at once with status `queued`, so GitHub shows it waiting (for its time, a free environment or a worker); the
 * worker that starts the release adopts it (deployment-records.ts). A failure here only means the worker makes the
 * Deployment itself at the start.
 */
import { z } from 'zod';
import type { RepoConfig } from '../config/types.ts';
import type { Db } from '../db/types.ts';
import { currentPlan, getWorkOrder } from '../workorders/service/index.ts';
import type { Moved } from '../workorders/service/types.ts';
import { deploymentParams, deploymentStatusParams } from './deployment-params.ts';
import { dropQueuedDeployment, recordQueuedDeployment, reserveQueuedDeployment } from './deployment-records.ts';
import { defaultBranchHead } from './handle-issues.ts';
import { splitRepo, type OctokitSlice } from './octokit-slice.ts';
import { orderUrl } from '../lib/order-url.ts';
import type { Session } from './session.ts';

const idSchema = z.object({ id: z.number() });

/** Whether `moved` queued the order's first start (a retry goes on with the release's own Deployment). */
function queuesStart(moved: readonly Moved[]): Moved | undefined {
  return moved.find((move) => move.from === 'planned' && (move.to === 'approved' || move.to === 'scheduled'));
}

/** What announcing needs: the database, a client for the order's installation, and where links point. */
export interface DeploymentAnnouncer {
  db: Db;
  github: OctokitSlice;
  repoFullName: string;
  publicUrl: string;
  log: { warn(fields: object, message: string): void };
  /** The default branch's head, for an order that has no commit of its own yet. */
  defaultHead?: () => Promise<string | undefined>;
}

/** The announcer of a webhook delivery's session. */
export function sessionAnnouncer(session: Session): DeploymentAnnouncer {
  return {
    db: session.deps.service.db,
    github: session.github,
    repoFullName: session.repoFullName,
    publicUrl: session.deps.publicUrl,
    log: session.log,
    defaultHead: () => defaultBranchHead(session),
  };
}

export async function announceQueuedDeployment(
  announcer: DeploymentAnnouncer,
  workOrderId: number,
  moved: readonly Moved[],
  config: RepoConfig,
): Promise<void> {
  const queued = queuesStart(moved);
  if (queued === undefined) return;
  const { db, github, log } = announcer;
  const [order, stored] = await Promise.all([getWorkOrder(db, workOrderId), currentPlan(db, workOrderId)]);
  if (order === undefined || stored === undefined) return;
  const { app, environment, version, schedule } = stored.plan;
  const sha = order.headSha ?? (await announcer.defaultHead?.());
  if (sha === undefined) return;
  const row = await reserveQueuedDeployment(db, order.id, environment);
  if (row === undefined) return;
  const production = config.apps[app]?.environments[environment]?.production ?? environment === 'production';
  const { owner, repo } = splitRepo(announcer.repoFullName);
  let deploymentId: number;
  try {
    const { data } = await github.rest.repos.createDeployment(
      deploymentParams({ owner, repo, sha, app, environment, version, production, workOrderId: order.id }),
    );
    deploymentId = idSchema.parse(data).id;
  } catch (error) {
    await dropQueuedDeployment(db, row);
    log.warn(
      { err: error, workOrderId: order.id },
      'queued deployment not created; the worker creates it at the start',
    );
    return;
  }
  await recordQueuedDeployment(db, row, deploymentId);
  const startAt = schedule ?? order.scheduledAt;
  const description =
    moved.some((move) => move.to === 'scheduled') && startAt !== null
      ? `${version} scheduled for ${startAt.toISOString()}`
      : `${version} approved, waiting for a worker`;
  const logUrl = orderUrl(announcer.publicUrl, order.id);
  try {
    await github.rest.repos.createDeploymentStatus(
      deploymentStatusParams({ owner, repo, deploymentId, environment, logUrl }, 'queued', description),
    );
  } catch (error) {
    log.warn({ err: error, workOrderId: order.id }, 'queued deployment status not posted');
  }
}
