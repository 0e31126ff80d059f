/** From the policy (or its absence) to what one repository may do. */
import { globMatches } from './glob.ts';
import { DEFAULT_MAX_LANE_INSTANCES, DEFAULT_MAX_LANE_TTL_MS } from './limits.ts';
import type { PolicyFile, RepoGrant } from './types.ts';

/**
 * The built-in grant without a policy file, safe for a single team: any host, executor `ssh` only, packages over
 * https, http only to public addresses, files only in the artifact store, lanes up to 72 hours and 20 instances,
 * plans may set their own commands.
 */
export function defaultGrant(repoFullName: string, artifactsDir: string): RepoGrant {
  return {
    repoFullName,
    origin: { kind: 'defaults' },
    hosts: { kind: 'any' },
    executors: ['ssh'],
    artifacts: { kind: 'defaults' },
    artifactsDir,
    maxLaneTtlMs: DEFAULT_MAX_LANE_TTL_MS,
    maxLaneInstances: DEFAULT_MAX_LANE_INSTANCES,
    allowCustomCommands: true,
  };
}

/** A repository no rule matches: it may touch nothing. */
export function emptyGrant(repoFullName: string, artifactsDir: string, file: string): RepoGrant {
  return {
    repoFullName,
    origin: { kind: 'no-rule', file },
    hosts: { kind: 'patterns', patterns: [] },
    executors: [],
    artifacts: { kind: 'prefixes', prefixes: [] },
    artifactsDir,
    maxLaneTtlMs: 0,
    maxLaneInstances: 0,
    allowCustomCommands: false,
  };
}

/** The grant of the first rule whose `match` fits `repoFullName` (case-insensitive), else nothing. */
export function grantFromPolicy(
  policy: PolicyFile,
  file: string,
  repoFullName: string,
  artifactsDir: string,
): RepoGrant {
  const index = policy.repos.findIndex((rule) => globMatches(rule.match, repoFullName));
  const rule = policy.repos[index];
  if (rule === undefined) return emptyGrant(repoFullName, artifactsDir, file);
  return {
    repoFullName,
    origin: { kind: 'rule', index, match: rule.match, file },
    hosts: { kind: 'patterns', patterns: rule.hosts },
    executors: rule.executors,
    artifacts: rule.artifacts === undefined ? { kind: 'defaults' } : { kind: 'prefixes', prefixes: rule.artifacts },
    artifactsDir,
    ...(rule.sshIdentity === undefined ? {} : { sshIdentity: rule.sshIdentity }),
    maxLaneTtlMs: rule.maxLaneTtlMs,
    maxLaneInstances: rule.maxLaneInstances,
    allowCustomCommands: rule.allowCustomCommands,
  };
}

/** How a message names where a grant comes from: `rule 2 (acme/*) of /etc/yardmaster/policy.yml`. */
export function describeOrigin(grant: RepoGrant): string {
  switch (grant.origin.kind) {
    case 'rule':
      return `rule ${grant.origin.index + 1} (${grant.origin.match}) of the operator's policy ${grant.origin.file}`;
    case 'defaults':
      return "the operator's default policy (no YARDMASTER_POLICY file)";
    case 'no-rule':
      return `the operator's policy ${grant.origin.file}`;
  }
}
