/**
 * The haproxy data plane's config and map entries: the route table's entries become map entries whose keys and
 * values are checked first (a value that is not what it claims — lane id, service, version, endpoint — never
 * becomes an entry, so none can add a line or a field to a map); the config refuses paths, addresses and domains
 * that could carry HAProxy syntax. The config's behaviour is proven against a real HAProxy in
 * test/integration/lanes-data-planes.test.ts and lanes-haproxy.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  endpointHostNames,
  haproxyMaps,
  MARKER_KEY,
  mapPayloads,
  mapsDigest,
  renderHaproxyConfig,
  tableOfMaps,
} from '../../src/lanes/haproxy-config.ts';
import { LANE_ID } from '../../src/lanes/lane-id.ts';
import type { RouteTable } from '../../src/lanes/route-table.ts';

const table: RouteTable = {
  baseline: new Map([
    ['a', { version: '1.0', endpoint: 'http://10.0.0.1:8080' }],
    ['web', { version: '3', endpoint: 'http://web.internal' }],
  ]),
  lanes: new Map([
    ['acme/shop/pr-7', { mode: 'strict', services: new Map([['a', { version: '2', endpoint: 'http://[::1]:9000' }]]) }],
    [
      'feature-1',
      { mode: 'fallback', services: new Map([['web', { version: '4', endpoint: 'http://web.internal:81/x' }]]) },
    ],
  ]),
};
const addresses = new Map([['web.internal', '10.0.0.9']]);
const options = { host: '127.0.0.1', port: 8088, socket: '/run/ym/admin.sock', mapDir: '/etc/haproxy/ym' };

describe('the haproxy map entries of a route table', () => {
  it('maps lane/service and service to address, port, Host header and route, and strict lanes to strict', () => {
    expect(endpointHostNames(table)).toEqual(['web.internal']);
    const maps = haproxyMaps(table, addresses);
    expect(maps.skipped).toEqual([]);
    expect(maps.lanes).toEqual([
      ['acme/shop/pr-7', 'strict'],
      ['acme/shop/pr-7/a', '::1|9000|[::1]:9000|a@2 (lane)'],
      ['feature-1/web', '10.0.0.9|81|web.internal:81|web@4 (lane)'],
    ]);
    expect(maps.baseline).toEqual([
      ['a', '10.0.0.1|8080|10.0.0.1:8080|a@1.0 (baseline)'],
      ['web', '10.0.0.9|80|web.internal|web@3 (baseline)'],
    ]);
    // Read back, the maps are the table (endpoints as their origin: the path of an endpoint is never used).
    const back = tableOfMaps([...maps.lanes, [MARKER_KEY, 'x']], maps.baseline);
    expect(back.baseline).toEqual(table.baseline);
    expect(back.lanes.get('acme/shop/pr-7')).toEqual(table.lanes.get('acme/shop/pr-7'));
    expect(back.lanes.get('feature-1')?.services.get('web')).toEqual({
      version: '4',
      endpoint: 'http://web.internal:81',
    });
  });

  it('answers 502 for endpoints HAProxy cannot be sent to, without writing them', () => {
    const maps = haproxyMaps(
      {
        baseline: new Map([
          ['a', { version: '1', endpoint: 'https://10.0.0.1' }],
          ['b', { version: '1', endpoint: 'http://a;b:1' }],
          ['c', { version: '1', endpoint: 'http://nowhere.internal' }],
          ['d', { version: '1', endpoint: 'http://evil.internal' }],
          ['e', { version: '1', endpoint: 'not a url' }],
        ]),
        lanes: new Map(),
      },
      new Map([
        ['nowhere.internal', undefined],
        ['evil.internal', '1.2.3.4\nadd map'],
      ]),
    );
    expect(maps.baseline).toEqual([
      ['a', '-|0|not-http|a@1 (baseline)'],
      ['b', '-|0|not-a-host|b@1 (baseline)'],
      ['c', '-|0|not-resolved|c@1 (baseline)'],
      ['d', '-|0|not-resolved|d@1 (baseline)'],
      ['e', '-|0|not-a-host|e@1 (baseline)'],
    ]);
  });

  it('leaves out entries whose keys or values could add a line or a field, and says why', () => {
    const endpoint = 'http://127.0.0.1:1';
    const maps = haproxyMaps(
      {
        baseline: new Map([
          ['a\nb', { version: '1', endpoint }],
          ['c d', { version: '1', endpoint }],
          ['e', { version: '1|9', endpoint }],
          ['f', { version: '1 2', endpoint }],
          ['G', { version: '1', endpoint }],
        ]),
        lanes: new Map([
          ['x\ny', { mode: 'strict', services: new Map() }],
          ['Feature', { mode: 'fallback', services: new Map() }],
          ['ok', { mode: 'fallback', services: new Map([['s/t', { version: '1', endpoint }]]) }],
        ]),
      },
      new Map(),
    );
    expect(maps.lanes).toEqual([]);
    expect(maps.baseline).toEqual([]);
    expect(maps.skipped).toEqual([
      'baseline: service "a\\nb" is not a service name',
      'baseline: service "c d" is not a service name',
      'baseline: e version "1|9" is not a version',
      'baseline: f version "1 2" is not a version',
      'baseline: service "G" is not a service name',
      'lane "x\\ny" is not a lane id',
      'lane "Feature" is not a lane id',
      'lane ok: service "s/t" is not a service name',
    ]);
  });

  it('cuts the entries into payloads HAProxy reads whole, and digests each content', () => {
    const entries = Array.from(
      { length: 500 },
      (_, index) => [`lane-${index}/svc`, `10.0.0.1|80|10.0.0.1|${index}`] as [string, string],
    );
    const payloads = mapPayloads(entries, 1_000);
    expect(payloads.every((payload) => payload.length <= 1_000)).toBe(true);
    expect(payloads.join('')).toBe(entries.map(([key, value]) => `${key} ${value}\n`).join(''));
    const digest = mapsDigest({ lanes: entries, baseline: [] });
    expect(digest).toMatch(/^[0-9a-f]{32}$/);
    expect(mapsDigest({ lanes: entries.slice(1), baseline: [] })).not.toBe(digest);
    expect(mapsDigest({ lanes: [], baseline: entries })).not.toBe(digest);
  });
});

describe('the haproxy config', () => {
  it('names the socket and the maps, the hop limit, the domain, and runs as nobody when asked', () => {
    const text = renderHaproxyConfig({
      ...options,
      domain: 'lanes.example',
      maxHops: 8,
      threads: 2,
      dropTo: '/tmp/ym/empty',
    });
    expect(text).toContain('stats socket /run/ym/admin.sock mode 600 level admin');
    expect(text).toContain('map_str(/etc/haproxy/ym/yardmaster-lanes.map)');
    expect(text).toContain('map_str(/etc/haproxy/ym/yardmaster-baseline.map)');
    expect(text).toContain("'^[^.]+\\.lanes\\.example(:[0-9]+)?$'");
    expect(text).toContain('{ var(txn.ym_hops) -m int ge 8 }');
    expect(text).toContain('bind 127.0.0.1:8088');
    expect(text).toMatch(/nbthread 2\n {2}uid 65534\n {2}gid 65534\n {2}chroot \/tmp\/ym\/empty\n/);
    expect(text).not.toContain('daemon');
    const plain = renderHaproxyConfig(options);
    // Without a domain, no rule about Host is evaluated.
    expect(plain).not.toContain('ym_by_host');
    expect(plain).not.toContain('ym_host');
    expect(plain).toContain('ge 16 }');
    expect(plain).not.toMatch(/uid|chroot|nbthread|pidfile/);
  });

  it("finds the common requests' route in the frontend and tests patterns only in the backend that takes the rest", () => {
    for (const domain of [undefined, 'lanes.example']) {
      const text = renderHaproxyConfig(domain === undefined ? options : { ...options, domain });
      const sections = new Map(
        text.split(/\n(?=frontend |backend )/).map((section) => [section.slice(0, section.indexOf('\n')), section]),
      );
      const rulesOf = (name: string): string[] =>
        (sections.get(name) ?? '').split('\n').filter((line) => line.startsWith('  http-request'));
      const frontend = rulesOf('frontend yardmaster_lanes');
      const common = rulesOf('backend yardmaster_instances');
      const resolve = rulesOf('backend yardmaster_resolve');
      // The frontend: the service, the lane header looked up as it came, the baseline when no lane is named (and,
      // with a domain, the service from Host); no lane kept in a variable (an allocation), no lane pattern.
      expect(frontend).toHaveLength(domain === undefined ? 3 : 6);
      expect(
        frontend.some((rule) => rule.includes('req.fhdr(x-yardmaster-lane),concat(/,txn.ym_service),map_str(')),
      ).toBe(true);
      for (const rule of [...frontend, ...common]) {
        expect(rule).not.toContain('set-var(txn.ym_lane)');
        expect(rule).not.toContain(LANE_ID.source);
        expect(rule).not.toContain('{ url -m reg');
      }
      // Everything else goes to the backend with the whole rules: no route found, or a hop or hop-by-hop header.
      const route = (sections.get('frontend yardmaster_lanes') ?? '')
        .split('\n')
        .find((line) => line.includes('use_backend'));
      expect(route).toMatch(
        /use_backend yardmaster_resolve if !ym_target \|\| \{ req\.hdr_names -m reg '.*x-yardmaster-hops\|connection\|.*proxy-authorization\)/,
      );
      // The common requests' backend: no test of a pattern, the next hop is 1, no hop-by-hop header to drop.
      expect(common.filter((rule) => rule.includes('-m reg'))).toEqual([]);
      expect(common).toContain('  http-request add-header x-yardmaster-hops 1');
      expect(common.some((rule) => rule.includes('del-header'))).toBe(false);
      // The path's 404, the lane header's check, the baggage lane's check: only in the other backend, and only when
      // no route was found (a found entry proves a well-formed lane and service).
      const patterned = resolve.filter((rule) => rule.includes(LANE_ID.source) || rule.includes('{ url -m reg'));
      expect(patterned).toHaveLength(3);
      for (const rule of patterned) expect(rule).toMatch(/ if (!ym_target|\{ var\(txn\.ym_raw\) -m found \})/);
      const keptLane = resolve.filter((rule) => rule.includes('set-var(txn.ym_lane)'));
      expect(keptLane.length).toBeGreaterThan(0);
      for (const rule of keptLane) expect(rule).toMatch(/ if (!ym_target|\{ var\(txn\.ym_raw\) -m found \})/);
    }
  });

  it('refuses paths, addresses, domains and numbers that are not what they claim', () => {
    const refused: Partial<Parameters<typeof renderHaproxyConfig>[0]>[] = [
      { socket: '/run/a b.sock' },
      { socket: 'relative.sock' },
      { mapDir: '/etc/haproxy"/x' },
      { mapDir: '/etc/$HOME' },
      { pidFile: '/run/x\n  stats socket /tmp/y level admin' },
      { dropTo: '/tmp/a#b' },
      { host: '127.0.0.1 ssl' },
      { port: 0 },
      { port: 70_000 },
      { domain: 'lanes.example$(:[0-9]+)' },
      { domain: "a'b" },
      { maxHops: 0 },
      { threads: 1.5 },
    ];
    for (const change of refused) expect(() => renderHaproxyConfig({ ...options, ...change })).toThrow();
  });
});
