/** Checks of the repo config that span several fields. */
import { closestMatch } from '../plan/index.ts';
import { expandHostNames, knownHostNames } from './expand-hosts.ts';
import type { RepoConfig } from './types.ts';

/** A problem found by a cross-check, with the YAML path of the field to blame. */
export interface CrossCheckIssue {
  path: (string | number)[];
  message: string;
}

function checkHostNames(config: RepoConfig): CrossCheckIssue[] {
  const issues: CrossCheckIssue[] = [];
  const firstGroup = new Map<string, string>();
  for (const [group, entries] of Object.entries(config.hosts)) {
    entries.forEach((entry, index) => {
      const earlier = firstGroup.get(entry.name);
      if (earlier === undefined) firstGroup.set(entry.name, group);
      else {
        const where = earlier === group ? 'earlier in this group' : `in group ${earlier}`;
        issues.push({
          path: ['hosts', group, index, 'name'],
          message: `host name ${entry.name} is already used ${where}`,
        });
      }
    });
  }
  // A name that is both a group and a host is ambiguous, unless the group is just that host.
  for (const [group, entries] of Object.entries(config.hosts)) {
    const sameHost = firstGroup.get(group);
    const isJustThatHost = entries.length === 1 && entries[0]?.name === group;
    if (sameHost !== undefined && !isJustThatHost) {
      issues.push({
        path: ['hosts', group],
        message: `${group} is both a group and a host name (in group ${sameHost})`,
      });
    }
  }
  return issues;
}

function checkEnvironments(config: RepoConfig): CrossCheckIssue[] {
  const issues: CrossCheckIssue[] = [];
  const known = knownHostNames(config.hosts);
  for (const [appName, app] of Object.entries(config.apps)) {
    for (const [envName, environment] of Object.entries(app.environments)) {
      const base = ['apps', appName, 'environments', envName];
      for (const { index, name } of expandHostNames(config.hosts, environment.hosts).unknown) {
        const suggestion = closestMatch(name, known);
        const hint = suggestion === undefined ? '' : `; did you mean ${suggestion}?`;
        issues.push({ path: [...base, 'hosts', index], message: `unknown host or group ${name}${hint}` });
      }
      environment.secretEnv.forEach((name, index) => {
        if (Object.hasOwn(environment.env, name)) {
          issues.push({
            path: [...base, 'secret_env', index],
            message: `${name} is also set in env; keep it in one place`,
          });
        }
      });
    }
  }
  return issues;
}

/** Once `projects:` defines any project, an app's `project:` must name one of them (a typo would drop its roles). */
function checkProjects(config: RepoConfig): CrossCheckIssue[] {
  const defined = Object.keys(config.projects);
  if (defined.length === 0) return [];
  return Object.entries(config.apps).flatMap(([appName, app]) => {
    if (app.project === undefined || Object.hasOwn(config.projects, app.project)) return [];
    const suggestion = closestMatch(app.project, defined);
    const hint = suggestion === undefined ? `; projects: ${defined.join(', ')}` : `; did you mean ${suggestion}?`;
    return [{ path: ['apps', appName, 'project'], message: `project ${app.project} is not under projects:${hint}` }];
  });
}

/**
 * Checks that every environment's hosts name an existing group or host, that host names are unique across groups,
 * that no variable is both plain and secret, and that apps name defined projects (when `projects:` lists any).
 */
export function crossCheckConfig(config: RepoConfig): CrossCheckIssue[] {
  return [...checkHostNames(config), ...checkEnvironments(config), ...checkProjects(config)];
}
