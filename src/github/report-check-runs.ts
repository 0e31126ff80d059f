/**
 * Each stage is a check run on the order's commit, `yardmaster / <stage>`, made when its stage starts (in progress,
 * with the Abort and Rollback buttons) rather than all nine at the release's start: within GitHub's write budget
 * (about one write per second per installation) nine creations up front took nine seconds, and a short release
 * ended before any stage showed running. A stage's check run completes as soon as every host of the release has
 * ended the stage; stages that never started get theirs, completed, when the release ends. A check run waits
 * (is not made) while its stage has run on some hosts and waits for the next batch: its state then changes only
 * when the next batch reaches it, which is one write instead of two.
 *
 * A stage that has run `liveAfterMs` is shown running (LIVE); a stage over sooner is shown completed, as a write
 * would have come too late. Once shown running, the table of hosts and their output lines are refreshed (REFRESH, at
 * most once per check run and interval) until the stage ends (STATE).
 */
import { STAGES, type StageName } from '../deploy/types.ts';
import { stageOutput } from './check-run-output.ts';
import { checkRunExternalId } from './handle-check-run-action.ts';
import type { CheckRunFields } from './octokit-slice.ts';
import { orderUrl } from '../lib/order-url.ts';
import type { ReportContext } from './report-context.ts';
import { stageSettled, type ReleaseReport, type ReportTarget, type Sent, type StageReport } from './report-state.ts';
import { LIVE, REFRESH, STATE, type QueuedWrite, type Urgency } from './write-queue.ts';
import { z } from 'zod';

// GitHub: label at most 20 characters, description at most 40.
export const ROLLBACK_ACTION = {
  label: 'Rollback',
  description: 'Roll hosts back to the release before',
  identifier: 'rollback',
};
const RUNNING_ACTIONS = [
  { label: 'Abort', description: 'Stop; switched hosts roll back', identifier: 'abort' },
  ROLLBACK_ACTION,
];

const idSchema = z.object({ id: z.number() });

type Conclusion = NonNullable<CheckRunFields['conclusion']>;

function conclusionOf(release: ReleaseReport, stage: StageReport): Conclusion {
  const reported = [...stage.hosts.entries()];
  if (reported.some(([, host]) => host.result === 'failed')) return 'failure';
  const status = release.result?.status;
  const outcomes = new Map((release.result?.hosts ?? []).map((host) => [host.host, host.outcome]));
  const everyHost = outcomes.size === 0 ? reported.length : outcomes.size;
  const settled = reported.filter(([, host]) => host.result === 'ok' || host.result === 'skipped');
  // Hosts where the version was live already skip their stages: a stage no host needed is skipped.
  const needed = settled.filter(([name]) => outcomes.get(name) !== 'unchanged');
  if (settled.length < everyHost)
    return status === 'succeeded' ? (needed.length === 0 ? 'skipped' : 'success') : 'cancelled';
  return needed.length === 0 ? 'skipped' : 'success';
}

function failureNote(release: ReleaseReport, stage: StageName): string | undefined {
  const failed = release.result?.failedHost;
  if (failed?.stage !== stage) return undefined;
  const exit = failed.exitCode === null ? '' : ` (exit ${failed.exitCode})`;
  return `**${failed.host}** failed here${exit}: ${failed.message}`;
}

/** Ends with the stage on every host, or with the release ('done' only with the release: it keeps Rollback). */
function completes(release: ReleaseReport, stage: StageReport): boolean {
  return release.finished || (stage.stage !== 'done' && stageSettled(release, stage));
}

/** The check run as it should look now; `undefined` while its stage has not started. */
export function stageView(release: ReleaseReport, stage: StageReport): CheckRunFields | undefined {
  if (!release.finished && stage.hosts.size === 0) return undefined;
  if (!completes(release, stage))
    return { status: 'in_progress', actions: RUNNING_ACTIONS, output: stageOutput(stage.stage, stage.hosts) };
  // A released order can still be rolled back: the last stage's check run keeps the button.
  const actions = stage.stage === 'done' && release.result?.status === 'succeeded' ? [ROLLBACK_ACTION] : [];
  return {
    status: 'completed',
    conclusion: conclusionOf(release, stage),
    actions,
    output: stageOutput(stage.stage, stage.hosts, failureNote(release, stage.stage)),
  };
}

function signature(view: CheckRunFields): Omit<Sent, 'at'> {
  return { full: JSON.stringify(view), running: view.status === 'in_progress' };
}

/** How urgent the stage's check run is (see the top of this file). */
export function stageUrgency(
  release: ReleaseReport,
  stage: StageReport,
  ctx: Pick<ReportContext, 'refreshIntervalMs' | 'liveAfterMs'>,
): Urgency | undefined {
  const view = stageView(release, stage);
  if (view === undefined) return undefined;
  if (stage.checkRunId === undefined && release.sha === undefined) return undefined;
  const now = signature(view);
  const sent = stage.sent;
  if (sent?.full === now.full) return undefined;
  if (view.status === 'completed') return { priority: STATE };
  const shownRunning = sent?.running === true;
  if (stage.active.size > 0 && !shownRunning)
    return { priority: LIVE, notBefore: (stage.activeSince ?? 0) + ctx.liveAfterMs };
  // Ran on some hosts, waits for the next batch: made or changed when that batch gets here.
  if (stage.checkRunId === undefined) return undefined;
  return { priority: REFRESH, notBefore: (sent?.at ?? 0) + ctx.refreshIntervalMs };
}

async function sendStage(
  ctx: ReportContext,
  t: ReportTarget,
  release: ReleaseReport,
  stage: StageReport,
): Promise<void> {
  const view = stageView(release, stage);
  if (view === undefined) return;
  const sent = { ...signature(view), at: Date.now() };
  const fields: CheckRunFields =
    view.status === 'completed' ? { ...view, completed_at: new Date().toISOString() } : view;
  const repo = { owner: t.owner, repo: t.repo };
  if (stage.checkRunId !== undefined) {
    const id = stage.checkRunId;
    const done = await ctx.call(`check run ${stage.stage} update`, () =>
      t.github.rest.checks.update({ ...repo, check_run_id: id, ...fields }),
    );
    if (done !== undefined) stage.sent = sent;
    return;
  }
  const sha = release.sha;
  if (sha === undefined) return;
  const base = {
    ...repo,
    head_sha: sha,
    name: `yardmaster / ${stage.stage}`,
    external_id: checkRunExternalId(release.workOrderId),
    details_url: orderUrl(ctx.publicUrl, release.workOrderId),
  };
  const created = await ctx.call(`check run ${stage.stage}`, () => t.github.rest.checks.create({ ...base, ...fields }));
  const parsed = idSchema.safeParse(created?.data);
  if (!parsed.success) return;
  stage.checkRunId = parsed.data.id;
  stage.sent = sent;
  await ctx.store.remember(release.workOrderId, release.releaseId, 'check_run', stage.stage, parsed.data.id);
}

function stageWrite(ctx: ReportContext, t: ReportTarget, release: ReleaseReport, stage: StageReport): QueuedWrite {
  return {
    key: `check-run:${release.workOrderId}:${release.releaseId}:${stage.stage}`,
    urgency: () => stageUrgency(release, stage, ctx),
    write: () =>
      sendStage(ctx, t, release, stage).catch((error: unknown) => {
        ctx.log.warn({ err: error, stage: stage.stage }, 'check run not reported');
      }),
  };
}

/** Queues the stage's check run (its state when its turn comes). */
export function queueStage(ctx: ReportContext, t: ReportTarget, release: ReleaseReport, stage: StageReport): void {
  ctx.queues.forInstallation(t.order.installationId).add(stageWrite(ctx, t, release, stage));
}

/** Queues every stage's check run (the release ended: each completes, made now if its stage never started). */
export function queueAllStages(ctx: ReportContext, t: ReportTarget, release: ReleaseReport): void {
  for (const name of STAGES) {
    const stage = release.stages.get(name);
    if (stage !== undefined) queueStage(ctx, t, release, stage);
  }
}
