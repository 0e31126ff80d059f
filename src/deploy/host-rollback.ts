/** Rolls one host back to the release it ran before (or the plan's rollback_version) and runs post_deploy there. */
import { isExecutorLost } from '../executors/index.ts';
import { runCommandList, runScript, stepFromExec } from './host-commands.ts';
import type { HostRunContext, HostRunState } from './host-context.ts';
import { commandContext } from './host-release.ts';
import { rollbackScript } from './host-scripts.ts';
import { formatReleaseLogEntry } from './releases-log.ts';

/** `lost`: the connection was gone, so a new one may still complete the rollback. */
export type RollbackOutcome =
  | { ok: true; to: string | null }
  | { ok: false; to: string | null; message: string; lost: boolean };

/** The release a failed host goes back to. */
export function rollbackTarget(ctx: Pick<HostRunContext, 'plan'>, state: HostRunState): string | null {
  const wanted = ctx.plan.rollbackVersion;
  if (wanted !== undefined && state.hasRollbackVersion) return wanted;
  return state.previous === ctx.plan.version ? null : state.previous;
}

/**
 * Switches `current` back and runs the plan's post_deploy in the restored release. Runs under its own signal:
 * an abort of the release must not interrupt the rollback it causes.
 */
export async function rollbackHost(ctx: HostRunContext, state: HostRunState, reason: string): Promise<RollbackOutcome> {
  const to = rollbackTarget(ctx, state);
  const host = ctx.target.entry.name;
  const calm: HostRunContext = { ...ctx, signal: new AbortController().signal };
  ctx.emit({ type: 'rollback.started', releaseId: ctx.releaseId, host, to });
  const logLine = formatReleaseLogEntry({
    version: ctx.plan.version,
    time: new Date().toISOString(),
    result: 'rolled_back',
    release: ctx.releaseId,
    host,
    previous: state.previous,
    to,
    work_order: ctx.workOrder,
    actor: ctx.actor,
  });
  let outcome: RollbackOutcome;
  try {
    const run = await runScript(calm, state, 'rollback', rollbackScript(ctx.layout, to, ctx.releaseId, logLine));
    const step = stepFromExec(run.exec, 'switching back', run.lastStderr);
    if (!step.ok) {
      outcome = { ok: false, to, message: step.message, lost: false };
    } else if (to === null) {
      outcome = { ok: true, to };
    } else {
      const env = commandContext(calm, to, ctx.plan.version);
      const post = await runCommandList(
        calm,
        state,
        'rollback',
        ctx.plan.commands.postDeploy,
        ctx.layout.releaseDir(to),
        env,
      );
      outcome = post.ok
        ? { ok: true, to }
        : { ok: false, to, message: `switched back, but ${post.message}`, lost: false };
    }
  } catch (error) {
    outcome = {
      ok: false,
      to,
      message: `host unreachable during rollback: ${error instanceof Error ? error.message : String(error)}`,
      lost: isExecutorLost(error),
    };
  }
  ctx.emit({
    type: 'rollback.finished',
    releaseId: ctx.releaseId,
    host,
    to,
    ok: outcome.ok,
    ...(outcome.ok ? { message: `rolled back (${reason})` } : { message: outcome.message }),
  });
  return outcome;
}
