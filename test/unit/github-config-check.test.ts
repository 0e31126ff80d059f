/**
 * The pure parts of the config check on push: whether a push touches the config, the check run's result, which
 * environments a landing change sets, and who hears of it (notify/). On real parsed configs (the README example).
 */
import { describe, expect, it } from 'vitest';
import { parseRepoConfig } from '../../src/config/parse-config.ts';
import type { RepoConfig } from '../../src/config/types.ts';
import { MAX_CONFIG_BYTES } from '../../src/github/config-at-ref.ts';
import { pushTouchesConfig, MAX_PUSH_COMMITS } from '../../src/github/config-changed.ts';
import { configCheck, MAX_ANNOTATIONS } from '../../src/github/config-check-output.ts';
import { environmentsSet } from '../../src/github/environments-set.ts';
import type { PushEvent } from '../../src/github/webhook-payloads.ts';
import { environmentNoticeTargets } from '../../src/notify/environment-notice-targets.ts';
import type { EnvironmentNotice } from '../../src/notify/environment-notice.ts';
import { ARCHITECTURE_CONFIG } from './config-fixtures.ts';
import { valueOf } from './plan-fixtures.ts';

const BASE = valueOf(parseRepoConfig(ARCHITECTURE_CONFIG));

function edited(from: string, to: string): RepoConfig {
  expect(ARCHITECTURE_CONFIG).toContain(from);
  return valueOf(parseRepoConfig(ARCHITECTURE_CONFIG.replace(from, to)));
}

function pushOf(commits: PushEvent['commits'], forced = false): PushEvent {
  return { ref: 'refs/heads/main', before: 'a'.repeat(40), after: 'b'.repeat(40), deleted: false, forced, commits };
}

const NO_FILES = { added: [], modified: [], removed: [] };

describe('pushTouchesConfig', () => {
  it('looks at every commit, in all three lists', () => {
    expect(pushTouchesConfig(pushOf([NO_FILES, { ...NO_FILES, modified: ['README.md'] }]))).toBe(false);
    for (const list of ['added', 'modified', 'removed'] as const)
      expect(pushTouchesConfig(pushOf([NO_FILES, { ...NO_FILES, [list]: ['.github/yardmaster.yml'] }]))).toBe(true);
    // Another file of the same name elsewhere is not the config.
    expect(pushTouchesConfig(pushOf([{ ...NO_FILES, modified: ['docs/.github/yardmaster.yml'] }]))).toBe(false);
  });

  it('cannot tell when GitHub cut the commit list or a forced push brought no commits', () => {
    expect(pushTouchesConfig(pushOf(Array.from({ length: MAX_PUSH_COMMITS }, () => NO_FILES)))).toBe('unknown');
    expect(pushTouchesConfig(pushOf([], true))).toBe('unknown');
    expect(pushTouchesConfig(pushOf([], false))).toBe(false);
  });
});

describe('configCheck', () => {
  const base = { kind: 'config', config: BASE, label: 'the default branch (main)' } as const;

  it('says a change without effect is one', () => {
    const check = configCheck({ kind: 'file', text: `# reformatted\n${ARCHITECTURE_CONFIG}` }, base);
    expect(check.output).toEqual({
      conclusion: 'success',
      title: 'Valid config, no effect',
      summary:
        'Against the config on the default branch (main):\n\nNo effect: apps, environments, hosts, roles and notifications stay as they are.',
      annotations: [],
    });
  });

  it('lists everything as new against no config or a broken one', () => {
    expect(
      configCheck({ kind: 'file', text: ARCHITECTURE_CONFIG }, { kind: 'none', label: 'main' }).output.summary,
    ).toMatch(/^main has no config: everything is new\.\n\n\*\*Apps\*\*\n\n- app checkout-api: added/);
    expect(
      configCheck({ kind: 'file', text: ARCHITECTURE_CONFIG }, { kind: 'invalid', label: 'main' }).output.summary,
    ).toMatch(/^The config on main is not valid: everything is listed as new\./);
  });

  it('fails a file that is too large or not a file, and notes a removal', () => {
    expect(configCheck({ kind: 'too-large', bytes: MAX_CONFIG_BYTES + 1 }, base).output).toMatchObject({
      conclusion: 'failure',
      title: 'Config too large',
    });
    expect(configCheck({ kind: 'not-a-file' }, base).output.conclusion).toBe('failure');
    expect(configCheck({ kind: 'missing' }, base)).toMatchObject({
      config: undefined,
      output: { conclusion: 'neutral', title: 'Config removed', annotations: [] },
    });
  });

  it('annotates a problem without a position on the first line, and at most MAX_ANNOTATIONS', () => {
    const [annotation] = configCheck({ kind: 'file', text: '- just a list\n' }, base).output.annotations;
    expect(annotation).toMatchObject({ start_line: 1, end_line: 1, annotation_level: 'failure' });
    const many = [
      'apps:',
      '  shop:',
      '    deploy_to: /srv/shop',
      '    environments:',
      ...Array.from({ length: MAX_ANNOTATIONS + 20 }, (_, index) => `      e${index}: { hosts: [web], approvals: -1 }`),
      'hosts: { web: [{ name: w, address: 10.0.0.1 }] }',
    ].join('\n');
    const check = configCheck({ kind: 'file', text: many }, base);
    expect(check.output.title).toBe(`${MAX_ANNOTATIONS + 20} problems in the config`);
    expect(check.output.annotations).toHaveLength(MAX_ANNOTATIONS);
    expect(check.output.summary).toContain(`The first ${MAX_ANNOTATIONS} are annotated at their lines.`);
    expect(check.output.summary.length).toBeLessThanOrEqual(65_535);
  });
});

describe('environmentsSet', () => {
  it('names the environments added and those whose own settings changed', () => {
    const after = edited('approvals: 2', 'approvals: 3');
    expect(environmentsSet(BASE, after)).toEqual([
      { app: 'checkout-api', environment: 'production', change: 'changed' },
    ]);
    expect(environmentsSet(null, BASE)).toEqual([
      { app: 'checkout-api', environment: 'staging', change: 'added' },
      { app: 'checkout-api', environment: 'production', change: 'added' },
    ]);
    // A role or a host elsewhere is no change of the environment's own settings.
    expect(environmentsSet(BASE, edited('developer: [hubot]', 'developer: [hubot, dev]'))).toEqual([]);
  });
});

describe('environmentNoticeTargets', () => {
  const notice: EnvironmentNotice = {
    id: 7,
    repoFullName: 'o/r',
    app: 'checkout-api',
    environment: 'staging',
    change: 'added',
    commit: 'c'.repeat(40),
    actor: 'octocat',
    at: new Date(0),
    url: 'https://ym.example.com/dashboard/environments',
  };

  it('DMs the mapped project managers and tells subscribers that take environment_set, each once', () => {
    const config = edited(
      '      staging:    { hosts: [staging], approvals: 1, env: { NODE_ENV: staging } }',
      '      staging:    { hosts: [staging], notify: { slack: [C0NOTE], email: [qa@example.com, qa@example.com] } }',
    );
    config.roles.projectManager = ['octocat', 'team:leads', 'nobody'];
    expect(environmentNoticeTargets(config, notice)).toEqual([
      { kind: 'email', to: 'qa@example.com' },
      { kind: 'slack', channel: 'C0NOTE' },
      { kind: 'slack', channel: 'U0123' },
    ]);
    const failedOnly = edited(
      '      staging:    { hosts: [staging], approvals: 1, env: { NODE_ENV: staging } }',
      '      staging:    { hosts: [staging], notify: { events: [failed], email: [qa@example.com] } }',
    );
    expect(environmentNoticeTargets(failedOnly, notice)).toEqual([{ kind: 'slack', channel: 'U0123' }]);
    expect(environmentNoticeTargets(BASE, { ...notice, environment: 'gone' })).toEqual([]);
  });
});
