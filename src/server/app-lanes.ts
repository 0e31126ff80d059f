/**
 * The App's lanes step (YARDMASTER_LANES_PORT): the settings from the environment, the workers' SSH identity for
 * catalog services on lane hosts, the artifact rule for packages added through the lanes API, and the lanes server
 * when the settings turn lanes on.
 */
import type { ConnectHost } from '../deploy/types.ts';
import { parseLanesEnv, startAppLanes } from '../lanes/index.ts';
import { laneLimitsOf, lanesApiPackageRule, type PolicySource } from '../policy/index.ts';
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
  const { artifactsDir, leaseMs } = context.runtimeConfig;
  const lanes = await startAppLanes(
    runtime.database,
    lanesEnv.settings,
    context.log,
    connect,
    (repo) => laneLimitsOf(policy.forRepo(repo)),
    { artifactsDir, packageProblem: lanesApiPackageRule(artifactsDir), leaseMs },
  );
  return { ok: true, value: lanes };
}

/**
 * The workers' SSH identity, for catalog services that run on lane hosts (the database's catalog may gain one at any
 * time); without one, no SSH, and a warning when the catalog file already has such a service.
 */
async function laneHostsConnect(
  context: AppContext,
  settings: Parameters<typeof startAppLanes>[1],
): Promise<ConnectHost | undefined> {
  const { env, runtimeConfig, log } = context;
  const lanesSsh = await workerConnect(env, runtimeConfig.acceptNewHostKeys, log);
  if (!lanesSsh.ok && Object.values(settings.catalog).some((entry) => entry.ssh !== undefined))
    log.warn({ problem: lanesSsh.message }, 'lanes: no SSH identity, so services on lane hosts cannot start');
  return lanesSsh.ok ? lanesSsh.connect : undefined;
}
