/**
 * Worker events → GitHub: a Deployment for the plan's environment with statuses queued → in_progress →
 * success | failure, one check run per stage on the order's commit updated live with a per-host table, a final
 * comment with the outcome and the failed host, and the labels `deploying`, `deployed`, `failed`, `rolled-back`.
 *
 * Events of one order are handled in order (a promise chain per order); check-run updates are coalesced to at most
 * one PATCH per check run per `flushIntervalMs` plus one at the end. GitHub failures are retried a few times and
 * then logged: reporting never throws into the worker.
 */
import { and, eq } from 'drizzle-orm';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { githubReports } from '../db/index.ts';
import type { Database, Db } from '../db/types.ts';
import { STAGES, type ReleaseEvent, type ReleaseResult, type StageName } from '../deploy/types.ts';
import type { WorkerEvent } from '../dispatch/index.ts';
import { getWorkOrder, type WorkOrder } from '../workorders/service/index.ts';
import { rollbackOutput, stageOutput, KEPT_LINES, type HostStage } from './check-run-output.ts';
import { adoptQueuedDeployment } from './deployment-records.ts';
import { deploymentParams, deploymentStatusParams } from './deployment-params.ts';
import { checkRunExternalId } from './handle-check-run-action.ts';
import { orderUrl as orderUrlOf } from '../lib/order-url.ts';
import { codeBlock, inlineCode } from './markdown.ts';
import { httpStatusOf, splitRepo, type CheckRunFields, type OctokitSlice } from './octokit-slice.ts';
import { defaultBranchOf, loadRepoConfig } from './repo-config.ts';

export type { OctokitSlice } from './octokit-slice.ts';

/** The labels kept in step with the order's state. */
export const STATE_LABELS = { deploying: 'deploying', deployed: 'deployed', failed: 'failed', rolledBack: 'rolled-back' } as const;

export interface ReporterLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface GitHubReporterOptions {
  /** A client for an installation: `probot.auth(installationId)` in the server and `yardmaster worker`. */
  githubFor(installationId: number): Promise<OctokitSlice>;
  database: Database | Db;
  /** The deployment's `log_url` and the check runs' `details_url` are `${publicUrl}/orders/<id>`. */
  publicUrl: string;
  log?: ReporterLog;
  /** Least time between two updates of one check run (default 1000 ms). */
  flushIntervalMs?: number;
  /** Attempts per GitHub call (default 3). */
  attempts?: number;
}

/** The reporter: an `onEvent` for `startReleaseWorker`, and `idle()` for tests and shutdown (all handled so far). */
export interface GitHubReporter {
  (event: WorkerEvent): void;
  idle(): Promise<void>;
}

const idSchema = z.object({ id: z.number() });

interface ReleaseReport {
  releaseId: string;
  environment: string;
  deploymentId: number | undefined;
  checkRuns: Map<StageName, number>;
  hosts: Map<StageName, Map<string, HostStage>>;
  /** Hosts in each stage right now: the stage's check run offers Abort and Rollback while it has any. */
  active: Map<StageName, Set<string>>;
  dirty: Set<StageName>;
  lastFlush: Map<StageName, number>;
  timers: Map<StageName, NodeJS.Timeout>;
  finished: boolean;
  result: ReleaseResult | undefined;
}

interface OrderReport {
  chain: Promise<void>;
  /** The order and a client for its installation, read again after TARGET_TTL_MS. */
  target: { value: Target; at: number } | undefined;
  release: ReleaseReport | undefined;
  lastResult: ReleaseResult | undefined;
  lastWaiting: string | undefined;
  /** The check run of a `/rollback` under way. */
  rollback: { checkRunId: number; to: string | undefined } | undefined;
}

interface Target {
  order: WorkOrder;
  github: OctokitSlice;
  owner: string;
  repo: string;
}

const TARGET_TTL_MS = 30_000;

const noopLog: ReporterLog = { info: () => undefined, warn: () => undefined };

// GitHub: label at most 20 characters, description at most 40.
const ROLLBACK_ACTION = { label: 'Rollback', description: 'Roll hosts back to the release before', identifier: 'rollback' };
const ACTIONS = [{ label: 'Abort', description: 'Stop; switched hosts roll back', identifier: 'abort' }, ROLLBACK_ACTION];

function retriable(error: unknown): boolean {
  const status = httpStatusOf(error);
  return status === undefined || status >= 500 || status === 429;
}

/** Creates the reporter (see the top of this file). */
export function createGitHubReporter(options: GitHubReporterOptions): GitHubReporter {
  const db: Db = 'kind' in options.database ? options.database.db : options.database;
  const log = options.log ?? noopLog;
  const interval = options.flushIntervalMs ?? 1_000;
  const attempts = options.attempts ?? 3;
  const orders = new Map<number, OrderReport>();
  const pending = new Set<Promise<void>>();

  async function call<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (attempt >= attempts || !retriable(error)) {
          log.warn({ err: error, what }, 'GitHub report failed');
          return undefined;
        }
        await sleep(200 * 4 ** (attempt - 1));
      }
    }
  }

  function orderReport(workOrderId: number): OrderReport {
    let report = orders.get(workOrderId);
    if (report === undefined) {
      report = { chain: Promise.resolve(), target: undefined, release: undefined, lastResult: undefined, lastWaiting: undefined, rollback: undefined };
      orders.set(workOrderId, report);
    }
    return report;
  }

  function enqueue(workOrderId: number, step: (report: OrderReport) => Promise<void>): void {
    const report = orderReport(workOrderId);
    const next = report.chain.then(() => step(report)).catch((error: unknown) => log.warn({ err: error, workOrderId }, 'reporting a worker event failed'));
    report.chain = next;
    pending.add(next);
    void next.finally(() => pending.delete(next));
  }

  async function target(workOrderId: number): Promise<Target | undefined> {
    const report = orders.get(workOrderId);
    const cached = report?.target;
    if (cached !== undefined && Date.now() - cached.at < TARGET_TTL_MS) return cached.value;
    const order = await getWorkOrder(db, workOrderId);
    if (order === undefined) return undefined;
    const github = await options.githubFor(order.installationId);
    const value = { order, github, ...splitRepo(order.repoFullName) };
    if (report !== undefined) report.target = { value, at: Date.now() };
    return value;
  }

  const orderUrl = (workOrderId: number): string => orderUrlOf(options.publicUrl, workOrderId);

  async function comment(t: Target, body: string): Promise<void> {
    await call('comment', () => t.github.rest.issues.createComment({ owner: t.owner, repo: t.repo, issue_number: t.order.number, body }));
  }

  async function setLabels(t: Target, add: string[], remove: string[]): Promise<void> {
    for (const name of remove) {
      try {
        await t.github.rest.issues.removeLabel({ owner: t.owner, repo: t.repo, issue_number: t.order.number, name });
      } catch (error) {
        if (httpStatusOf(error) !== 404) log.warn({ err: error, label: name }, 'removing a label failed');
      }
    }
    if (add.length > 0) await call('labels', () => t.github.rest.issues.addLabels({ owner: t.owner, repo: t.repo, issue_number: t.order.number, labels: add }));
  }

  async function production(t: Target, app: string, environment: string): Promise<boolean> {
    const config = await call('config', async () => loadRepoConfig(t.github, t.order.repoFullName, await defaultBranchOf(t.github, t.order.repoFullName)));
    const configured = config?.ok === true ? config.config.apps[app]?.environments[environment]?.production : undefined;
    return configured ?? environment === 'production';
  }

  async function commitOf(t: Target): Promise<string | undefined> {
    if (t.order.headSha !== null) return t.order.headSha;
    return call('default branch head', async () => {
      const branch = await defaultBranchOf(t.github, t.order.repoFullName);
      const { data } = await t.github.rest.repos.getBranch({ owner: t.owner, repo: t.repo, branch });
      return z.object({ commit: z.object({ sha: z.string() }) }).parse(data).commit.sha;
    });
  }

  async function remember(workOrderId: number, releaseId: string, kind: 'deployment' | 'check_run', name: string, githubId: number): Promise<void> {
    await db.insert(githubReports).values({ workOrderId, releaseId, kind, name, githubId }).onConflictDoNothing();
  }

  async function deploymentStatus(t: Target, release: ReleaseReport, state: 'queued' | 'in_progress' | 'success' | 'failure', description: string): Promise<void> {
    const deploymentId = release.deploymentId;
    if (deploymentId === undefined) return;
    const target = { owner: t.owner, repo: t.repo, deploymentId, environment: release.environment, logUrl: orderUrl(t.order.id) };
    await call(`deployment status ${state}`, () => t.github.rest.repos.createDeploymentStatus(deploymentStatusParams(target, state, description)));
  }

  async function startRelease(report: OrderReport, workOrderId: number, event: Extract<ReleaseEvent, { type: 'release.started' }>): Promise<void> {
    const release: ReleaseReport = {
      releaseId: event.releaseId,
      environment: event.environment,
      deploymentId: undefined,
      checkRuns: new Map(),
      hosts: new Map(STAGES.map((stage) => [stage, new Map<string, HostStage>()])),
      active: new Map(STAGES.map((stage) => [stage, new Set<string>()])),
      dirty: new Set(),
      lastFlush: new Map(),
      timers: new Map(),
      finished: false,
      result: undefined,
    };
    report.release = release;
    const t = await target(workOrderId);
    if (t === undefined) return;
    const known = await db
      .select()
      .from(githubReports)
      .where(and(eq(githubReports.workOrderId, workOrderId), eq(githubReports.releaseId, event.releaseId)));
    for (const row of known) {
      if (row.githubId === null) continue;
      if (row.kind === 'deployment') release.deploymentId = row.githubId;
      else if ((STAGES as readonly string[]).includes(row.name)) release.checkRuns.set(row.name as StageName, row.githubId);
    }
    const sha = await commitOf(t);
    if (sha === undefined) return;
    // The Deployment made at approval (status queued already), else a new one.
    release.deploymentId ??= await adoptQueuedDeployment(db, workOrderId, event.releaseId);
    if (release.deploymentId === undefined) {
      const isProduction = await production(t, event.app, event.environment);
      const facts = { owner: t.owner, repo: t.repo, sha, app: event.app, environment: event.environment, version: event.version, production: isProduction, workOrderId, releaseId: event.releaseId };
      const created = await call('deployment', () => t.github.rest.repos.createDeployment(deploymentParams(facts)));
      const parsed = idSchema.safeParse(created?.data);
      if (parsed.success) {
        release.deploymentId = parsed.data.id;
        await remember(workOrderId, event.releaseId, 'deployment', event.environment, parsed.data.id);
        await deploymentStatus(t, release, 'queued', `${event.version} queued`);
      }
    }
    await deploymentStatus(t, release, 'in_progress', `releasing ${event.version} to ${event.batches.flat().length} host(s)`);
    for (const stage of STAGES) {
      if (release.checkRuns.has(stage)) continue;
      const created = await call(`check run ${stage}`, () =>
        t.github.rest.checks.create({
          owner: t.owner,
          repo: t.repo,
          head_sha: sha,
          name: `yardmaster / ${stage}`,
          external_id: checkRunExternalId(workOrderId),
          details_url: orderUrl(workOrderId),
          status: 'queued',
          output: { title: `${stage}: waiting`, summary: `Release ${inlineCode(event.version)} to ${inlineCode(event.environment)}: ${event.batches.map((batch) => batch.join(', ')).join(' → ')}` },
        }),
      );
      const parsed = idSchema.safeParse(created?.data);
      if (parsed.success) {
        release.checkRuns.set(stage, parsed.data.id);
        await remember(workOrderId, event.releaseId, 'check_run', stage, parsed.data.id);
      }
    }
  }

  function conclusionOf(release: ReleaseReport, stage: StageName): NonNullable<CheckRunFields['conclusion']> {
    const reported = [...(release.hosts.get(stage)?.entries() ?? [])];
    if (reported.some(([, host]) => host.result === 'failed')) return 'failure';
    const status = release.result?.status;
    const outcomes = new Map((release.result?.hosts ?? []).map((host) => [host.host, host.outcome]));
    const everyHost = outcomes.size === 0 ? reported.length : outcomes.size;
    const settled = reported.filter(([, host]) => host.result === 'ok' || host.result === 'skipped');
    // Hosts where the version was live already skip their stages: a stage no host needed is skipped.
    const needed = settled.filter(([name]) => outcomes.get(name) !== 'unchanged');
    if (settled.length < everyHost) return status === 'succeeded' ? (needed.length === 0 ? 'skipped' : 'success') : 'cancelled';
    return needed.length === 0 ? 'skipped' : 'success';
  }

  async function flush(workOrderId: number, release: ReleaseReport, stage: StageName, final: boolean): Promise<void> {
    const timer = release.timers.get(stage);
    if (timer !== undefined) clearTimeout(timer);
    release.timers.delete(stage);
    if (!final && !release.dirty.has(stage)) return;
    release.dirty.delete(stage);
    release.lastFlush.set(stage, Date.now());
    const checkRunId = release.checkRuns.get(stage);
    if (checkRunId === undefined) return;
    const t = await target(workOrderId);
    if (t === undefined) return;
    const hosts = release.hosts.get(stage) ?? new Map<string, HostStage>();
    const fields: CheckRunFields = {};
    if (final) {
      const conclusion = conclusionOf(release, stage);
      const failed = release.result?.failedHost;
      const note = failed !== undefined && failed.stage === stage ? `**${failed.host}** failed here${failed.exitCode === null ? '' : ` (exit ${failed.exitCode})`}: ${failed.message}` : undefined;
      // A released order can still be rolled back: the last stage's check run keeps the button.
      const actions = stage === 'done' && release.result?.status === 'succeeded' ? [ROLLBACK_ACTION] : [];
      Object.assign(fields, { status: 'completed', conclusion, completed_at: new Date().toISOString(), actions, output: stageOutput(stage, hosts, note) });
    } else {
      const running = (release.active.get(stage)?.size ?? 0) > 0;
      Object.assign(fields, { status: 'in_progress', actions: running ? ACTIONS : [], output: stageOutput(stage, hosts) });
    }
    await call(`check run ${stage} update`, () => t.github.rest.checks.update({ owner: t.owner, repo: t.repo, check_run_id: checkRunId, ...fields }));
  }

  function markDirty(workOrderId: number, release: ReleaseReport, stage: StageName): void {
    release.dirty.add(stage);
    if (release.timers.has(stage) || release.finished) return;
    const wait = Math.max(0, (release.lastFlush.get(stage) ?? 0) + interval - Date.now());
    const timer = setTimeout(() => enqueue(workOrderId, async () => {
      if (!release.finished) await flush(workOrderId, release, stage, false);
    }), wait);
    // A live update is not worth keeping a stopping process alive for: a resumed release reports again.
    timer.unref();
    release.timers.set(stage, timer);
  }

  function hostStage(release: ReleaseReport, stage: StageName, host: string): HostStage {
    const hosts = release.hosts.get(stage);
    let entry = hosts?.get(host);
    if (entry === undefined) {
      entry = { result: 'running', durationMs: undefined, exitCode: undefined, message: undefined, lines: [] };
      hosts?.set(host, entry);
    }
    return entry;
  }

  async function onRelease(report: OrderReport, workOrderId: number, event: ReleaseEvent): Promise<void> {
    if (event.type === 'release.started') {
      await startRelease(report, workOrderId, event);
      return;
    }
    const release = report.release;
    if (release === undefined || release.releaseId !== event.releaseId) return;
    switch (event.type) {
      case 'stage.started': {
        const entry = hostStage(release, event.stage, event.host);
        entry.result = 'running';
        release.active.get(event.stage)?.add(event.host);
        markDirty(workOrderId, release, event.stage);
        return;
      }
      case 'output': {
        if (event.stage === 'rollback') return;
        const entry = hostStage(release, event.stage, event.host);
        entry.lines.push(event.line);
        if (entry.lines.length > KEPT_LINES) entry.lines.splice(0, entry.lines.length - KEPT_LINES);
        markDirty(workOrderId, release, event.stage);
        return;
      }
      case 'stage.finished': {
        const entry = hostStage(release, event.stage, event.host);
        entry.result = event.result;
        entry.durationMs = event.durationMs;
        entry.exitCode = event.exitCode;
        entry.message = event.message;
        release.active.get(event.stage)?.delete(event.host);
        markDirty(workOrderId, release, event.stage);
        return;
      }
      case 'release.finished': {
        release.finished = true;
        release.result = event.result;
        report.lastResult = event.result;
        for (const stage of STAGES) await flush(workOrderId, release, stage, true);
        const t = await target(workOrderId);
        if (t === undefined) return;
        const ok = event.result.status === 'succeeded';
        await deploymentStatus(t, release, ok ? 'success' : 'failure', `${event.result.version}: ${event.result.status}`);
        return;
      }
      default:
        return;
    }
  }

  function outcomeComment(order: WorkOrder, to: string, reason: string, result: ReleaseResult | undefined): string {
    const what = result === undefined ? 'The release' : `Release ${inlineCode(result.version)} to ${inlineCode(result.environment)}`;
    const lines: string[] = [];
    if (to === 'succeeded') {
      const hosts = result?.hosts.map((host) => host.host) ?? [];
      lines.push(`✅ **${what} succeeded**${hosts.length === 0 ? '' : ` on ${hosts.length} host${hosts.length === 1 ? '' : 's'} (${hosts.join(', ')})`}.`);
      lines.push('', `Next: the result acceptor${order.acceptor === null ? '' : ` @${order.acceptor}`} confirms with ${inlineCode('/accept')}.`);
    } else {
      lines.push(`${to === 'aborted' ? '🛑' : '❌'} **${what} ${to === 'aborted' ? 'was aborted' : 'failed'}**: ${reason}`);
      const failed = result?.failedHost;
      if (failed !== undefined) {
        lines.push('', `Failed host: **${failed.host}** at stage ${inlineCode(failed.stage)}${failed.exitCode === null ? '' : ` (exit ${failed.exitCode})`}: ${failed.message}`);
        if (failed.lastLines.length > 0) lines.push('', codeBlock(failed.lastLines.join('\n')));
      } else if (result?.error !== undefined) {
        lines.push('', result.error);
      }
      const rolledBack = result?.hosts.filter((host) => host.rolledBackTo !== undefined) ?? [];
      if (rolledBack.length > 0) {
        lines.push('', `Rolled back: ${rolledBack.map((host) => `${host.host} → ${host.rolledBackTo === null ? '(none)' : inlineCode(host.rolledBackTo ?? '')}`).join(', ')}.`);
      }
    }
    lines.push('', `Details: ${orderUrl(order.id)}`);
    return lines.join('\n');
  }

  async function onTransition(report: OrderReport, event: Extract<WorkerEvent, { type: 'transition' }>): Promise<void> {
    // A fresh read: the order's state and head may have moved since the release started.
    report.target = undefined;
    const t = await target(event.workOrderId);
    if (t === undefined) return;
    const result = report.lastResult;
    const rolledBack = event.cause === 'rollback-finished' || (result?.hosts.some((host) => host.rolledBackTo !== undefined) ?? false);
    switch (event.to) {
      case 'running':
        if (event.cause === 'rollback-started') {
          await setLabels(t, [STATE_LABELS.deploying], []);
          return;
        }
        report.lastResult = undefined;
        await setLabels(t, [STATE_LABELS.deploying], [STATE_LABELS.failed, STATE_LABELS.rolledBack, STATE_LABELS.deployed]);
        return;
      case 'succeeded':
        await setLabels(t, [STATE_LABELS.deployed], [STATE_LABELS.deploying]);
        await comment(t, outcomeComment(t.order, 'succeeded', event.reason, result));
        return;
      case 'failed':
      case 'aborted': {
        // An abort is no failure of the release; a rollback (after a failure, an abort or /rollback) is said apart.
        const add = [...(event.to === 'failed' ? [STATE_LABELS.failed] : []), ...(rolledBack ? [STATE_LABELS.rolledBack] : [])];
        await setLabels(t, add, [STATE_LABELS.deploying, ...(rolledBack ? [STATE_LABELS.deployed] : [])]);
        await comment(t, outcomeComment(t.order, event.to, event.reason, event.cause === 'rollback-finished' || event.cause === 'rollback-failed' ? undefined : result));
        return;
      }
      case 'scheduled':
        if (event.cause === 'start-deferred') return; // the `deferred` event says it
        return;
      case 'planned':
        // A worker sends an order back to planned only when the repo config changed after approval: say what changed.
        await comment(t, `**Approval needed again.** ${event.reason}. Review the change and approve again (${'`/approve <digest>`'} binds to that digest).`);
        return;
      default:
        return;
    }
  }

  /** A `/rollback` gets a check run of its own on the order's commit, `yardmaster / rollback`. */
  async function startRollback(report: OrderReport, event: Extract<WorkerEvent, { type: 'rollback-started' }>): Promise<void> {
    report.rollback = undefined;
    const t = await target(event.workOrderId);
    if (t === undefined) return;
    const sha = await commitOf(t);
    if (sha === undefined) return;
    const created = await call('check run rollback', () =>
      t.github.rest.checks.create({
        owner: t.owner,
        repo: t.repo,
        head_sha: sha,
        name: 'yardmaster / rollback',
        external_id: checkRunExternalId(event.workOrderId),
        details_url: orderUrl(event.workOrderId),
        status: 'in_progress',
        output: rollbackOutput(event.to, event.hosts),
      }),
    );
    const parsed = idSchema.safeParse(created?.data);
    if (parsed.success) report.rollback = { checkRunId: parsed.data.id, to: event.to };
  }

  async function finishRollback(report: OrderReport, event: Extract<WorkerEvent, { type: 'rollback-finished' }>): Promise<void> {
    const rollback = report.rollback;
    report.rollback = undefined;
    const t = await target(event.workOrderId);
    if (rollback === undefined || t === undefined) return;
    await call('check run rollback update', () =>
      t.github.rest.checks.update({
        owner: t.owner,
        repo: t.repo,
        check_run_id: rollback.checkRunId,
        status: 'completed',
        conclusion: event.ok ? 'success' : 'failure',
        completed_at: new Date().toISOString(),
        output: rollbackOutput(rollback.to, [], event.hosts),
      }),
    );
  }

  /** Forgets an order whose release ended and whose chain has nothing after this step. */
  function forgetIfDone(workOrderId: number, report: OrderReport, step: Promise<void>): void {
    void step.then(() => {
      if (orders.get(workOrderId) === report && report.chain === step && (report.release === undefined || report.release.finished)) orders.delete(workOrderId);
    });
  }

  async function handle(report: OrderReport, event: WorkerEvent): Promise<void> {
    switch (event.type) {
      case 'release':
        await onRelease(report, event.workOrderId, event.event);
        return;
      case 'transition':
        await onTransition(report, event);
        return;
      case 'waiting': {
        const key = `${event.reason}:${event.position}`;
        if (report.lastWaiting === key) return;
        report.lastWaiting = key;
        const t = await target(event.workOrderId);
        if (t !== undefined) await comment(t, `⏸️ Waiting for the environment: ${event.message} (place ${event.position} in line).`);
        return;
      }
      case 'deferred': {
        const t = await target(event.workOrderId);
        if (t !== undefined) await comment(t, `❄️ Freeze window ${inlineCode(event.window)}: the start moved to ${event.until.toISOString()}.`);
        return;
      }
      case 'recovering': {
        const t = await target(event.workOrderId);
        if (t === undefined) return;
        const hosts = event.hosts.map((host) => `${host.host} → ${host.to ?? '(none)'}${host.ok ? '' : ` (failed: ${host.message})`}`).join(', ');
        await comment(t, `♻️ The worker running release ${inlineCode(event.releaseId)} stopped; another one resumes it.${hosts === '' ? '' : ` Hosts caught mid-release were switched back first: ${hosts}.`}`);
        return;
      }
      case 'rollback-started':
        await startRollback(report, event);
        return;
      case 'rollback-finished':
        await finishRollback(report, event);
        return;
      case 'error': {
        log.warn({ workOrderId: event.workOrderId, message: event.message }, 'worker error');
        return;
      }
      case 'skipped':
        log.info({ workOrderId: event.workOrderId, reason: event.reason }, 'start job skipped');
        return;
    }
  }

  const reporter = (event: WorkerEvent): void => {
    try {
      const workOrderId = event.workOrderId;
      if (workOrderId === null) {
        if (event.type === 'error') log.warn({ message: event.message }, 'worker error');
        return;
      }
      enqueue(workOrderId, (report) => handle(report, event));
      if (event.type === 'transition' && ['succeeded', 'failed', 'aborted'].includes(event.to)) {
        const report = orders.get(workOrderId);
        if (report !== undefined) forgetIfDone(workOrderId, report, report.chain);
      }
    } catch (error) {
      log.warn({ err: error }, 'reporting a worker event failed');
    }
  };
  reporter.idle = async (): Promise<void> => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };
  return reporter;
}
