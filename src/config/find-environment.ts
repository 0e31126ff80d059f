/** Looks up an app and one of its environments in the config, with "did you mean …?" when a name is unknown. */
import { closestMatch } from '../plan/index.ts';
import type { AppConfig, EnvironmentConfig, RepoConfig } from './types.ts';

export type FoundEnvironment =
  | { ok: true; app: AppConfig; environment: EnvironmentConfig }
  | { ok: false; field: 'app' | 'environment'; message: string };

/** `unknown <kind> <name>; did you mean …?` (or the known names when nothing is close). */
export function unknownName(kind: string, name: string, known: readonly string[]): string {
  const suggestion = closestMatch(name, known);
  const hint = suggestion === undefined ? `; known: ${known.join(', ') || 'none'}` : `; did you mean ${suggestion}?`;
  return `unknown ${kind} ${name}${hint}`;
}

export function findEnvironment(config: RepoConfig, appName: string, environmentName: string): FoundEnvironment {
  const app = Object.hasOwn(config.apps, appName) ? config.apps[appName] : undefined;
  if (app === undefined)
    return { ok: false, field: 'app', message: unknownName('app', appName, Object.keys(config.apps)) };
  const environment = Object.hasOwn(app.environments, environmentName) ? app.environments[environmentName] : undefined;
  if (environment === undefined) {
    return {
      ok: false,
      field: 'environment',
      message: unknownName(`environment of ${appName}:`, environmentName, Object.keys(app.environments)),
    };
  }
  return { ok: true, app, environment };
}
