import { describe, expect, it } from 'vitest';
import type { RolesConfig } from '../../src/config/types.ts';
import {
  approverPrincipals,
  hasRole,
  holdersAmong,
  holdsPrincipal,
  normalizeLogin,
  teamSlugOf,
  type TeamMembership,
} from '../../src/workorders/roles.ts';

const ROLES: RolesConfig = {
  projectManager: ['octocat'],
  developer: ['hubot'],
  ops: ['team:ops'],
  deployer: ['team:ops', 'Release-Bot'],
  acceptor: ['octocat'],
};

/** Team membership from a table (team → logins as GitHub returns them), recording every question. */
function membership(teams: Record<string, string[]>): TeamMembership & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    isMember(org, teamSlug, login) {
      calls.push(`${org}/${teamSlug}:${login}`);
      const members = teams[teamSlug] ?? [];
      return Promise.resolve(members.some((member) => member.toLowerCase() === login.toLowerCase()));
    },
  };
}

describe('holdsPrincipal', () => {
  it('matches logins whatever their case, with or without @', async () => {
    const teams = membership({});
    expect(await holdsPrincipal(['Octocat'], 'octocat', 'acme', teams)).toBe(true);
    expect(await holdsPrincipal(['octocat'], 'OCTOCAT', 'acme', teams)).toBe(true);
    expect(await holdsPrincipal(['octocat'], '@octocat', 'acme', teams)).toBe(true);
    expect(await holdsPrincipal(['octocat'], 'octocats', 'acme', teams)).toBe(false);
    expect(await holdsPrincipal(['octocat'], '', 'acme', teams)).toBe(false);
  });

  it('asks for team membership with the org, the lowercase slug and the lowercase login', async () => {
    const teams = membership({ ops: ['carol'] });
    expect(await holdsPrincipal(['team:Ops'], 'Carol', 'acme', teams)).toBe(true);
    expect(teams.calls).toEqual(['acme/ops:carol']);
    expect(await holdsPrincipal(['team:ops'], 'mallory', 'acme', teams)).toBe(false);
  });

  it('checks named logins before asking about teams, and stops at the first team that says yes', async () => {
    const teams = membership({ sre: ['carol'], ops: ['carol'] });
    expect(await holdsPrincipal(['team:sre', 'dave'], 'dave', 'acme', teams)).toBe(true);
    expect(teams.calls).toEqual([]);
    expect(await holdsPrincipal(['team:sre', 'team:ops'], 'carol', 'acme', teams)).toBe(true);
    expect(teams.calls).toEqual(['acme/sre:carol']);
  });

  it('does not turn a failed lookup into an answer', async () => {
    const broken: TeamMembership = { isMember: () => Promise.reject(new Error('GitHub is down')) };
    await expect(holdsPrincipal(['team:ops'], 'carol', 'acme', broken)).rejects.toThrow('GitHub is down');
  });

  it('does not read a login that merely starts with "team" as a team', () => {
    expect(teamSlugOf('teamlead')).toBeUndefined();
    expect(teamSlugOf('TEAM:Ops')).toBe('ops');
    expect(normalizeLogin(' @Hubot ')).toBe('hubot');
  });
});

describe('hasRole', () => {
  it('reads the list of the role asked for', async () => {
    const teams = membership({ ops: ['carol'] });
    expect(await hasRole(ROLES, 'deployer', 'release-bot', 'acme', teams)).toBe(true);
    expect(await hasRole(ROLES, 'ops', 'release-bot', 'acme', teams)).toBe(false);
    expect(await hasRole(ROLES, 'deployer', 'carol', 'acme', teams)).toBe(true);
    expect(await hasRole(ROLES, 'acceptor', 'carol', 'acme', teams)).toBe(false);
    expect(await hasRole(ROLES, 'projectManager', 'OctoCat', 'acme', teams)).toBe(true);
  });
});

describe('approverPrincipals', () => {
  it("is the environment's approvers when set, else the ops role", () => {
    expect(approverPrincipals(ROLES, { approvers: ['team:dba', 'erin'] })).toEqual(['team:dba', 'erin']);
    expect(approverPrincipals(ROLES, { approvers: [] })).toEqual(['team:ops']);
    expect(approverPrincipals(ROLES)).toEqual(['team:ops']);
  });
});

describe('holdersAmong', () => {
  it('returns the lowercase logins that hold a principal, asking once per person', async () => {
    const teams = membership({ ops: ['carol', 'dave'] });
    const holders = await holdersAmong(['team:ops', 'erin'], ['Carol', 'carol', 'ERIN', 'mallory'], 'acme', teams);
    expect([...holders].sort()).toEqual(['carol', 'erin']);
    expect(teams.calls).toEqual(['acme/ops:carol', 'acme/ops:mallory']);
  });
});
