/** Releases a plan to its hosts: rollout by strategy, failure policy, abort, rollback, one result. */
import { randomBytes } from 'node:crypto';
import type { Executor } from '../executors/types.ts';
import type { HostRunContext, HostRunOutcome, HostRunState, PackageDelivery } from './host-context.ts';
import { appendLogScript, unlockScript } from './host-scripts.ts';
import { runScript } from './host-commands.ts';
import { rollbackHost, type RollbackOutcome } from './host-rollback.ts';
import { runHostRelease } from './host-release.ts';
import { RecentLines } from './output-lines.ts';
import { resolvePackage } from './package-source.ts';
import { pullSource } from './pull-source.ts';
import { releaseLayout } from './release-layout.ts';
import { formatReleaseLogEntry } from './releases-log.ts';
import { batchConcurrency, pauseBefore, planBatches } from './rollout-plan.ts';
import { runPool } from './run-pool.ts';
import { createMasker } from './secret-masker.ts';
import { sleep } from './sleep.ts';
import type { EngineOptions, HostReport, ReleaseRequest, ReleaseResult, ReleaseStatus } from './types.ts';
import type { ResolvedHost } from '../config/types.ts';
import type { Plan, TransferMethod } from '../plan/types.ts';

/** Pauses before reconnecting to a host that dropped its connection while it needed a rollback. */
const RECONNECT_DELAYS_MS = [250, 500, 1000, 2000, 4000];

interface HostSlot {
  target: ResolvedHost;
  state: HostRunState;
  ctx: HostRunContext | null;
  outcome: HostRunOutcome | null;
  rollback: RollbackOutcome | null;
  started: number;
  durationMs: number;
}

/** A release id: sortable by time, unique enough to name temp dirs and locks. */
export function newReleaseId(): string {
  return `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

function emptyState(): HostRunState {
  return {
    previous: null,
    switched: false,
    lockHeld: false,
    hasRollbackVersion: false,
    log: [],
    recent: new RecentLines(),
  };
}

function hostReport(slot: HostSlot): HostReport {
  const base = { host: slot.target.entry.name, previousVersion: slot.state.previous, durationMs: slot.durationMs };
  const rollback =
    slot.rollback === null
      ? {}
      : {
          rolledBackTo: slot.rollback.to,
          ...(slot.rollback.ok ? {} : { rollbackError: slot.rollback.message }),
        };
  const outcome = slot.outcome;
  if (outcome === null) return { ...base, outcome: 'untouched' };
  switch (outcome.kind) {
    case 'released':
      return { ...base, outcome: slot.rollback === null ? 'released' : 'rolled_back', ...rollback };
    case 'unchanged':
      return { ...base, outcome: 'unchanged' };
    case 'failed':
      return { ...base, outcome: 'failed', failure: outcome.failure, ...rollback };
    case 'aborted':
      return { ...base, outcome: slot.rollback === null ? 'aborted' : 'rolled_back', ...rollback };
  }
}

async function closeQuietly(executor: Executor): Promise<void> {
  try {
    await executor.close();
  } catch {
    // the connection may already be gone; nothing left to release
  }
}

/**
 * Runs a release. Never throws for host problems: every outcome is in the result (and in the events).
 * Stops after more than `max_failures` failed hosts, aborting hosts in flight, and rolls back every host it
 * switched; a failed host within the tolerance is rolled back alone and the rollout goes on.
 */
export async function runRelease(request: ReleaseRequest, options: EngineOptions): Promise<ReleaseResult> {
  const started = performance.now();
  const { plan } = request;
  const releaseId = request.releaseId ?? newReleaseId();
  const emit =
    options.onEvent ??
    (() => {
      /* no listener: events are not kept */
    });
  const mask = createMasker(Object.values(request.secrets));
  const slots: HostSlot[] = request.hosts.map((target) => ({
    target,
    state: emptyState(),
    ctx: null,
    outcome: null,
    rollback: null,
    started: 0,
    durationMs: 0,
  }));
  const batches = planBatches(slots, plan.strategy);
  emit({
    type: 'release.started',
    releaseId,
    app: plan.app,
    environment: plan.environment,
    version: plan.version,
    batches: batches.map((batch) => batch.map((slot) => slot.target.entry.name)),
    at: new Date().toISOString(),
  });
  const finish = (status: ReleaseStatus, error?: string): ReleaseResult => {
    const hosts = slots.map(hostReport);
    const first = hosts.find((report) => report.outcome === 'failed' && report.failure);
    const result: ReleaseResult = {
      releaseId,
      app: plan.app,
      environment: plan.environment,
      version: plan.version,
      status,
      hosts,
      ...(error === undefined ? {} : { error: mask(error) }),
      ...(first?.failure ? { failedHost: { host: first.host, ...first.failure } } : {}),
      durationMs: Math.round(performance.now() - started),
    };
    emit({ type: 'release.finished', releaseId, result });
    return result;
  };

  const transfer =
    plan.transfer ?? request.environment.transfer ?? request.app.transfer ?? options.defaultTransfer ?? 'stream';
  const delivery = await packageDelivery(plan, transfer, options, request.signal);
  if (!delivery.ok) return finish('failed', delivery.message);

  const stop = new AbortController();
  const runSignal = request.signal ? AbortSignal.any([request.signal, stop.signal]) : stop.signal;
  const maxFailures = plan.strategy.maxFailures;
  let failures = 0;

  /** Rolls a switched host back; when its connection was lost, tries again over new ones, pausing longer each time. */
  const rollBack = async (slot: HostSlot, reason: string): Promise<void> => {
    if (!slot.ctx) return;
    let outcome = await rollbackHost(slot.ctx, slot.state, reason);
    for (const delay of RECONNECT_DELAYS_MS) {
      if (outcome.ok || !outcome.lost) break;
      await sleep(delay, new AbortController().signal);
      try {
        const executor = await options.connect(slot.target.entry, new AbortController().signal);
        await closeQuietly(slot.ctx.executor);
        slot.ctx = { ...slot.ctx, executor };
        outcome = await rollbackHost(slot.ctx, slot.state, reason);
      } catch {
        // still unreachable: try again after a longer pause, else the first outcome says so
      }
    }
    slot.rollback = outcome;
  };

  const runOne = async (slot: HostSlot, batch: number): Promise<void> => {
    if (runSignal.aborted) return;
    const host = slot.target.entry;
    slot.started = performance.now();
    emit({ type: 'host.started', releaseId, host: host.name, batch });
    const { outcome, ctx } = await runHostRelease(
      {
        releaseId,
        plan,
        environment: request.environment,
        target: slot.target,
        layout: releaseLayout(slot.target.deployTo),
        delivery: delivery.value,
        secrets: request.secrets,
        mask,
        emit,
        signal: runSignal,
        force: request.force ?? false,
        breakLock: request.breakLock ?? false,
        actor: options.actor ?? 'yardmaster',
        workOrder: request.workOrder ?? null,
      },
      slot.state,
      () => options.connect(host, runSignal),
    );
    slot.outcome = outcome;
    slot.ctx = ctx;
    if (outcome.kind === 'failed') {
      failures++;
      if (failures > maxFailures) stop.abort();
      else if (slot.state.switched) await rollBack(slot, `${host.name} failed`);
    }
    if (!slot.state.switched) await releaseHost(slot, releaseId);
    slot.durationMs = Math.round(performance.now() - slot.started);
    emit({ type: 'host.finished', releaseId, host: host.name, report: hostReport(slot) });
  };

  for (const [index, batch] of batches.entries()) {
    if (runSignal.aborted) break;
    const pause = pauseBefore(plan.strategy, index);
    if (pause > 0 && !(await sleep(pause, runSignal))) break;
    emit({ type: 'batch.started', releaseId, batch: index, hosts: batch.map((slot) => slot.target.entry.name) });
    await runPool(batch, batchConcurrency(plan.strategy, batch.length), (slot) => runOne(slot, index));
  }

  const aborted = request.signal?.aborted ?? false;
  const stopped = stop.signal.aborted;
  if (aborted || stopped) {
    const firstFailed = slots.find((slot) => slot.outcome?.kind === 'failed')?.target.entry.name ?? 'a host';
    const reason = aborted
      ? 'release aborted'
      : maxFailures === 0
        ? `${firstFailed} failed`
        : `more than ${maxFailures} hosts failed`;
    await Promise.all(
      slots.map(async (slot) => {
        if (slot.state.switched && slot.rollback === null) {
          await rollBack(slot, reason);
          emit({ type: 'host.finished', releaseId, host: slot.target.entry.name, report: hostReport(slot) });
        }
      }),
    );
  }
  await Promise.all(
    slots.map(async (slot) => {
      await releaseHost(slot, releaseId);
      if (slot.ctx) await closeQuietly(slot.ctx.executor);
    }),
  );

  const status: ReleaseStatus = aborted ? 'aborted' : stopped ? 'failed' : failures > 0 ? 'partial' : 'succeeded';
  return finish(status);
}

/** Where each transfer finds the package: pushed ones resolve and verify it here, pull leaves it to every host. */
async function packageDelivery(
  plan: Plan,
  transfer: TransferMethod,
  options: EngineOptions,
  signal: AbortSignal | undefined,
): Promise<{ ok: true; value: PackageDelivery } | { ok: false; message: string }> {
  if (transfer === 'pull') {
    const pull = pullSource(plan.package.url, plan.package.sha256, options.packageAccess);
    return 'problem' in pull ? { ok: false, message: pull.problem } : { ok: true, value: { transfer, pull } };
  }
  const pkg = await resolvePackage(plan.package.url, plan.package.sha256, {
    artifactsDir: options.artifactsDir,
    cacheDir: options.cacheDir,
    ...(signal ? { signal } : {}),
    ...(options.packageAccess === undefined ? {} : { access: options.packageAccess }),
  });
  return pkg.ok ? { ok: true, value: { transfer, pkg: pkg.value } } : { ok: false, message: pkg.message };
}

/** Logs a failure that never reached the switch and releases the host lock; safe to call more than once. */
async function releaseHost(slot: HostSlot, releaseId: string): Promise<void> {
  const ctx = slot.ctx;
  if (!ctx || !slot.state.lockHeld) return;
  const calm: HostRunContext = { ...ctx, signal: new AbortController().signal };
  try {
    if (slot.outcome?.kind === 'failed' && !slot.state.switched) {
      const line = formatReleaseLogEntry({
        version: ctx.plan.version,
        time: new Date().toISOString(),
        result: 'failed',
        release: releaseId,
        host: ctx.target.entry.name,
        previous: slot.state.previous,
        work_order: ctx.workOrder,
        actor: ctx.actor,
      });
      await runScript(calm, slot.state, 'done', appendLogScript(ctx.layout, line));
    }
    await runScript(calm, slot.state, 'done', unlockScript(ctx.layout, releaseId));
    slot.state.lockHeld = false;
  } catch {
    // the host is gone; its lock names this release, so a retry of the same release takes it over
  }
}
