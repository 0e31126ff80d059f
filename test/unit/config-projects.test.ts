/** `projects:` in the repo config: its schema and cross-check, whose roles and subscribers apply, and its diff. */
import { describe, expect, it } from 'vitest';
import { diffConfigs, notifyConfigsFor, rolesForApp } from '../../src/config/index.ts';
import { parseRepoConfig } from '../../src/config/parse-config.ts';
import { NOTIFY_EVENT_KINDS } from '../../src/config/types.ts';
import { issuesOf, valueOf } from './plan-fixtures.ts';

const APPS = `apps:
  checkout:
    project: shop
    deploy_to: /srv/checkout
    environments:
      production:
        hosts: [web]
        notify: { email: [ops@example.com], events: [failed] }
  cart:
    project: shop
    deploy_to: /srv/cart
    environments: { production: { hosts: [web] } }
  billing:
    deploy_to: /srv/billing
    environments: { production: { hosts: [web] } }
hosts:
  web: [{ name: web-1, address: 10.0.0.1 }]
roles:
  project_manager: [pam]
  developer: [dev]
  ops: [team:ops]
  deployer: [dora]
  acceptor: [pam]
`;

const PROJECTS = `projects:
  shop:
    description: Checkout and cart
    roles:
      deployer: [sam, team:shop-deployers]
      ops: []
    notify: { slack: [C0SHOP], email: [ops@example.com, shop@example.com] }
`;

describe('projects in the repo config', () => {
  it('reads description, roles (only those written) and notify', () => {
    const config = valueOf(parseRepoConfig(APPS + PROJECTS));
    expect(config.projects).toEqual({
      shop: {
        description: 'Checkout and cart',
        roles: { deployer: ['sam', 'team:shop-deployers'], ops: [] },
        notify: {
          events: [...NOTIFY_EVENT_KINDS],
          slack: ['C0SHOP'],
          email: ['ops@example.com', 'shop@example.com'],
          webhooks: [],
        },
      },
    });
    expect(valueOf(parseRepoConfig(APPS)).projects).toEqual({});
    expect(valueOf(parseRepoConfig(`${APPS}projects:\n  shop: {}\n`)).projects).toEqual({ shop: { roles: {} } });
  });

  it('refuses an app naming a project that projects: does not define, and unknown fields', () => {
    const typo = (APPS + PROJECTS).replace(
      '    project: shop\n    deploy_to: /srv/cart',
      '    project: shops\n    deploy_to: /srv/cart',
    );
    expect(issuesOf(parseRepoConfig(typo))).toEqual([
      'line 10, column 5, apps.cart.project: project shops is not under projects:; did you mean shop?',
    ]);
    expect(issuesOf(parseRepoConfig(`${APPS}projects:\n  shop:\n    roles: { deployers: [x] }\n`))).toEqual([
      expect.stringContaining('projects.shop.roles'),
    ]);
    expect(issuesOf(parseRepoConfig(`${APPS}projects:\n  shop: { description: "a\\nb" }\n`))).toEqual([
      expect.stringContaining('projects.shop.description: must be one line'),
    ]);
    // Without projects:, project: stays a free label for the statistics.
    expect(valueOf(parseRepoConfig(APPS.replace('project: shop', 'project: anything'))).apps.checkout?.project).toBe(
      'anything',
    );
  });

  it("replaces the repository's roles with the project's, one role at a time", () => {
    const config = valueOf(parseRepoConfig(APPS + PROJECTS));
    expect(rolesForApp(config, 'checkout')).toEqual({
      projectManager: ['pam'],
      developer: ['dev'],
      ops: [],
      deployer: ['sam', 'team:shop-deployers'],
      acceptor: ['pam'],
    });
    expect(rolesForApp(config, 'billing')).toEqual(config.roles);
    expect(rolesForApp(config, undefined)).toEqual(config.roles);
    expect(rolesForApp(config, 'no-such-app')).toEqual(config.roles);
  });

  it("gives an environment its own subscribers and its project's", () => {
    const config = valueOf(parseRepoConfig(APPS + PROJECTS));
    const [own, project] = notifyConfigsFor(config, 'checkout', 'production');
    expect(own?.email).toEqual(['ops@example.com']);
    expect(own?.events).toEqual(['failed']);
    expect(project?.slack).toEqual(['C0SHOP']);
    expect(notifyConfigsFor(config, 'cart', 'production')).toHaveLength(1);
    expect(notifyConfigsFor(config, 'billing', 'production')).toEqual([]);
  });

  it('reports projects added, removed and their roles and subscribers changed', () => {
    const before = valueOf(parseRepoConfig(APPS + PROJECTS));
    const after = valueOf(
      parseRepoConfig(
        (APPS + PROJECTS)
          .replace('      ops: []\n', '      acceptor: [ann]\n')
          .replace('deployer: [sam, team:shop-deployers]', 'deployer: [sam]')
          .replace('slack: [C0SHOP]', 'slack: [C0SHOP, C0MORE]'),
      ),
    );
    expect(diffConfigs(before, after).map((change) => [change.kind, change.text])).toEqual([
      ['roles', "project shop: role ops removed (the repository's applies)"],
      ['roles', 'project shop: role deployer removed team:shop-deployers'],
      ['roles', 'project shop: role acceptor set to ann'],
      ['notifications', 'project shop: notify slack added C0MORE'],
    ]);
    const none = valueOf(parseRepoConfig(APPS));
    expect(diffConfigs(none, before).map((change) => change.text)).toEqual([
      'project shop: added',
      'project shop: description Checkout and cart added',
      'project shop: role ops set to nobody',
      'project shop: role deployer set to sam, team:shop-deployers',
      ...NOTIFY_EVENT_KINDS.map((kind) => `project shop: notify event added ${kind}`),
      'project shop: notify slack added C0SHOP',
      'project shop: notify email added ops@example.com',
      'project shop: notify email added shop@example.com',
    ]);
    expect(diffConfigs(before, none).map((change) => change.text)).toContain('project shop: removed');
  });
});
