import { describe, expect, it } from 'vitest';
import type { RolesConfig } from '../../src/config/types.ts';
import { authorize, requiredRole, type Action, type AuthorizationContext } from '../../src/workorders/authorize.ts';
import type { TeamMembership } from '../../src/workorders/roles.ts';

const ROLES: RolesConfig = {
  projectManager: ['octocat'],
  developer: ['hubot'],
  ops: ['team:ops'],
  deployer: ['team:ops'],
  acceptor: ['octocat'],
};

const TEAMS: TeamMembership = {
  isMember: (_org, slug, login) => Promise.resolve(slug === 'ops' && ['carol', 'dave', 'hubot'].includes(login)),
};

const PRODUCTION: AuthorizationContext = {
  roles: ROLES,
  org: 'acme',
  membership: TEAMS,
  target: { app: 'checkout-api', environment: 'production', config: { approvers: ['team:ops'] } },
  planAuthor: 'hubot',
};

describe('requiredRole', () => {
  it('follows the roles of the architecture', () => {
    const table: [Action, string][] = [
      [{ name: 'open-order' }, 'project_manager'],
      [{ name: 'open-deployment', environment: 'staging' }, 'project_manager'],
      [{ name: 'write-plan' }, 'developer'],
      [{ name: 'approve' }, 'approver'],
      [{ name: 'reject', reason: 'no' }, 'approver'],
      [{ name: 'deploy' }, 'deployer'],
      [{ name: 'deploy', overrideFreeze: { reason: 'hotfix' } }, 'deployer'],
      [{ name: 'abort' }, 'deployer'],
      [{ name: 'rollback' }, 'deployer'],
      [{ name: 'retry-failed' }, 'deployer'],
      [{ name: 'lock', reason: 'db migration' }, 'deployer'],
      [{ name: 'unlock' }, 'deployer'],
      [{ name: 'accept' }, 'acceptor'],
      [{ name: 'status' }, 'anyone'],
    ];
    expect(table.map(([action]) => requiredRole(action))).toEqual(table.map(([, role]) => role));
  });
});

describe('authorize', () => {
  it('refuses each command to someone without its role, saying who has it', async () => {
    const refusals: [Action, string][] = [
      [{ name: 'approve' }, '@bob is not an approver of checkout-api/production (approvers: team:ops)'],
      [
        { name: 'reject', reason: 'too risky' },
        '@bob is not an approver of checkout-api/production (approvers: team:ops)',
      ],
      [{ name: 'deploy' }, '@bob is not a deployer and cannot use /deploy (deployer: team:ops)'],
      [
        { name: 'deploy', overrideFreeze: { reason: 'hotfix' } },
        '@bob is not a deployer and cannot override a freeze with /deploy --override-freeze (deployer: team:ops)',
      ],
      [
        { name: 'open-deployment', environment: 'staging' },
        '@bob is not a project manager and cannot open a deployment with /deploy staging (project_manager: octocat)',
      ],
      [{ name: 'abort' }, '@bob is not a deployer and cannot use /abort (deployer: team:ops)'],
      [{ name: 'rollback', version: '2.4.0' }, '@bob is not a deployer and cannot use /rollback (deployer: team:ops)'],
      [{ name: 'retry-failed' }, '@bob is not a deployer and cannot use /retry-failed (deployer: team:ops)'],
      [{ name: 'lock', reason: 'migration' }, '@bob is not a deployer and cannot use /lock (deployer: team:ops)'],
      [{ name: 'unlock' }, '@bob is not a deployer and cannot use /unlock (deployer: team:ops)'],
      [{ name: 'accept' }, '@bob is not an acceptor and cannot use /accept (acceptor: octocat)'],
      [{ name: 'open-order' }, '@bob is not a project manager and cannot open work orders (project_manager: octocat)'],
      [{ name: 'write-plan' }, '@bob is not a developer and cannot write plans (developer: hubot)'],
    ];
    for (const [action, message] of refusals) {
      const result = await authorize(action, 'bob', PRODUCTION);
      expect(result, action.name).toEqual({ ok: false, reason: 'not-allowed', role: requiredRole(action), message });
    }
  });

  it('allows each command to someone with its role, through a team or by login in any case', async () => {
    const allowed: [Action, string][] = [
      [{ name: 'approve' }, 'carol'],
      [{ name: 'reject', reason: 'too risky' }, 'Dave'],
      [{ name: 'deploy', overrideFreeze: { reason: 'hotfix' } }, 'carol'],
      [{ name: 'abort' }, 'carol'],
      [{ name: 'rollback' }, 'carol'],
      [{ name: 'retry-failed' }, 'carol'],
      [{ name: 'lock', reason: 'migration' }, 'carol'],
      [{ name: 'unlock' }, 'carol'],
      [{ name: 'accept' }, 'OctoCat'],
      [{ name: 'open-deployment', environment: 'staging' }, 'octocat'],
      [{ name: 'open-order' }, 'octocat'],
      [{ name: 'write-plan' }, 'HUBOT'],
    ];
    for (const [action, actor] of allowed) {
      expect(await authorize(action, actor, PRODUCTION), `${action.name} by ${actor}`).toEqual({ ok: true });
    }
  });

  it('lets anyone ask for /status without asking GitHub anything', async () => {
    const noLookups: TeamMembership = { isMember: () => Promise.reject(new Error('no lookup expected')) };
    expect(await authorize({ name: 'status' }, 'stranger', { ...PRODUCTION, membership: noLookups })).toEqual({
      ok: true,
    });
  });

  it('never lets the plan author approve their own plan, even as an approver', async () => {
    expect(await authorize({ name: 'approve' }, '@Hubot', PRODUCTION)).toEqual({
      ok: false,
      reason: 'own-plan',
      role: 'approver',
      message: '@Hubot wrote this plan and cannot approve it: another approver must (four eyes)',
    });
    expect(await authorize({ name: 'reject', reason: 'found a bug in my plan' }, 'hubot', PRODUCTION)).toEqual({
      ok: true,
    });
  });

  it("uses the environment's approvers over the ops role", async () => {
    const context: AuthorizationContext = {
      ...PRODUCTION,
      target: { app: 'checkout-api', environment: 'production', config: { approvers: ['erin'] } },
    };
    expect(await authorize({ name: 'approve' }, 'erin', context)).toEqual({ ok: true });
    expect(await authorize({ name: 'approve' }, 'carol', context)).toMatchObject({
      message: '@carol is not an approver of checkout-api/production (approvers: erin)',
    });
  });

  it('falls back to the ops role, and says so plainly, when the order has no plan yet or no approvers', async () => {
    const { target: _target, ...noPlan } = PRODUCTION;
    expect(await authorize({ name: 'approve' }, 'bob', noPlan)).toMatchObject({
      message: '@bob is not an approver (approvers: team:ops)',
    });
    const staging: AuthorizationContext = {
      ...PRODUCTION,
      target: { app: 'checkout-api', environment: 'staging', config: { approvers: [] } },
    };
    expect(await authorize({ name: 'approve' }, 'carol', staging)).toEqual({ ok: true });
  });

  it('says when nobody holds a role', async () => {
    const context: AuthorizationContext = { ...PRODUCTION, roles: { ...ROLES, acceptor: [] } };
    expect(await authorize({ name: 'accept' }, 'octocat', context)).toMatchObject({
      message: '@octocat is not an acceptor and cannot use /accept (nobody is listed as acceptor)',
    });
  });
});
