/** Whether a grant lets a repository use a host of its config. */
import type { HostEntry } from '../config/types.ts';
import { hostMatcher, parseHostPattern, type HostPattern } from './host-patterns.ts';
import { describeOrigin } from './repo-grant.ts';
import type { RepoGrant } from './types.ts';

function patternsOf(texts: readonly string[]): HostPattern[] {
  return texts.flatMap((text) => {
    const parsed = parseHostPattern(text);
    return parsed.ok ? [parsed.pattern] : [];
  });
}

/**
 * Checks a host entry against a grant: its executor must be listed; an `ssh` host's address (as the config writes
 * it) must match the grant's hosts. A `local` host has no address to speak of: listing `local` is the permission.
 *
 * @returns `undefined` when the host is allowed, else why not.
 */
export function hostProblem(grant: RepoGrant, host: HostEntry): string | undefined {
  if (grant.origin.kind === 'no-rule') return `no rule of ${describeOrigin(grant)} matches ${grant.repoFullName}`;
  if (!grant.executors.includes(host.executor)) {
    const allowed = grant.executors.length === 0 ? 'none' : grant.executors.join(', ');
    return `host ${host.name} uses executor ${host.executor}, which ${describeOrigin(grant)} does not allow for ${grant.repoFullName} (allowed: ${allowed})`;
  }
  if (host.executor === 'local' || grant.hosts.kind === 'any') return undefined;
  if (hostMatcher(patternsOf(grant.hosts.patterns)).matches(host.address)) return undefined;
  return `host ${host.name} (address ${host.address}) is not among the hosts ${describeOrigin(grant)} allows for ${grant.repoFullName}`;
}
