/**
 * Which environments a change of the config on the default branch sets: those it adds (a new app's included) and
 * those whose own settings it changes (hosts, approvals, approvers, freeze, env, notify, …). Pure.
 */
import type { EnvironmentSetAuditData, RepoConfig } from '../config/types.ts';
import { canonicalJson } from '../lib/canonical-json.ts';

export type EnvironmentSet = Omit<EnvironmentSetAuditData, 'commit' | 'installationId'>;

/** `before` null: there was no valid config in force, so every environment of `after` is added. */
export function environmentsSet(before: RepoConfig | null, after: RepoConfig): EnvironmentSet[] {
  const set: EnvironmentSet[] = [];
  for (const [app, appConfig] of Object.entries(after.apps)) {
    for (const [environment, settings] of Object.entries(appConfig.environments)) {
      const old = before?.apps[app]?.environments[environment];
      if (old === undefined) set.push({ app, environment, change: 'added' });
      else if (canonicalJson(old) !== canonicalJson(settings)) set.push({ app, environment, change: 'changed' });
    }
  }
  return set;
}
