/** Runs one stage of one host: emits started/finished with its duration, and turns a lost host into a failure. */
import type { HostRunContext } from './host-context.ts';
import type { StepResult } from './host-commands.ts';
import type { StageName } from './types.ts';

export type StageBody = () => Promise<StepResult | 'skipped'>;

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function runStage(
  ctx: Pick<HostRunContext, 'emit' | 'releaseId' | 'mask' | 'signal'> & { hostName: string },
  stage: StageName,
  body: StageBody,
): Promise<StepResult> {
  const started = performance.now();
  ctx.emit({ type: 'stage.started', releaseId: ctx.releaseId, host: ctx.hostName, stage });
  let step: StepResult | 'skipped';
  try {
    step = await body();
  } catch (error) {
    step = ctx.signal.aborted
      ? { ok: false, exitCode: null, message: `${stage} interrupted by abort`, aborted: true }
      : { ok: false, exitCode: null, message: ctx.mask(errorMessage(error)), aborted: false };
  }
  const durationMs = Math.round(performance.now() - started);
  const base = { type: 'stage.finished', releaseId: ctx.releaseId, host: ctx.hostName, stage, durationMs } as const;
  if (step === 'skipped') {
    ctx.emit({ ...base, result: 'skipped' });
    return { ok: true };
  }
  ctx.emit(
    step.ok ? { ...base, result: 'ok' } : { ...base, result: 'failed', exitCode: step.exitCode, message: step.message },
  );
  return step;
}

/** Emits `skipped` for stages a host does not go through (e.g. the version is already live). */
export function skipStages(
  ctx: Pick<HostRunContext, 'emit' | 'releaseId'> & { hostName: string },
  stages: readonly StageName[],
): void {
  for (const stage of stages) {
    ctx.emit({ type: 'stage.started', releaseId: ctx.releaseId, host: ctx.hostName, stage });
    ctx.emit({
      type: 'stage.finished',
      releaseId: ctx.releaseId,
      host: ctx.hostName,
      stage,
      result: 'skipped',
      durationMs: 0,
    });
  }
}
