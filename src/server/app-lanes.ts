/**
 * The App's lanes step (YARDMASTER_LANES_PORT): the settings from the environment, the workers' SSH identity when a
 * catalog service runs on a lane host, and the lanes server when the settings turn lanes on.
 */
import type { ConnectHost } from '../deploy/types.ts';
import { parseLanesEnv, startAppLanes } from '../lanes/index.ts';
import { laneLimitsOf, type PolicySource } from '../policy/index.ts';
import { type Runtime, workerConnect } from '../runtime/index.ts';
import type { AppContext, AppLanes, StepResult } from './app-parts.ts';

/** Lanes when their settings turn them on, undefined when they leave them off, or why the settings are wrong. */
export async function startLanesIfEnabled(
  context: AppContext,
  runtime: Runtime,
  policy: PolicySource,
): Promise<StepResult<AppLanes | undefined>> {
  const lanesEnv = await parseLanesEnv(context.env);
  if (!lanesEnv.ok) return { ok: false, problems: lanesEnv.problems };
  if (!lanesEnv.settings.enabled) return { ok: true, value: undefined };
  const connect = await laneHostsConnect(context, lanesEnv.settings);
  const lanes = await startAppLanes(runtime.database, lanesEnv.settings, context.log, connect, (repo) =>
    laneLimitsOf(policy.forRepo(repo)),
  );
  return { ok: true, value: lanes };
}

/** The workers' SSH identity when a catalog service runs on a lane host; without one, a warning and no SSH. */
async function laneHostsConnect(
  context: AppContext,
  settings: Parameters<typeof startAppLanes>[1],
): Promise<ConnectHost | undefined> {
  const { env, runtimeConfig, log } = context;
  const lanesSsh = Object.values(settings.catalog).some((entry) => entry.ssh !== undefined)
    ? await workerConnect(env, runtimeConfig.acceptNewHostKeys, log)
    : undefined;
  if (lanesSsh !== undefined && !lanesSsh.ok)
    log.warn({ problem: lanesSsh.message }, 'lanes: no SSH identity, so services on lane hosts cannot start');
  return lanesSsh?.ok === true ? lanesSsh.connect : undefined;
}
