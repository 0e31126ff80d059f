/** The roles and subscribers that apply to an app: its project's (`projects.<name>`) before the repository's. */
import type { NotifyConfig, RepoConfig, RolesConfig } from './types.ts';

/**
 * The roles for the orders of `app`: the repository's `roles:`, with each role its project's `roles:` writes
 * replaced by the project's list (an empty list too: nobody of the repository holds that role for the project's
 * apps). An app with no project, a project not under `projects:`, or no app (an order without a plan yet, a lane)
 * gets the repository's roles. Environment `approvers:` still come first for approving, as everywhere.
 */
export function rolesForApp(
  config: Pick<RepoConfig, 'apps' | 'projects' | 'roles'>,
  app: string | undefined,
): RolesConfig {
  const project = app === undefined ? undefined : config.apps[app]?.project;
  const own = project === undefined ? undefined : config.projects[project]?.roles;
  return own === undefined ? config.roles : { ...config.roles, ...own };
}

/**
 * Who hears of the key events of `app`'s `environment`: the environment's `notify:` and its app's project's
 * `notify:`, each with its own event list (either may be absent).
 */
export function notifyConfigsFor(
  config: Pick<RepoConfig, 'apps' | 'projects'>,
  app: string,
  environment: string,
): NotifyConfig[] {
  const appConfig = config.apps[app];
  const own = appConfig?.environments[environment]?.notify;
  const project = appConfig?.project === undefined ? undefined : config.projects[appConfig.project]?.notify;
  return [own, project].filter((notify): notify is NotifyConfig => notify !== undefined);
}
