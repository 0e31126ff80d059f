import { describe, expect, it } from 'vitest';
import { expandHostNames } from '../../src/config/expand-hosts.ts';
import { parseRepoConfig } from '../../src/config/parse-config.ts';
import { resolvePlanTargets } from '../../src/config/resolve-hosts.ts';
import { parsePlan } from '../../src/plan/parse-plan.ts';
import { formatIssues } from '../../src/plan/format-issues.ts';
import { planYaml, valueOf } from './plan-fixtures.ts';
import { ARCHITECTURE_CONFIG } from './config-fixtures.ts';

const CONFIG = valueOf(parseRepoConfig(ARCHITECTURE_CONFIG));

/** Resolves a plan for checkout-api/production with `extra` plan lines; returns host names or formatted issues. */
function targets(extra = '', environment = 'production'): string[] | string {
  const plan = valueOf(parsePlan(planYaml(extra).replace('environment: production', `environment: ${environment}`)));
  const result = resolvePlanTargets(CONFIG, plan);
  return result.ok ? result.hosts.map((host) => host.entry.name) : formatIssues(result.issues);
}

describe('resolvePlanTargets', () => {
  it('uses the environment hosts in order when the plan names none', () => {
    expect(targets()).toStrictEqual(['web-1', 'web-2', 'web-3']);
  });

  it('returns the app, the environment and each host with its deploy directory', () => {
    const plan = valueOf(parsePlan(planYaml()));
    const result = resolvePlanTargets(CONFIG, plan);
    if (!result.ok) throw new Error(formatIssues(result.issues));
    expect(result.app).toBe(CONFIG.apps['checkout-api']);
    expect(result.environment).toBe(CONFIG.apps['checkout-api']?.environments.production);
    expect(result.hosts.map((host) => [host.entry.name, host.deployTo])).toStrictEqual([
      ['web-1', '/srv/checkout-api'],
      ['web-2', '/srv/checkout-api'],
      ['web-3', '/opt/checkout'],
    ]);
    expect(result.hosts[0]?.entry).toBe(CONFIG.hosts.canary?.[0]);
  });

  it('follows the plan order, expanding groups and dropping repeats', () => {
    expect(targets('hosts: [web, canary]')).toStrictEqual(['web-2', 'web-3', 'web-1']);
    expect(targets('hosts: [web-3, web, web-1, canary]')).toStrictEqual(['web-3', 'web-2', 'web-1']);
  });

  it('lets a plan narrow the environment', () => {
    expect(targets('hosts: [canary]')).toStrictEqual(['web-1']);
    expect(targets('hosts: [web-2]')).toStrictEqual(['web-2']);
  });

  it('never lets a plan widen the environment', () => {
    expect(targets('hosts: [web, staging]')).toBe(
      'hosts[1]: not part of environment production: staging-1 (a plan may narrow its hosts, never widen them)',
    );
    expect(targets('hosts: [staging-1]')).toBe(
      'hosts[0]: not part of environment production: staging-1 (a plan may narrow its hosts, never widen them)',
    );
  });

  it('names unknown hosts and groups', () => {
    expect(targets('hosts: [web, wbe, nowhere]')).toBe(
      'hosts[1]: unknown host or group wbe; did you mean web?\n' +
        'hosts[2]: unknown host or group nowhere; known: canary, web, staging, web-1, web-2, web-3, staging-1',
    );
  });

  it('names an unknown app or environment', () => {
    const plan = valueOf(parsePlan(planYaml().replace('app: checkout-api', 'app: checkout-apl')));
    const result = resolvePlanTargets(CONFIG, plan);
    expect(result).toStrictEqual({
      ok: false,
      issues: [{ line: 0, column: 0, path: 'app', message: 'unknown app checkout-apl; did you mean checkout-api?' }],
    });
    expect(targets('', 'qa')).toBe('environment: unknown environment of checkout-api: qa; known: staging, production');
  });

  it('does not treat inherited object keys as names', () => {
    expect(targets('', 'constructor')).toMatch(/^environment: unknown environment/);
    expect(targets('hosts: [toString]')).toMatch(/^hosts\[0\]: unknown host or group toString/);
  });
});

describe('expandHostNames', () => {
  it('reports the index of each unknown name', () => {
    expect(expandHostNames(CONFIG.hosts, ['x', 'web', 'y'])).toStrictEqual({
      hosts: CONFIG.hosts.web,
      unknown: [
        { index: 0, name: 'x' },
        { index: 2, name: 'y' },
      ],
    });
  });
});
