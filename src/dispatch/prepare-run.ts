/** Everything a release of an order needs, read fresh when a worker picks it up. */
import { resolvePlanTargets } from '../config/resolve-hosts.ts';
import type { AppConfig, EnvironmentConfig, RepoConfig, ResolvedHost } from '../config/types.ts';
import type { Plan } from '../plan/types.ts';
import { checkPlanAgainstPolicy, describeSecretReadFailure } from '../policy/index.ts';
import { currentPlanVersion, readStoredPlan, type PlanVersionRow } from '../workorders/service/plan-store.ts';
import type { WorkOrder } from '../workorders/service/types.ts';
import type { EnvironmentKey } from './environment-lock.ts';
import type { WorkerContext } from './worker-context.ts';

export interface PreparedRun {
  order: WorkOrder;
  version: PlanVersionRow;
  plan: Plan;
  config: RepoConfig;
  app: AppConfig;
  environment: EnvironmentConfig;
  hosts: ResolvedHost[];
  secrets: Record<string, string>;
  key: EnvironmentKey;
}

/**
 * The order's current plan (verified against its digest: only what was approved runs), its hosts resolved against
 * the repo config as it is now, and the environment's secrets from the secret store (never this process's environment).
 */
export async function prepareRun(ctx: WorkerContext, order: WorkOrder): Promise<{ ok: true; run: PreparedRun } | { ok: false; message: string }> {
  const version = await currentPlanVersion(ctx.db, order.id);
  if (version === undefined) return { ok: false, message: 'the work order has no plan' };
  const read = readStoredPlan(version);
  if (!read.ok) return read;
  if (!read.digestMatches) return { ok: false, message: `plan v${version.seq} no longer yields the approved digest; post it again to have it approved` };
  const loaded = await ctx.loadConfig({ repoFullName: order.repoFullName, installationId: order.installationId });
  if (!loaded.ok) return { ok: false, message: `the repo config cannot be loaded: ${loaded.message}` };
  const targets = resolvePlanTargets(loaded.config, read.plan);
  if (!targets.ok) return { ok: false, message: `the plan no longer fits the repo config: ${targets.issues.map((issue) => issue.message).join('; ')}` };
  const refused = checkPlanAgainstPolicy(ctx.policy.forRepo(order.repoFullName), read.plan, targets.hosts);
  if (refused.length > 0) return { ok: false, message: `the operator's policy refuses this release now: ${refused.map((issue) => issue.message).join('; ')}` };
  const secrets = await ctx.secrets.read(order.repoFullName, read.plan.environment, targets.environment.secretEnv);
  if (!secrets.ok) return { ok: false, message: `secret_env cannot be read: ${describeSecretReadFailure(secrets, order.repoFullName, read.plan.environment)}` };
  return {
    ok: true,
    run: {
      order,
      version,
      plan: read.plan,
      config: loaded.config,
      app: targets.app,
      environment: targets.environment,
      hosts: targets.hosts,
      secrets: secrets.values,
      key: { repoFullName: order.repoFullName, app: read.plan.app, environment: read.plan.environment },
    },
  };
}
