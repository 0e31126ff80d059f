/** The hosts of one app environment, for commands that act on a whole environment (rollback, releases). */
import { expandHostNames } from './expand-hosts.ts';
import { findEnvironment } from './find-environment.ts';
import type { AppConfig, EnvironmentConfig, RepoConfig, ResolvedHost } from './types.ts';

export type EnvironmentTargets =
  | { ok: true; app: AppConfig; environment: EnvironmentConfig; hosts: ResolvedHost[] }
  | { ok: false; message: string };

/** Every host of the environment, in config order, with its deploy dir. */
export function resolveEnvironmentTargets(
  config: RepoConfig,
  appName: string,
  environmentName: string,
): EnvironmentTargets {
  const found = findEnvironment(config, appName, environmentName);
  if (!found.ok) return found;
  const { app, environment } = found;
  const expanded = expandHostNames(config.hosts, environment.hosts);
  if (expanded.unknown.length > 0) {
    return {
      ok: false,
      message: `environment ${environmentName} names unknown hosts: ${expanded.unknown.map((entry) => entry.name).join(', ')}`,
    };
  }
  return {
    ok: true,
    app,
    environment,
    hosts: expanded.hosts.map((entry) => ({ entry, deployTo: entry.deployTo ?? app.deployTo })),
  };
}
