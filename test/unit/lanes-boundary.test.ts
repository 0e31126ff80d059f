/**
 * The lane trust boundary in pure functions: lane ids (an operator's name, or a repository's `owner/repo/name`),
 * the TTL bound of a spec, versions as strict as a plan's, the environment a lane process gets, and a build's digest.
 */
import { describe, expect, it } from 'vitest';
import { laneOf } from '../../src/lanes/lane-key.ts';
import { isLaneId, pullLaneName, repoLaneId } from '../../src/lanes/lane-id.ts';
import { DEFAULT_LANE_LIMITS, formatTtl } from '../../src/lanes/lane-limits.ts';
import { assertLaneVersion, laneVersionProblem } from '../../src/lanes/lane-version.ts';
import { createProcessRuntime, laneProcessEnv } from '../../src/lanes/process-runtime.ts';
import { parseLaneSpec } from '../../src/lanes/task-spec.ts';

function issuesOf(text: string, maxTtlMs?: number): string[] {
  const parsed = parseLaneSpec(
    text,
    maxTtlMs === undefined ? {} : { maxTtlMs, whose: 'acme/shop may ask for (max_lane_ttl)' },
  );
  return parsed.ok ? [] : parsed.issues.map((issue) => `${issue.line}:${issue.path} ${issue.message}`);
}

describe('lane ids', () => {
  it("puts a repository's lanes in its lower-case namespace; operators' names have no slash", () => {
    expect(repoLaneId('Codertocat/Hello-World', pullLaneName(50))).toBe('codertocat/hello-world/pr-50');
    expect(repoLaneId('acme/shop.web', 'feature-42')).toBe('acme/shop.web/feature-42');
    expect(isLaneId('feature-42')).toBe(true);
    expect(isLaneId('acme/shop.web/feature-42')).toBe(true);
    for (const bad of [
      'acme/feature-42',
      'a/b/c/d',
      '/shop/x',
      'acme//x',
      'Acme/shop/x',
      'acme/shop/Feature',
      'acme/shop/../x',
      '../etc',
    ])
      expect(isLaneId(bad)).toBe(false);
  });

  it('reads a namespaced lane from the header and from percent-encoded baggage', () => {
    expect(laneOf({ 'x-yardmaster-lane': 'acme/shop/pr-7' })).toBe('acme/shop/pr-7');
    expect(laneOf({ baggage: 'yardmaster-lane=acme%2Fshop%2Fpr-7' })).toBe('acme/shop/pr-7');
    expect(laneOf({ baggage: 'yardmaster-lane=acme/shop/pr-7' })).toBe('acme/shop/pr-7');
    expect(laneOf({ 'x-yardmaster-lane': 'acme/pr-7' })).toBeUndefined();
  });
});

describe('lane TTL bound', () => {
  it('refuses a TTL over the limit, naming the field, the line and the limit (never shortened)', () => {
    expect(issuesOf('services: { A: "1" }\nttl: 73h\n', DEFAULT_LANE_LIMITS.maxTtlMs)).toEqual([
      '2:ttl 73h is longer than 72h, the longest lane TTL acme/shop may ask for (max_lane_ttl)',
    ]);
    expect(issuesOf('services: { A: "1" }\nttl: 3h\n', 2 * 3_600_000)).toEqual([
      '2:ttl 3h is longer than 2h, the longest lane TTL acme/shop may ask for (max_lane_ttl)',
    ]);
    expect(issuesOf('services: { A: "1" }\nttl: 500ms\n')).toEqual(['2:ttl expected a lane TTL of at least 1s']);
  });

  it('takes a TTL up to the limit, and gives a spec without one 24 hours or the limit when shorter', () => {
    const exact = parseLaneSpec('services: { A: "1" }\nttl: 72h\n', { maxTtlMs: DEFAULT_LANE_LIMITS.maxTtlMs });
    expect(exact.ok && exact.value.ttlMs).toBe(72 * 3_600_000);
    const plain = parseLaneSpec('services: { A: "1" }', { maxTtlMs: DEFAULT_LANE_LIMITS.maxTtlMs });
    expect(plain.ok && plain.value.ttlMs).toBe(24 * 3_600_000);
    const short = parseLaneSpec('services: { A: "1" }', { maxTtlMs: 2 * 3_600_000 });
    expect(short.ok && short.value.ttlMs).toBe(2 * 3_600_000);
  });

  it("bounds even the operator's lanes at 30 days", () => {
    expect(issuesOf('services: { A: "1" }\nttl: 721h\n')).toEqual([
      '2:ttl 721h is longer than 720h, the longest lane TTL allowed here',
    ]);
    expect(formatTtl(90 * 60_000)).toBe('90m');
  });
});

describe('lane versions', () => {
  it("are a plan's versions: never '.' or '..', no slash, a bare integer taken as its digits, other numbers refused", () => {
    expect(issuesOf('services:\n  A: ".."\n  B: "."\n  C: "1/2"\n  D: 1.10\n')).toEqual([
      '2:services.A a version cannot be "." or ".."',
      '3:services.B a version cannot be "." or ".."',
      "4:services.C expected a version of 1 to 64 letters, digits, '.', '_' or '-', like 2.4.1",
      '5:services.D expected a version as a string; quote numeric versions, e.g. "2.4"',
    ]);
    const integer = parseLaneSpec('services: { A: 7, B: "1..2" }');
    expect(integer.ok && integer.value.services).toEqual({ A: '7', B: '1..2' });
    expect(laneVersionProblem('..')).toBe('a version cannot be "." or ".."');
    expect(() => {
      assertLaneVersion('B', '..');
    }).toThrow('B@..: a version cannot be "." or ".."');
  });
});

describe('the environment of a lane process', () => {
  it("is PATH, the catalog's variables and Yardmaster's lane variables, nothing else of the server's", () => {
    const server = {
      PATH: '/usr/bin:/bin',
      HOME: '/root',
      DATABASE_URL: 'postgres://secret',
      PRIVATE_KEY: 'key',
      SLACK_BOT_TOKEN: 'xoxb',
      NODE_OPTIONS: '--inspect',
    };
    const env = laneProcessEnv(
      server,
      { GREETING: 'hi', PORT: '1', YM_SERVICE: 'spoofed' },
      { port: 4100, service: 'A', version: '3', routerUrl: 'http://router:8088' },
    );
    expect(env).toEqual({
      PATH: '/usr/bin:/bin',
      GREETING: 'hi',
      PORT: '4100',
      YM_SERVICE: 'A',
      YM_VERSION: '3',
      YM_ROUTER_URL: 'http://router:8088',
    });
  });
});

describe('a build of a version', () => {
  it('reaches a lane process as YM_DIGEST, which the catalog cannot override', () => {
    const env = laneProcessEnv(
      { PATH: '/bin' },
      { YM_DIGEST: 'spoofed' },
      { port: 4100, service: 'A', version: '3', routerUrl: 'http://router:8088', digest: 'a'.repeat(64) },
    );
    expect(env.YM_DIGEST).toBe('a'.repeat(64));
  });

  it('reaches a start command only as 64 hex digits', async () => {
    const runtime = createProcessRuntime({
      catalog: { A: { start: ['/bin/echo', '{digest}'], env: {}, health: '/healthz' } },
      routerUrl: 'http://127.0.0.1:9',
    });
    for (const digest of ['$(id)', 'A'.repeat(64), 'a'.repeat(63), `${'a'.repeat(63)}\n`]) {
      await expect(runtime.start('A', '1', { digest })).rejects.toThrow(/a build digest is a sha256 in hex/);
    }
  });
});
