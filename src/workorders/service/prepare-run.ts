/** Everything a release of an order needs, read fresh when a worker picks it up. */
import { resolvePlanTargets, withApprovedSettings, withEffectiveCommands } from '../../config/index.ts';
import type { AppConfig, EnvironmentConfig, RepoConfig, ResolvedHost } from '../../config/types.ts';
import type { Plan } from '../../plan/types.ts';
import { checkPlanAgainstPolicy, describeSecretReadFailure } from '../../policy/index.ts';
import { currentPlanVersion, readStoredPlan, type PlanVersionRow } from './plan-store.ts';
import type { WorkOrder } from './types.ts';
import { checkApprovedSettings } from './approved-settings.ts';
import type { EnvironmentKey } from './environment-key.ts';
import type { ReleaseDeps } from './release-deps.ts';

/** What preparing a run reads from: the database, the repo config, the operator's policy, the secret store. */
export type RunSources = Pick<ReleaseDeps, 'db' | 'loadConfig' | 'policy' | 'secrets'>;

export interface PreparedRun {
  order: WorkOrder;
  version: PlanVersionRow;
  /** The approved plan with the commands it runs: the config's (environment over app) under the plan's own. */
  plan: Plan;
  config: RepoConfig;
  app: AppConfig;
  environment: EnvironmentConfig;
  hosts: ResolvedHost[];
  secrets: Record<string, string>;
  key: EnvironmentKey;
}

/**
 * Why a run cannot be prepared: `config-changed` when the repo config no longer resolves to the release settings
 * the plan was approved with (the order needs approval again), `unrunnable` for everything else.
 */
export type PrepareRefusal =
  | { ok: false; reason: 'unrunnable'; message: string }
  | { ok: false; reason: 'config-changed'; message: string; changes: string[]; digest: string; config: RepoConfig };

/**
 * The order's current plan (verified against its digest: only what was approved runs), its hosts resolved against
 * the repo config as it is now (refused unless they are the release settings that were approved), checked against
 * the operator's policy as it is now, and the environment's secrets from the secret store (never this process's
 * environment).
 */
export async function prepareRun(
  ctx: RunSources,
  order: WorkOrder,
  options: PrepareOptions = { settings: 'current' },
): Promise<{ ok: true; run: PreparedRun } | PrepareRefusal> {
  const prepared = await prepareUnchecked(ctx, order, options);
  if (prepared.ok || 'reason' in prepared) return prepared;
  return { ok: false, reason: 'unrunnable', message: prepared.message };
}

/**
 * `current`: a release starts only if the config resolves to the approved settings. `approved`: a run that continues
 * an approved release (a rollback of it, a resumed release) goes by the approved settings (the hosts the release
 * reached, its env and secret names) whatever the config says now.
 */
export interface PrepareOptions {
  settings: 'current' | 'approved';
}

type Targets = { app: AppConfig; environment: EnvironmentConfig; hosts: ResolvedHost[] };

/**
 * What the run goes by: the config as resolved now when it has the approved settings; else, for a run continuing an
 * approved release, the approved settings (or, for a release approved before the digest covered the config, the
 * config as it is, which is what such a release always did); else nothing: a new start needs approval again.
 */
function settingsToRun(
  version: PlanVersionRow,
  targets: Targets,
  options: PrepareOptions,
): { ok: true; targets: Targets } | { ok: false; message: string; changes: string[] } {
  const checked = checkApprovedSettings(version, targets);
  if (checked.ok) return { ok: true, targets };
  if (options.settings === 'approved' && checked.approved !== undefined)
    return { ok: true, targets: withApprovedSettings(targets, checked.approved) };
  if (options.settings === 'approved' && version.resolved === null) return { ok: true, targets };
  return { ok: false, message: checked.message, changes: checked.changes };
}

async function prepareUnchecked(
  ctx: RunSources,
  order: WorkOrder,
  options: PrepareOptions,
): Promise<{ ok: true; run: PreparedRun } | { ok: false; message: string } | PrepareRefusal> {
  const version = await currentPlanVersion(ctx.db, order.id);
  if (version === undefined) return { ok: false, message: 'the work order has no plan' };
  const read = readStoredPlan(version);
  if (!read.ok) return read;
  if (!read.digestMatches)
    return {
      ok: false,
      message: `plan v${version.seq} no longer yields the approved digest; post it again to have it approved`,
    };
  const loaded = await ctx.loadConfig({ repoFullName: order.repoFullName, installationId: order.installationId });
  if (!loaded.ok) return { ok: false, message: `the repo config cannot be loaded: ${loaded.message}` };
  const targets = resolvePlanTargets(loaded.config, read.plan);
  if (!targets.ok)
    return {
      ok: false,
      message: `the plan no longer fits the repo config: ${targets.issues.map((issue) => issue.message).join('; ')}`,
    };
  const run = settingsToRun(version, targets, options);
  if (!run.ok)
    return {
      ok: false,
      reason: 'config-changed',
      message: run.message,
      changes: run.changes,
      digest: version.digest,
      config: loaded.config,
    };
  const refused = checkPlanAgainstPolicy(ctx.policy.forRepo(order.repoFullName), read.plan, run.targets.hosts);
  if (refused.length > 0)
    return {
      ok: false,
      message: `the operator's policy refuses this release now: ${refused.map((issue) => issue.message).join('; ')}`,
    };
  const secrets = await ctx.secrets.read(order.repoFullName, read.plan.environment, run.targets.environment.secretEnv);
  if (!secrets.ok)
    return {
      ok: false,
      message: `secret_env cannot be read: ${describeSecretReadFailure(secrets, order.repoFullName, read.plan.environment)}`,
    };
  return {
    ok: true,
    run: {
      order,
      version,
      plan: withEffectiveCommands(read.plan, run.targets),
      config: loaded.config,
      app: run.targets.app,
      environment: run.targets.environment,
      hosts: run.targets.hosts,
      secrets: secrets.values,
      key: { repoFullName: order.repoFullName, app: read.plan.app, environment: read.plan.environment },
    },
  };
}
