import { describe, expect, it } from 'vitest';
import { parseRepoConfig } from '../../src/config/parse-config.ts';
import { describeSettingsChanges, releaseSettings, releaseSettingsRecord } from '../../src/config/release-settings.ts';
import { resolvePlanTargets } from '../../src/config/resolve-hosts.ts';
import type { RepoConfig } from '../../src/config/types.ts';
import { planDigest } from '../../src/plan/digest.ts';
import { parsePlan } from '../../src/plan/parse-plan.ts';
import { SHA } from './plan-fixtures.ts';

const CONFIG = `
apps:
  shop:
    deploy_to: /srv/shop
    environments:
      production: { hosts: [web], approvals: 2, env: { MODE: prod, TZ: UTC }, secret_env: [DB_PASSWORD, API_KEY] }
hosts:
  web:
    - { name: web-1, address: 10.0.0.11, port: 22, user: deploy, host_key: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" }
    - { name: web-2, address: 10.0.0.12 }
roles: { developer: [dev] }
`;

const SAME_CONFIG_REWRITTEN = `
# the same settings, written otherwise
roles:
  developer: [dev]
hosts:
  web:
    - host_key: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
      user: deploy
      address: 10.0.0.11
      name: web-1
    - name: web-2
      address: 10.0.0.12
      port: 22
apps:
  shop:
    environments:
      production:
        secret_env: [API_KEY, DB_PASSWORD]
        env: { TZ: UTC, MODE: prod }
        approvals: 2
        hosts: [web]
    deploy_to: /srv/shop
`;

const PLAN = `app: shop\nenvironment: production\nversion: 1.0.0\npackage: { url: "https://artifacts.example.com/a.tgz", sha256: ${SHA} }\n`;

function configOf(text: string): RepoConfig {
  const parsed = parseRepoConfig(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed));
  return parsed.value;
}

function settingsOf(text: string): ReturnType<typeof releaseSettings> {
  const plan = parsePlan(PLAN);
  if (!plan.ok) throw new Error('plan');
  const targets = resolvePlanTargets(configOf(text), plan.value);
  if (!targets.ok) throw new Error(JSON.stringify(targets.issues));
  return releaseSettings(targets);
}

function digestOf(text: string): string {
  const plan = parsePlan(PLAN);
  if (!plan.ok) throw new Error('plan');
  return planDigest(plan.value, { settings: releaseSettingsRecord(settingsOf(text)) });
}

describe('release settings in the plan digest', () => {
  it('are the same for the same config written otherwise', () => {
    expect(settingsOf(SAME_CONFIG_REWRITTEN)).toEqual(settingsOf(CONFIG));
    expect(digestOf(SAME_CONFIG_REWRITTEN)).toBe(digestOf(CONFIG));
  });

  it('change the digest and are described when a release-relevant setting changes', () => {
    const base = settingsOf(CONFIG);
    const cases: [string, string, string | string[]][] = [
      ['address: 10.0.0.12', 'address: 10.9.9.9', 'host web-2: address 10.0.0.12 → 10.9.9.9'],
      ['port: 22, user: deploy', 'port: 2222, user: deploy', 'host web-1: port 22 → 2222'],
      ['user: deploy', 'user: root', 'host web-1: user deploy → root'],
      [
        'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
        'SHA256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB',
        'host web-1: hostKey SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA → SHA256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB',
      ],
      // The app's deploy_to is each host's unless it has its own.
      [
        'deploy_to: /srv/shop',
        'deploy_to: /srv/other',
        [
          'deploy_to: /srv/shop → /srv/other',
          'host web-1: deployTo /srv/shop → /srv/other',
          'host web-2: deployTo /srv/shop → /srv/other',
        ],
      ],
      ['approvals: 2', 'approvals: 1', 'approvals: 2 → 1'],
      ['MODE: prod', 'MODE: evil', 'env MODE: prod → evil'],
      [
        'secret_env: [DB_PASSWORD, API_KEY]',
        'secret_env: [DB_PASSWORD, API_KEY, PRIVATE_KEY]',
        'secret_env: [API_KEY, DB_PASSWORD] → [API_KEY, DB_PASSWORD, PRIVATE_KEY]',
      ],
      [
        '{ name: web-2, address: 10.0.0.12 }',
        '{ name: web-2, address: 10.0.0.12, deploy_to: /tmp/x }',
        'host web-2: deployTo /srv/shop → /tmp/x',
      ],
    ];
    for (const [from, to, said] of cases) {
      const changed = CONFIG.replace(from, to);
      expect(changed, from).not.toBe(CONFIG);
      expect(digestOf(changed), from).not.toBe(digestOf(CONFIG));
      expect(describeSettingsChanges(base, settingsOf(changed)), from).toEqual(
        typeof said === 'string' ? [said] : said,
      );
    }
  });

  it('describes hosts added and removed', () => {
    const fewer = CONFIG.replace('    - { name: web-2, address: 10.0.0.12 }\n', '');
    expect(describeSettingsChanges(settingsOf(CONFIG), settingsOf(fewer))).toEqual(['host web-2 removed']);
    expect(describeSettingsChanges(settingsOf(fewer), settingsOf(CONFIG))).toEqual(['host web-2 added (10.0.0.12:22)']);
  });
});
