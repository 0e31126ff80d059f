/**
 * Engine events of an order's release → its state (report-state) and the writes they call for: the Deployment in
 * progress at the start, a stage's check run when a host starts or ends the stage or prints a line, every check run
 * and the Deployment's final status at the end.
 */
import type { ReleaseEvent } from '../deploy/types.ts';
import { queueAllStages, queueStage } from './report-check-runs.ts';
import type { ReportContext } from './report-context.ts';
import { queueDeploymentState } from './report-deployment.ts';
import {
  applyStageEvent,
  newReleaseReport,
  type OrderReport,
  type ReleaseReport,
  type ReportTarget,
} from './report-state.ts';
import { commitOf, productionOf, targetOf, type GitHubFor } from './report-target.ts';

type Started = Extract<ReleaseEvent, { type: 'release.started' }>;

/** Ids of a release this order already reported (a resumed release), and the order's commit. */
async function prepareRelease(ctx: ReportContext, t: ReportTarget, release: ReleaseReport): Promise<void> {
  const known = await ctx.store.known(release.workOrderId, release.releaseId);
  for (const [stage, id] of known.checkRuns) {
    const entry = release.stages.get(stage);
    if (entry !== undefined) entry.checkRunId = id;
  }
  release.deployment.id = known.deploymentId;
  release.sha = await commitOf(ctx, t);
}

/**
 * The Deployment made at approval (the server making it may still wait for its turn in the write budget), else
 * one made here. Found beside the order's events, which do not wait for it: the stages' check runs go on meanwhile.
 */
async function findDeployment(ctx: ReportContext, t: ReportTarget, release: ReleaseReport): Promise<void> {
  release.deployment.id = await ctx.store.adoptQueuedDeployment(release.workOrderId, release.releaseId);
  if (release.deployment.id === undefined)
    release.deployment.create = { production: await productionOf(ctx, t, release.app, release.environment) };
}

async function startRelease(
  ctx: ReportContext,
  githubFor: GitHubFor,
  report: OrderReport,
  event: Started,
): Promise<void> {
  const release = newReleaseReport(report.workOrderId, event);
  report.release = release;
  const t = await targetOf(ctx, githubFor, report);
  if (t === undefined) return;
  await prepareRelease(ctx, t, release);
  const description = `releasing ${event.version} to ${event.batches.flat().length} host(s)`;
  queueDeploymentState(ctx, t, release, 'in_progress', description);
  if (release.deployment.id !== undefined || release.sha === undefined) return;
  ctx.beside(`deployment:${release.workOrderId}`, async () => {
    await findDeployment(ctx, t, release);
    const wanted = release.deployment.wanted;
    if (wanted !== undefined) queueDeploymentState(ctx, t, release, wanted.state, wanted.description);
  });
}

async function finishRelease(
  ctx: ReportContext,
  githubFor: GitHubFor,
  report: OrderReport,
  release: ReleaseReport,
  event: Extract<ReleaseEvent, { type: 'release.finished' }>,
): Promise<void> {
  release.finished = true;
  release.result = event.result;
  report.lastResult = event.result;
  const t = await targetOf(ctx, githubFor, report);
  if (t === undefined) return;
  queueAllStages(ctx, t, release);
  const ok = event.result.status === 'succeeded';
  queueDeploymentState(ctx, t, release, ok ? 'success' : 'failure', `${event.result.version}: ${event.result.status}`);
}

export async function onReleaseEvent(
  ctx: ReportContext,
  githubFor: GitHubFor,
  report: OrderReport,
  event: ReleaseEvent,
): Promise<void> {
  if (event.type === 'release.started') return startRelease(ctx, githubFor, report, event);
  const release = report.release;
  if (release?.releaseId !== event.releaseId || release.finished) return;
  if (event.type === 'release.finished') return finishRelease(ctx, githubFor, report, release, event);
  if (event.type !== 'stage.started' && event.type !== 'stage.finished' && event.type !== 'output') return;
  const stage = applyStageEvent(release, event);
  if (stage === undefined) return;
  const t = await targetOf(ctx, githubFor, report);
  if (t !== undefined) queueStage(ctx, t, release, stage);
}
