import { describe, expect, it } from 'vitest';
import { parseRepoConfig } from '../../src/config/parse-config.ts';
import type { RepoConfig } from '../../src/config/types.ts';
import { ARCHITECTURE_CONFIG, HOST_KEY } from './config-fixtures.ts';
import { valueOf } from './plan-fixtures.ts';

describe('parseRepoConfig', () => {
  it('turns the README example into a camelCase config with defaults', () => {
    const expected: RepoConfig = {
      apps: {
        'checkout-api': {
          project: 'shop',
          deployTo: '/srv/checkout-api',
          environments: {
            staging: {
              hosts: ['staging'],
              approvals: 1,
              approvers: [],
              freeze: [],
              production: false,
              env: { NODE_ENV: 'staging' },
              secretEnv: [],
            },
            production: {
              hosts: ['canary', 'web'],
              approvals: 2,
              approvers: ['team:ops'],
              freeze: ['Fri 18:00-Mon 06:00'],
              production: true,
              env: { NODE_ENV: 'production' },
              secretEnv: ['DATABASE_PASSWORD'],
            },
          },
        },
      },
      hosts: {
        canary: [{ name: 'web-1', address: '10.0.0.11', port: 22, user: 'deploy', hostKey: HOST_KEY, executor: 'ssh' }],
        web: [
          { name: 'web-2', address: '10.0.0.12', port: 22, executor: 'ssh' },
          { name: 'web-3', address: '10.0.0.13', port: 22, deployTo: '/opt/checkout', executor: 'ssh' },
        ],
        staging: [{ name: 'staging-1', address: 'staging.internal', port: 2222, executor: 'ssh' }],
      },
      roles: {
        projectManager: ['octocat'],
        developer: ['hubot'],
        ops: ['team:ops'],
        deployer: ['team:ops'],
        acceptor: ['octocat'],
      },
      projects: {},
      slack: { channel: 'C0123', users: { octocat: 'U0123' } },
    };
    expect(valueOf(parseRepoConfig(ARCHITECTURE_CONFIG))).toStrictEqual(expected);
  });

  it('fills in every default of a minimal config', () => {
    const text =
      'apps:\n  api:\n    deploy_to: /srv/api/\n    environments:\n      prod: { hosts: [h] }\nhosts:\n  h: [{ name: h, address: 127.0.0.1 }]\n';
    expect(valueOf(parseRepoConfig(text))).toStrictEqual({
      apps: {
        api: {
          deployTo: '/srv/api',
          environments: {
            prod: { hosts: ['h'], approvals: 1, approvers: [], freeze: [], production: true, env: {}, secretEnv: [] },
          },
        },
      },
      hosts: { h: [{ name: 'h', address: '127.0.0.1', port: 22, executor: 'ssh' }] },
      roles: { projectManager: [], developer: [], ops: [], deployer: [], acceptor: [] },
      projects: {},
    } satisfies RepoConfig);
  });

  it('takes production from the flag when given, else from the name', () => {
    const text = `apps:
  api:
    deploy_to: /srv/api
    environments:
      production: { hosts: [h], production: false }
      live: { hosts: [h], production: true }
      Prod: { hosts: [h] }
      qa: { hosts: [h] }
hosts: { h: [{ name: h, address: h.internal }] }
`;
    const environments = valueOf(parseRepoConfig(text)).apps.api?.environments;
    expect(
      Object.fromEntries(Object.entries(environments ?? {}).map(([name, env]) => [name, env.production])),
    ).toStrictEqual({
      production: false,
      live: true,
      Prod: true,
      qa: false,
    });
  });

  it('reads whole-number and boolean env values as strings', () => {
    const text = `apps:
  api:
    deploy_to: /srv/api
    environments:
      qa: { hosts: [h], env: { PORT: 8080, DEBUG: true, NAME: "x y" } }
hosts: { h: [{ name: h, address: h.internal }] }
`;
    expect(valueOf(parseRepoConfig(text)).apps.api?.environments.qa?.env).toStrictEqual({
      PORT: '8080',
      DEBUG: 'true',
      NAME: 'x y',
    });
  });

  it('reads transfer, executor and the local default address', () => {
    const text = `apps:
  api:
    deploy_to: /srv/api
    transfer: scp
    environments:
      qa: { hosts: [here], transfer: stream }
hosts: { here: [{ name: here, executor: local }] }
`;
    const config = valueOf(parseRepoConfig(text));
    expect(config.apps.api?.transfer).toBe('scp');
    expect(config.apps.api?.environments.qa?.transfer).toBe('stream');
    expect(config.hosts.here).toStrictEqual([{ name: 'here', address: 'localhost', port: 22, executor: 'local' }]);
  });

  it('allows a group that holds just the host of the same name', () => {
    const text = `apps: { api: { deploy_to: /srv/api, environments: { qa: { hosts: [web-1] } } } }
hosts: { web-1: [{ name: web-1, address: 10.0.0.1 }] }
`;
    expect(valueOf(parseRepoConfig(text)).hosts['web-1']?.[0]?.name).toBe('web-1');
  });
});
