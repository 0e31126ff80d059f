/** The policy inputs of an order: its plan's environment in the repo config, and the authorization context. */
import { findEnvironment, rolesForApp } from '../../config/index.ts';
import type { AppConfig, EnvironmentConfig, RepoConfig } from '../../config/types.ts';
import type { Plan } from '../../plan/types.ts';
import type { AuthorizationContext } from '../authorize.ts';
import { parseFreezeWindows } from '../freeze.ts';
import { freezeState, type FreezeState } from '../freeze-end.ts';
import type { StoredPlan } from './plan-store.ts';
import type { RepoContext } from './types.ts';

/** The app and environment a plan targets, as configured now. */
export interface PlanTarget {
  app: string;
  environment: string;
  appConfig: AppConfig;
  config: EnvironmentConfig;
}

/** The plan's environment in `config`, or a message saying it is not (any more) configured. */
export function planTarget(
  config: RepoConfig,
  plan: Pick<Plan, 'app' | 'environment'>,
): { ok: true; target: PlanTarget } | { ok: false; message: string } {
  const found = findEnvironment(config, plan.app, plan.environment);
  if (!found.ok) return { ok: false, message: found.message };
  return {
    ok: true,
    target: { app: plan.app, environment: plan.environment, appConfig: found.app, config: found.environment },
  };
}

/**
 * What `authorize` needs, from the repo context and the order's current plan (if any). The roles are those of the
 * plan's app (its project's before the repository's: `rolesForApp`), else of `app` (a plan being written), else the
 * repository's (an order without a plan).
 */
export function authorizationContextFor(
  context: RepoContext,
  stored: StoredPlan | undefined,
  app?: string,
): AuthorizationContext {
  const roles = rolesForApp(context.config, stored?.plan.app ?? app);
  const base: AuthorizationContext = { roles, org: context.org, membership: context.membership };
  if (stored === undefined) return base;
  const found = planTarget(context.config, stored.plan);
  return {
    ...base,
    planAuthor: stored.row.author,
    ...(found.ok
      ? { target: { app: found.target.app, environment: found.target.environment, config: found.target.config } }
      : {}),
  };
}

/** Whether the environment is frozen at `at`, and until when; or why its windows cannot be read. */
export function environmentFreeze(
  environment: Pick<EnvironmentConfig, 'freeze'>,
  at: Date,
): { ok: true; state: FreezeState } | { ok: false; message: string } {
  const windows = parseFreezeWindows(environment.freeze);
  if (!windows.ok)
    return { ok: false, message: `the environment's freeze windows cannot be read (${windows.message})` };
  return { ok: true, state: freezeState(windows.windows, at) };
}
