/** Which hosts a plan releases to, and where on each. */
import type { Plan, SourceIssue } from '../plan/types.ts';
import { expandHostNames, knownHostNames } from './expand-hosts.ts';
import { findEnvironment, unknownName } from './find-environment.ts';
import type { AppConfig, EnvironmentConfig, RepoConfig, ResolvedHost } from './types.ts';

export type ResolvedTargets =
  | { ok: true; app: AppConfig; environment: EnvironmentConfig; hosts: ResolvedHost[] }
  | { ok: false; issues: SourceIssue[] };

// The plan's text is not at hand here, so issues carry the field path without a position.
function issue(path: string, message: string): SourceIssue {
  return { line: 0, column: 0, path, message };
}

/**
 * Looks up the plan's app and environment in the config and lists its target hosts in rollout order.
 *
 * The plan's `hosts` (groups or host names) are expanded in order and deduplicated; absent, the environment's hosts
 * are used. A plan may narrow the environment's hosts but never widen them: a host outside the environment is an
 * issue, since the environment's approvals and freeze windows are what reviewers agreed to.
 */
export function resolvePlanTargets(config: RepoConfig, plan: Plan): ResolvedTargets {
  const found = findEnvironment(config, plan.app, plan.environment);
  if (!found.ok) return { ok: false, issues: [issue(found.field, found.message)] };
  const { app, environment } = found;

  const allowed = expandHostNames(config.hosts, environment.hosts);
  const allowedNames = new Set(allowed.hosts.map((entry) => entry.name));
  const issues: SourceIssue[] = allowed.unknown.map(({ name }) =>
    issue('environment', `environment ${plan.environment} names unknown host or group ${name}`),
  );

  let targets = allowed.hosts;
  if (plan.hosts !== undefined) {
    const chosen = expandHostNames(config.hosts, plan.hosts);
    for (const { index, name } of chosen.unknown) {
      issues.push(issue(`hosts[${index}]`, unknownName('host or group', name, knownHostNames(config.hosts))));
    }
    plan.hosts.forEach((name, index) => {
      const outside = expandHostNames(config.hosts, [name]).hosts.filter((entry) => !allowedNames.has(entry.name));
      if (outside.length > 0) {
        const names = outside.map((entry) => entry.name).join(', ');
        issues.push(
          issue(
            `hosts[${index}]`,
            `not part of environment ${plan.environment}: ${names} (a plan may narrow its hosts, never widen them)`,
          ),
        );
      }
    });
    targets = chosen.hosts;
  }
  if (issues.length > 0) return { ok: false, issues };
  if (targets.length === 0) return { ok: false, issues: [issue('hosts', 'no hosts to release to')] };

  const hosts = targets.map((entry): ResolvedHost => ({ entry, deployTo: entry.deployTo ?? app.deployTo }));
  return { ok: true, app, environment, hosts };
}
