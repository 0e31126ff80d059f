/** diffConfigs and its formatters, on real parsed configs: the README example and edits of its text. */
import { describe, expect, it } from 'vitest';
import {
  type ConfigChange,
  diffConfigs,
  formatConfigChangesMarkdown,
  formatConfigChangesText,
} from '../../src/config/index.ts';
import { parseRepoConfig } from '../../src/config/parse-config.ts';
import type { RepoConfig } from '../../src/config/types.ts';
import { ARCHITECTURE_CONFIG } from './config-fixtures.ts';
import { valueOf } from './plan-fixtures.ts';

const BASE = valueOf(parseRepoConfig(ARCHITECTURE_CONFIG));

/** The README config with one piece of its text replaced (the piece must be there). */
function edited(from: string, to: string): RepoConfig {
  expect(ARCHITECTURE_CONFIG).toContain(from);
  return valueOf(parseRepoConfig(ARCHITECTURE_CONFIG.replace(from, to)));
}

function texts(changes: readonly ConfigChange[]): string[] {
  return changes.map((change) => change.text);
}

const PRODUCTION = '        approvals: 2\n        approvers: [team:ops]\n';
const STAGING_LINE = '      staging:    { hosts: [staging], approvals: 1, env: { NODE_ENV: staging } }\n';

describe('diffConfigs', () => {
  it('finds no change between a config and itself, nor after reformatting and comments', () => {
    expect(diffConfigs(BASE, BASE)).toEqual([]);
    const reformatted = edited('approvers: [team:ops]', 'approvers:   [ "team:ops" ]   # reviewers');
    expect(diffConfigs(BASE, reformatted)).toEqual([]);
    expect(formatConfigChangesMarkdown([])).toBe('No change.');
    expect(formatConfigChangesText([])).toBe('no change');
  });

  it('reports apps added, removed and changed', () => {
    const withApp = valueOf(
      parseRepoConfig(
        ARCHITECTURE_CONFIG.replace(
          'hosts:\n  canary',
          '  billing:\n    deploy_to: /srv/billing\n    environments:\n      staging: { hosts: [staging] }\nhosts:\n  canary',
        ),
      ),
    );
    expect(diffConfigs(BASE, withApp)).toEqual([
      { kind: 'apps', action: 'added', subject: 'app billing', text: 'app billing: added (environments staging)' },
    ]);
    expect(texts(diffConfigs(withApp, BASE))).toEqual(['app billing: removed']);
    const moved = edited('deploy_to: /srv/checkout-api', 'deploy_to: /srv/checkout');
    expect(diffConfigs(BASE, moved)).toEqual([
      {
        kind: 'apps',
        action: 'changed',
        subject: 'app checkout-api',
        text: 'app checkout-api: deploy_to /srv/checkout-api → /srv/checkout',
      },
    ]);
  });

  it('reports environments added, removed and changed', () => {
    const withoutStaging = edited(STAGING_LINE, '');
    expect(diffConfigs(BASE, withoutStaging)).toEqual([
      {
        kind: 'environments',
        action: 'removed',
        subject: 'environment checkout-api/staging',
        text: 'environment checkout-api/staging: removed',
      },
    ]);
    expect(texts(diffConfigs(withoutStaging, BASE))).toEqual(['environment checkout-api/staging: added']);
    const changed = edited(
      STAGING_LINE,
      '      staging:    { hosts: [staging, web], approvals: 1, env: { NODE_ENV: test } }\n',
    );
    expect(texts(diffConfigs(BASE, changed))).toEqual([
      'environment checkout-api/staging: hosts added web',
      'environment checkout-api/staging: env NODE_ENV changed',
    ]);
  });

  it('reports hosts and host groups added, removed and changed', () => {
    const web =
      '  web:    [{ name: web-2, address: 10.0.0.12 }, { name: web-3, address: 10.0.0.13, deploy_to: /opt/checkout }]\n';
    const grown = edited(web, `${web.slice(0, -2)}, { name: web-4, address: 10.0.0.14 }]\n`);
    expect(diffConfigs(BASE, grown)).toEqual([
      { kind: 'hosts', action: 'added', subject: 'host group web', text: 'host group web: added web-4' },
    ]);
    expect(texts(diffConfigs(grown, BASE))).toEqual(['host group web: removed web-4']);
    const group = edited(web, `${web}  db: [{ name: db-1, address: 10.0.1.1 }]\n`);
    expect(texts(diffConfigs(BASE, group))).toEqual(['host group db: added (db-1)']);
    expect(texts(diffConfigs(group, BASE))).toEqual(['host group db: removed']);
    const readdressed = edited(
      '{ name: web-2, address: 10.0.0.12 }',
      '{ name: web-2, address: 10.0.0.22, port: 2222 }',
    );
    expect(texts(diffConfigs(BASE, readdressed))).toEqual([
      'host web-2: address 10.0.0.12 → 10.0.0.22',
      'host web-2: port 22 → 2222',
    ]);
  });

  it('reports role members and approvers added and removed', () => {
    const roles = edited('  ops: [team:ops]\n', '  ops: [team:sre]\n');
    expect(diffConfigs(BASE, roles)).toEqual([
      { kind: 'roles', action: 'added', subject: 'role ops', text: 'role ops: added team:sre' },
      { kind: 'roles', action: 'removed', subject: 'role ops', text: 'role ops: removed team:ops' },
    ]);
    const approvers = edited(PRODUCTION, '        approvals: 2\n        approvers: [team:ops, octocat]\n');
    expect(diffConfigs(BASE, approvers)).toEqual([
      {
        kind: 'roles',
        action: 'added',
        subject: 'environment checkout-api/production',
        text: 'environment checkout-api/production: approvers added octocat',
      },
    ]);
  });

  it('reports approvals needed changed', () => {
    const fewer = edited(PRODUCTION, '        approvals: 1\n        approvers: [team:ops]\n');
    expect(diffConfigs(BASE, fewer)).toEqual([
      {
        kind: 'approvals',
        action: 'changed',
        subject: 'environment checkout-api/production',
        text: 'environment checkout-api/production: approvals 2 → 1',
      },
    ]);
  });

  it('reports preflight: required set and dropped, and no change from absent to optional', () => {
    const required = edited(PRODUCTION, `${PRODUCTION}        preflight: required\n`);
    expect(texts(diffConfigs(BASE, required))).toEqual([
      'environment checkout-api/production: preflight optional → required',
    ]);
    expect(texts(diffConfigs(required, BASE))).toEqual([
      'environment checkout-api/production: preflight required → optional',
    ]);
    expect(diffConfigs(BASE, edited(PRODUCTION, `${PRODUCTION}        preflight: optional\n`))).toEqual([]);
    expect(() =>
      valueOf(parseRepoConfig(ARCHITECTURE_CONFIG.replace(PRODUCTION, `${PRODUCTION}        preflight: yes\n`))),
    ).toThrow(/expected required or optional/);
  });

  it('reports freeze windows added and removed', () => {
    const freeze = edited('freeze: ["Fri 18:00-Mon 06:00"]', 'freeze: ["Sat 00:00-Mon 06:00"]');
    expect(texts(diffConfigs(BASE, freeze))).toEqual([
      'environment checkout-api/production: freeze window added Sat 00:00-Mon 06:00',
      'environment checkout-api/production: freeze window removed Fri 18:00-Mon 06:00',
    ]);
    expect(diffConfigs(BASE, freeze).map((change) => change.kind)).toEqual(['freeze', 'freeze']);
  });

  it('reports notifications added, removed and changed', () => {
    const notify = edited(
      "        secret_env: [DATABASE_PASSWORD]      # taken from the server's own environment\n",
      '        secret_env: [DATABASE_PASSWORD]\n        notify: { events: [failed], email: [ops@example.com] }\n',
    );
    expect(texts(diffConfigs(BASE, notify))).toEqual([
      'environment checkout-api/production: notify event added failed',
      'environment checkout-api/production: notify email added ops@example.com',
    ]);
    expect(texts(diffConfigs(notify, BASE))).toEqual([
      'environment checkout-api/production: notify event removed failed',
      'environment checkout-api/production: notify email removed ops@example.com',
    ]);
    const sms = edited(
      "        secret_env: [DATABASE_PASSWORD]      # taken from the server's own environment\n",
      '        secret_env: [DATABASE_PASSWORD]\n        notify: { events: [failed], sms: { to: ["+15550001111"], from: OPS } }\n',
    );
    const smsMoved = edited(
      "        secret_env: [DATABASE_PASSWORD]      # taken from the server's own environment\n",
      '        secret_env: [DATABASE_PASSWORD]\n        notify: { events: [failed], sms: { to: ["+15550002222"], from: "+15557654321" } }\n',
    );
    expect(texts(diffConfigs(sms, smsMoved))).toEqual([
      'environment checkout-api/production: notify sms added +15550002222',
      'environment checkout-api/production: notify sms removed +15550001111',
      'environment checkout-api/production: notify sms sender OPS → +15557654321',
    ]);
    const channel = edited('slack: { channel: C0123', 'slack: { channel: C0999');
    expect(diffConfigs(BASE, channel)).toEqual([
      { kind: 'notifications', action: 'changed', subject: 'slack', text: 'slack: channel C0123 → C0999' },
    ]);
    const mail = edited(
      'slack: { channel: C0123',
      'email: { users: { octocat: o@example.com } }\nslack: { channel: C0123',
    );
    expect(texts(diffConfigs(BASE, mail))).toEqual(['email: user octocat added']);
    const moved = valueOf(
      parseRepoConfig(
        ARCHITECTURE_CONFIG.replace(
          'slack: { channel: C0123',
          'email: { users: { octocat: x@example.com } }\nslack: { channel: C0123',
        ),
      ),
    );
    expect(texts(diffConfigs(mail, moved))).toEqual(['email: user octocat changed']);
    expect(texts(diffConfigs(mail, BASE))).toEqual(['email: user octocat removed']);
  });

  it('with no config before, everything is added; the summaries group by kind', () => {
    const changes = diffConfigs(null, BASE);
    expect(changes.every((change) => change.action === 'added')).toBe(true);
    expect(texts(changes)).toContain('app checkout-api: added (environments staging, production)');
    expect(texts(changes)).toContain('host group canary: added (web-1)');
    expect(texts(changes)).toContain('role ops: added team:ops');
    expect(
      formatConfigChangesMarkdown(
        diffConfigs(BASE, edited(PRODUCTION, '        approvals: 3\n        approvers: []\n')),
      ),
    ).toBe(
      [
        '**Roles and approvers**',
        '',
        '- environment checkout-api/production: approvers removed team:ops',
        '',
        '**Approvals needed**',
        '',
        '- environment checkout-api/production: approvals 2 → 3',
      ].join('\n'),
    );
  });
});

describe('diffConfigs on commands', () => {
  it('says which stage of an app or environment was set, unset or changed, without repeating the commands', () => {
    const APP = '    deploy_to: /srv/checkout-api\n';
    const withCommands = edited(APP, `${APP}    commands: { pre_deploy: ["npm ci"], health: { command: "true" } }\n`);
    expect(diffConfigs(BASE, withCommands)).toEqual([
      {
        kind: 'commands',
        action: 'added',
        subject: 'app checkout-api',
        text: 'app checkout-api: commands.pre_deploy added',
      },
      {
        kind: 'commands',
        action: 'added',
        subject: 'app checkout-api',
        text: 'app checkout-api: commands.health added',
      },
    ]);
    const changed = valueOf(
      parseRepoConfig(
        ARCHITECTURE_CONFIG.replace(APP, `${APP}    commands: { pre_deploy: ["npm ci --omit=dev"] }\n`).replace(
          STAGING_LINE,
          '      staging:    { hosts: [staging], approvals: 1, env: { NODE_ENV: staging }, commands: { release: [] } }\n',
        ),
      ),
    );
    expect(texts(diffConfigs(withCommands, changed))).toEqual([
      'app checkout-api: commands.pre_deploy changed',
      'app checkout-api: commands.health removed',
      'environment checkout-api/staging: commands.release added',
    ]);
    expect(formatConfigChangesMarkdown(diffConfigs(BASE, withCommands))).toContain('**Commands**');
    expect(diffConfigs(changed, changed)).toEqual([]);
  });
});

describe('diffConfigs on optional fields', () => {
  it('says added and removed when an optional field is newly set or dropped', () => {
    const project = edited('    project: shop\n', '');
    expect(diffConfigs(project, BASE)).toEqual([
      { kind: 'apps', action: 'added', subject: 'app checkout-api', text: 'app checkout-api: project shop added' },
    ]);
    expect(texts(diffConfigs(BASE, project))).toEqual(['app checkout-api: project shop removed']);
  });
});
