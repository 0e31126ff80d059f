/** Which rule a repository falls under, and which hosts, executors and packages its grant allows. */
import { describe, expect, it } from 'vitest';
import type { HostEntry, ResolvedHost } from '../../src/config/types.ts';
import type { Plan } from '../../src/plan/types.ts';
import {
  artifactProblem,
  checkPlanAgainstPolicy,
  defaultPolicySource,
  hostProblem,
  isPrivateHost,
  localPackageRoots,
  planFieldLocator,
  type PolicySource,
} from '../../src/policy/index.ts';
import { policyFromYaml } from '../helpers/policy-fixtures.ts';

const STORE = '/var/lib/yardmaster/artifacts';

const POLICY = [
  'repos:',
  '  - match: "Acme/Legacy-*"',
  '    hosts: ["legacy-?.acme.internal"]',
  '    executors: [ssh, local]',
  '    max_lane_ttl: 2h',
  '    max_lane_instances: 3',
  '  - match: "acme/*"',
  '    hosts: ["10.20.0.0/16", "*.prod.acme.internal", "127.0.0.1", "fd00:1::/32"]',
  '    artifacts: ["https://artifacts.acme.com/", "file:///srv/artifacts/"]',
  '    ssh_identity: /run/secrets/acme-deploy-key',
  '',
].join('\n');

function policy(): PolicySource {
  return policyFromYaml(POLICY, STORE);
}

function host(address: string, executor: HostEntry['executor'] = 'ssh', name = 'web-1'): HostEntry {
  return { name, address, port: 22, executor };
}

describe('rules', () => {
  it('match owner/name globs case-insensitively, first match wins', () => {
    const legacy = policy().forRepo('acme/legacy-billing');
    expect(legacy.origin).toStrictEqual({
      kind: 'rule',
      index: 0,
      match: 'Acme/Legacy-*',
      file: '/etc/yardmaster/policy.yml',
    });
    expect(legacy.executors).toStrictEqual(['ssh', 'local']);
    expect(legacy.maxLaneTtlMs).toBe(2 * 3_600_000);
    expect(legacy.maxLaneInstances).toBe(3);
    const shop = policy().forRepo('ACME/shop');
    expect(shop.origin).toMatchObject({ kind: 'rule', index: 1 });
    expect(shop.sshIdentity).toBe('/run/secrets/acme-deploy-key');
    expect(shop.maxLaneTtlMs).toBe(72 * 3_600_000);
    expect(shop.maxLaneInstances).toBe(20);
  });

  it('give a repository no rule matches nothing at all', () => {
    for (const repo of ['other/shop', 'acme/shop/extra', 'acmex/shop']) {
      const grant = policy().forRepo(repo);
      expect(grant.origin.kind).toBe('no-rule');
      expect(hostProblem(grant, host('10.20.0.1'))).toMatch(
        /no rule of the operator's policy \/etc\/yardmaster\/policy\.yml matches/,
      );
      expect(artifactProblem(grant, 'https://artifacts.acme.com/a.tgz')).toMatch(/no rule/);
      expect(grant.maxLaneInstances).toBe(0);
    }
  });
});

describe('hosts', () => {
  const shop = (): ReturnType<PolicySource['forRepo']> => policy().forRepo('acme/shop');

  it.each([
    ['10.20.0.1', true],
    ['10.20.255.254', true],
    ['10.21.0.1', false],
    ['::ffff:10.20.3.4', true],
    ['127.0.0.1', true],
    ['127.0.0.2', false],
    ['fd00:1::5', true],
    ['fd00:2::5', false],
    ['db.prod.acme.internal', true],
    ['DB.Prod.Acme.Internal', true],
    ['prod.acme.internal', false],
    ['db.staging.acme.internal', false],
    ['10.20.0.1.evil.example', false],
  ])('address %s allowed: %s', (address, allowed) => {
    expect(hostProblem(shop(), host(address)) === undefined).toBe(allowed);
  });

  it('refuse the local executor unless the rule lists it', () => {
    expect(hostProblem(shop(), host('localhost', 'local', 'srv'))).toMatch(
      /host srv uses executor local, which rule 2 \(acme\/\*\) .* does not allow for acme\/shop \(allowed: ssh\)/,
    );
    expect(hostProblem(policy().forRepo('acme/legacy-x'), host('localhost', 'local'))).toBeUndefined();
    expect(hostProblem(policy().forRepo('acme/legacy-x'), host('legacy-1.acme.internal'))).toBeUndefined();
    expect(hostProblem(policy().forRepo('acme/legacy-x'), host('legacy-10.acme.internal'))).toMatch(
      /not among the hosts/,
    );
  });

  it('without a policy file: any host over ssh, never local', () => {
    const grant = defaultPolicySource({ artifactsDir: STORE }).forRepo('anyone/anything');
    expect(grant.origin).toStrictEqual({ kind: 'defaults' });
    expect(hostProblem(grant, host('203.0.113.9'))).toBeUndefined();
    expect(hostProblem(grant, host('anything.example'))).toBeUndefined();
    expect(hostProblem(grant, host('localhost', 'local'))).toMatch(
      /executor local, which the operator's default policy \(no YARDMASTER_POLICY file\) does not allow/,
    );
    expect(grant.maxLaneTtlMs).toBe(72 * 3_600_000);
    expect(grant.maxLaneInstances).toBe(20);
  });
});

describe('packages', () => {
  const defaults = defaultPolicySource({ artifactsDir: STORE }).forRepo('anyone/anything');

  it.each([
    ['https://artifacts.example.com/a.tgz', undefined],
    ['http://downloads.example.com/a.tgz', undefined],
    ['http://127.0.0.1:8080/a.tgz', /plain http:\/\/ to 127\.0\.0\.1 is refused/],
    ['http://localhost/a.tgz', /refused/],
    ['http://[::1]/a.tgz', /refused/],
    ['http://[::ffff:127.0.0.1]/a.tgz', /refused/],
    ['http://2130706433/a.tgz', /refused/],
    ['http://10.1.2.3/a.tgz', /refused/],
    ['http://172.20.0.1/a.tgz', /refused/],
    ['http://192.168.1.1/a.tgz', /refused/],
    ['http://169.254.169.254/latest/meta-data', /refused/],
    ['http://[fd12::1]/a.tgz', /refused/],
    ['http://[fe80::1]/a.tgz', /refused/],
    ['http://metadata/a.tgz', /refused/],
    ['http://nas.local/a.tgz', /refused/],
    ['builds/a.tgz', undefined],
    [`${STORE}/builds/a.tgz`, undefined],
    [`file://${STORE}/builds/a.tgz`, undefined],
    ['file:///etc/passwd', /must be inside the artifact store/],
    ['/etc/passwd', /must be inside the artifact store/],
    [`file://${STORE}/../../../etc/passwd`, /must be inside the artifact store/],
    [`${STORE}-other/a.tgz`, /must be inside the artifact store/],
  ])('defaults: %s', (location, expected) => {
    const problem = artifactProblem(defaults, location);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
  });

  it.each([
    ['https://artifacts.acme.com/shop/1.tgz', undefined],
    ['https://ARTIFACTS.acme.com/shop/1.tgz', undefined],
    [
      'https://artifacts.acme.com.evil.example/1.tgz',
      /may only come from https:\/\/artifacts\.acme\.com\/, file:\/\/\/srv\/artifacts\//,
    ],
    ['https://elsewhere.example/1.tgz', /may only come from/],
    ['file:///srv/artifacts/shop/1.tgz', undefined],
    ['/srv/artifacts/shop/1.tgz', undefined],
    ['file:///srv/artifacts-x/1.tgz', /may only come from/],
    ['builds/1.tgz', /may only come from/],
    ['http://127.0.0.1/1.tgz', /may only come from/],
  ])('a rule with artifacts: %s', (location, expected) => {
    const problem = artifactProblem(policy().forRepo('acme/shop'), location);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
  });

  it('local roots for the run-time check', () => {
    expect(localPackageRoots(defaults)).toStrictEqual([`${STORE}/`]);
    expect(localPackageRoots(policy().forRepo('acme/shop'))).toStrictEqual(['/srv/artifacts/']);
  });

  it('names private hosts', () => {
    expect(isPrivateHost('example.com')).toBe(false);
    expect(isPrivateHost('8.8.8.8')).toBe(false);
    expect(isPrivateHost('[2001:db8::1]')).toBe(false);
    expect(isPrivateHost('100.64.0.1')).toBe(true);
    expect(isPrivateHost('[::]')).toBe(true);
    expect(isPrivateHost('LOCALHOST.')).toBe(true);
    expect(isPrivateHost('app.localhost')).toBe(true);
  });
});

describe('checkPlanAgainstPolicy', () => {
  const plan = (url: string, hosts?: string[]): Plan => ({
    app: 'shop',
    environment: 'production',
    version: '1.0.0',
    package: { url, sha256: 'a'.repeat(64) },
    ...(hosts === undefined ? {} : { hosts }),
    strategy: { mode: 'serial', maxFailures: 0 },
    commands: { check: [], preDeploy: [], postDeploy: [], release: [] },
    keepReleases: 5,
    commandTimeoutMs: 60_000,
  });
  const resolved = (entries: HostEntry[]): ResolvedHost[] => entries.map((entry) => ({ entry, deployTo: '/srv/shop' }));
  const comment = [
    'Deploying:',
    '',
    '```yaml',
    'app: shop',
    'environment: production',
    'version: 1.0.0',
    'hosts: [web]',
    'package:',
    '  url: file:///etc/passwd',
  ].join('\n');
  const locate = planFieldLocator({ yaml: comment.split('\n').slice(3).join('\n'), startLine: 4, indent: 0 });

  it('locates every violation at the plan line that brings it in', () => {
    const issues = checkPlanAgainstPolicy(
      policy().forRepo('acme/shop'),
      plan('file:///etc/passwd', ['web']),
      resolved([host('10.20.0.1'), host('192.0.2.1', 'ssh', 'web-2'), host('localhost', 'local', 'srv')]),
      locate,
    );
    expect(issues.map((issue) => [issue.line, issue.column, issue.path])).toStrictEqual([
      [7, 1, 'hosts'],
      [7, 1, 'hosts'],
      [9, 3, 'package.url'],
    ]);
    expect(issues[0]?.message).toMatch(
      /host web-2 \(address 192\.0\.2\.1\) is not among the hosts .* \(in \.github\/yardmaster\.yml\)/,
    );
    expect(issues[1]?.message).toMatch(/host srv uses executor local/);
  });

  it('points at environment when the plan takes the environment hosts, and says when no rule matches', () => {
    const [issue] = checkPlanAgainstPolicy(
      defaultPolicySource({ artifactsDir: STORE }).forRepo('a/b'),
      plan('https://x.example/a.tgz'),
      resolved([host('localhost', 'local')]),
    );
    expect(issue).toMatchObject({ line: 0, path: 'environment' });
    const none = checkPlanAgainstPolicy(
      policy().forRepo('other/repo'),
      plan('https://x.example/a.tgz'),
      resolved([host('10.20.0.1')]),
      locate,
    );
    expect(none).toHaveLength(1);
    expect(none[0]).toMatchObject({ line: 4, path: '' });
    expect(none[0]?.message).toMatch(
      /no rule of the operator's policy .* matches other\/repo: this repository may not deploy anything/,
    );
  });
});
