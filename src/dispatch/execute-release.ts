/** Runs the engine for an order that holds its environment lock, from start (or retry, or resume) to its end. */
import { retryRelease, runRelease } from '../deploy/index.ts';
import { packageAccess } from '../policy/index.ts';
import type { EngineOptions, ReleaseRequest, ReleaseResult } from '../deploy/types.ts';
import { finishRelease, type PreparedRun, type ReleaseRun, type StopReason } from '../workorders/service/index.ts';
import { startLeaseKeeper } from './lease-keeper.ts';
import { mergeRetryResult } from './merge-retry-result.ts';
import { recordingConnect } from './recording-connect.ts';
import { recoverHostsInDoubt } from './recover-hosts.ts';
import { createReleaseRecorder } from './release-recorder.ts';
import type { WorkerContext } from './worker-context.ts';

/**
 * Runs the release under a lease heartbeat that also watches for `/abort`, recording every event as it happens, and
 * finishes the order. A resumed release first switches back the hosts the dead worker left in doubt, then runs the
 * whole release again with the same release id: hosts already on the version are skipped, the dead run's host locks
 * are taken over, and every other host goes through all nine stages, so each ends on a release that passed its
 * checks or on the one it ran before.
 *
 * Throws only for unexpected errors (the database); the lock is then kept until its lease runs out, so that the
 * recovery sweep resumes the release.
 */
export async function executeRelease(
  ctx: WorkerContext,
  prepared: PreparedRun,
  run: ReleaseRun,
  jobSignal?: AbortSignal,
): Promise<void> {
  const abort = new AbortController();
  let stop: StopReason | undefined;
  const stopWith = (reason: StopReason): void => {
    stop ??= reason;
    abort.abort();
  };
  const onJobAbort = (): void => {
    stopWith({ kind: 'stopping' });
  };
  jobSignal?.addEventListener('abort', onJobAbort, { once: true });
  const claim = { workOrderId: prepared.order.id, owner: ctx.workerId, leaseMs: ctx.leaseMs };
  const keeper = startLeaseKeeper(ctx.db, {
    key: prepared.key,
    claim,
    intervalMs: ctx.heartbeatMs,
    sinceAuditId: run.runningAuditId,
    onAbortRequest: (request) => {
      stopWith({ kind: 'requested', request });
    },
    onLeaseLost: () => {
      stopWith({ kind: 'lease-lost' });
    },
    onError: (error) => {
      ctx.emit({
        type: 'error',
        workOrderId: prepared.order.id,
        message: `heartbeat failed: ${error instanceof Error ? error.message : String(error)}`,
      });
    },
  });
  const recorder = createReleaseRecorder(ctx.db, {
    releaseId: run.releaseId,
    attempt: run.attempt,
    forward: (event) => {
      ctx.emit({ type: 'release', workOrderId: prepared.order.id, event });
    },
  });
  const actor = `yardmaster:${ctx.workerId}`;
  const connect = ctx.connectFor(prepared.order.repoFullName);
  const engine: EngineOptions = {
    connect: recordingConnect(connect, prepared.hosts, recorder.observe),
    onEvent: recorder.sink,
    artifactsDir: ctx.artifactsDir,
    cacheDir: ctx.cacheDir,
    actor,
    packageAccess: packageAccess(ctx.policy.forRepo(prepared.order.repoFullName)),
  };
  const request: ReleaseRequest = {
    plan: prepared.plan,
    app: prepared.app,
    environment: prepared.environment,
    hosts: prepared.hosts,
    secrets: prepared.secrets,
    workOrder: `${prepared.order.repoFullName}#${prepared.order.number}`,
    releaseId: run.releaseId,
    signal: abort.signal,
  };
  let result: ReleaseResult;
  try {
    if (run.mode.kind === 'resume') {
      const recovered = await recoverHostsInDoubt(ctx.db, prepared, run.releaseId, { connect, actor });
      ctx.emit({ type: 'recovering', workOrderId: prepared.order.id, releaseId: run.releaseId, hosts: recovered });
    }
    result =
      run.mode.kind === 'retry'
        ? mergeRetryResult(run.mode.previous, await retryRelease(run.mode.previous, request, engine))
        : await runRelease(request, engine);
  } finally {
    jobSignal?.removeEventListener('abort', onJobAbort);
    await keeper.stop();
  }
  await recorder.flush();
  for (const event of await finishRelease(ctx, prepared, result, stop, run.attempt)) ctx.emit(event);
}
