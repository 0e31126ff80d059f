/** Who holds a role: GitHub logins and `team:slug` entries of the repo config (docs/architecture.md, "Repo config"). */
import type { EnvironmentConfig, RolesConfig } from '../config/types.ts';
import type { RoleName } from './types.ts';

/** Team membership lookups, injected so that the domain never talks to GitHub itself. */
export interface TeamMembership {
  /** Whether `login` is an active member of `org`'s team `teamSlug` (lowercase slug). */
  isMember(org: string, teamSlug: string, login: string): Promise<boolean>;
}

const TEAM_PREFIX = 'team:';

/** The slug of a `team:slug` entry (lowercased, as GitHub's slugs are), or `undefined` for a login. */
export function teamSlugOf(principal: string): string | undefined {
  if (!principal.toLowerCase().startsWith(TEAM_PREFIX)) return undefined;
  return principal.slice(TEAM_PREFIX.length).toLowerCase();
}

/** A login as compared: GitHub logins are case-insensitive, and people write `@octocat` out of habit. */
export function normalizeLogin(login: string): string {
  return login.trim().replace(/^@/, '').toLowerCase();
}

/**
 * Whether `login` is one of `principals`: named directly, or a member of a listed team of `org`.
 *
 * Logins are checked first, so a directly named person costs no lookup; teams are asked one after the other and
 * the first yes ends the search. A failing lookup rejects the promise: an unknown answer is never a yes.
 */
export async function holdsPrincipal(
  principals: readonly string[],
  login: string,
  org: string,
  membership: TeamMembership,
): Promise<boolean> {
  const wanted = normalizeLogin(login);
  if (wanted === '') return false;
  const teams: string[] = [];
  for (const principal of principals) {
    const slug = teamSlugOf(principal);
    if (slug === undefined) {
      if (normalizeLogin(principal) === wanted) return true;
    } else if (slug !== '') {
      teams.push(slug);
    }
  }
  for (const slug of teams) {
    if (await membership.isMember(org, slug, wanted)) return true;
  }
  return false;
}

/** Whether `login` holds `role` of the repo config. */
export function hasRole(
  roles: RolesConfig,
  role: RoleName,
  login: string,
  org: string,
  membership: TeamMembership,
): Promise<boolean> {
  return holdsPrincipal(roles[role], login, org, membership);
}

/**
 * Who may approve or reject a plan for an environment: its `approvers` when the list is set, else the `ops` role.
 * Without a known environment (an order with no plan yet), the `ops` role.
 */
export function approverPrincipals(roles: RolesConfig, environment?: Pick<EnvironmentConfig, 'approvers'>): string[] {
  return environment !== undefined && environment.approvers.length > 0 ? environment.approvers : roles.ops;
}

/**
 * The subset of `logins` that hold one of `principals`, normalised (lowercase); for turning the async membership
 * question into the synchronous `isApprover` that quorum evaluation takes.
 */
export async function holdersAmong(
  principals: readonly string[],
  logins: Iterable<string>,
  org: string,
  membership: TeamMembership,
): Promise<ReadonlySet<string>> {
  const distinct = new Set<string>();
  for (const login of logins) distinct.add(normalizeLogin(login));
  const holders = new Set<string>();
  for (const login of distinct) {
    if (await holdsPrincipal(principals, login, org, membership)) holders.add(login);
  }
  return holders;
}
