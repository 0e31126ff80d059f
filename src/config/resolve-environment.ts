/** The hosts of one app environment, for commands that act on a whole environment (rollback, releases). */
import { closestMatch } from '../plan/closest-match.ts';
import { expandHostNames } from './expand-hosts.ts';
import type { AppConfig, EnvironmentConfig, RepoConfig, ResolvedHost } from './types.ts';

export type EnvironmentTargets =
  | { ok: true; app: AppConfig; environment: EnvironmentConfig; hosts: ResolvedHost[] }
  | { ok: false; message: string };

function unknown(kind: string, name: string, known: readonly string[]): string {
  const suggestion = closestMatch(name, known);
  return `unknown ${kind} ${name}${suggestion === undefined ? `; known: ${known.join(', ') || 'none'}` : `; did you mean ${suggestion}?`}`;
}

export function resolveEnvironmentTargets(config: RepoConfig, appName: string, environmentName: string): EnvironmentTargets {
  const app = Object.hasOwn(config.apps, appName) ? config.apps[appName] : undefined;
  if (app === undefined) return { ok: false, message: unknown('app', appName, Object.keys(config.apps)) };
  const environment = Object.hasOwn(app.environments, environmentName) ? app.environments[environmentName] : undefined;
  if (environment === undefined) {
    return { ok: false, message: unknown(`environment of ${appName}:`, environmentName, Object.keys(app.environments)) };
  }
  const expanded = expandHostNames(config.hosts, environment.hosts);
  if (expanded.unknown.length > 0) {
    return { ok: false, message: `environment ${environmentName} names unknown hosts: ${expanded.unknown.map((entry) => entry.name).join(', ')}` };
  }
  return { ok: true, app, environment, hosts: expanded.hosts.map((entry) => ({ entry, deployTo: entry.deployTo ?? app.deployTo })) };
}
