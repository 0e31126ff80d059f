/**
 * The Gateway API export (the `kubernetes` data plane): golden files compared byte for byte (UPDATE_GOLDEN=1
 * rewrites them), every document validated against the Gateway API schemas and CEL rules, the routes matched the
 * Gateway API's way for every service and lane and compared with the lane router's own decision, the split past 16
 * rules, and the names that cannot become Kubernetes names refused with their reasons.
 */
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { describe, expect, it } from 'vitest';
import {
  buildGatewayApiExport,
  type GatewayApiExport,
  type GatewayApiOptions,
  type HttpRoute,
} from '../../src/lanes/gateway-api-routes.ts';
import { gatewayApiSummary, renderGatewayApiYaml } from '../../src/lanes/gateway-api-yaml.ts';
import { backendServiceName } from '../../src/lanes/kubernetes-names.ts';
import { decideRoute } from '../../src/lanes/lane-router.ts';
import type { RouteTable, RouteTarget } from '../../src/lanes/route-table.ts';
import {
  expectGolden,
  exportDocuments,
  validatedExport,
  validateExportDocument,
} from '../helpers/gateway-api-documents.ts';

const at = (version: string, endpoint: string): RouteTarget => ({ version, endpoint });

/** Baselines for a, b (version 1.4.0) and checkout; lanes: two fallback (one a repository's), one strict. */
function representativeTable(): RouteTable {
  return {
    baseline: new Map([
      ['a', at('1', 'http://10.0.0.1:8080')],
      ['b', at('1.4.0', 'http://10.0.0.2:8080')],
      ['checkout', at('7', 'http://10.0.0.3')],
    ]),
    lanes: new Map([
      [
        'feature-42',
        {
          mode: 'fallback' as const,
          services: new Map([
            ['b', at('2.0.0-rc_1', 'http://10.0.1.1:9000')],
            ['payments', at('3', 'http://10.0.1.2:9001')],
          ]),
        },
      ],
      ['acme/shop/pr-7', { mode: 'fallback' as const, services: new Map([['a', at('2', 'http://10.0.1.3:8080')]]) }],
      [
        'strict-lane',
        {
          mode: 'strict' as const,
          services: new Map([
            ['a', at('1', 'http://10.0.0.1:8080')],
            ['b', at('2.0.0-rc_1', 'http://10.0.1.1:9000')],
          ]),
        },
      ],
    ]),
  };
}

const PATH_OPTIONS: GatewayApiOptions = {
  namespace: 'shop',
  gateways: [{ name: 'lanes', namespace: 'gateways' }, { name: 'internal' }],
  backendName: '{service}-{version}',
  unavailableService: 'yardmaster-unavailable',
};

const HOST_OPTIONS: GatewayApiOptions = {
  gateways: [{ name: 'lanes' }],
  backendName: 'svc-{service}-v{version}',
  unavailableService: 'lanes-unavailable',
  domain: 'lanes.example.com',
};

function built(table: RouteTable, options: GatewayApiOptions): GatewayApiExport {
  const result = buildGatewayApiExport(table, options);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.value;
}

function problemsOf(table: RouteTable, options: GatewayApiOptions = PATH_OPTIONS): string[] {
  const result = buildGatewayApiExport(table, options);
  return result.ok ? [] : result.problems;
}

/**
 * Where a Gateway sends a request for `service` with `lane` in the lane header, by the Gateway API's precedence: the
 * longest matching path prefix, then the most header matches, then the route first by name, then the first rule.
 */
function gatewayDecision(
  routes: readonly HttpRoute[],
  service: string,
  lane: string | undefined,
  domain: string | undefined,
): { backend: string; label: string | undefined } | undefined {
  const path = `/${service}/orders`;
  const host = domain === undefined ? 'gateway.example' : `${service}.${domain}`;
  let best: { prefix: number; headers: number; backend: string; label: string | undefined } | undefined;
  for (const route of [...routes].sort((x, y) => (x.metadata.name < y.metadata.name ? -1 : 1))) {
    if (route.spec.hostnames !== undefined && !route.spec.hostnames.includes(host)) continue;
    for (const rule of route.spec.rules)
      for (const match of rule.matches) {
        const prefix = match.path.value;
        const pathMatches = prefix === '/' || path === prefix || path.startsWith(`${prefix}/`);
        const headers = match.headers ?? [];
        if (!pathMatches || !headers.every((header) => header.value === lane)) continue;
        if (
          best !== undefined &&
          (best.prefix > prefix.length || (best.prefix === prefix.length && best.headers >= headers.length))
        )
          continue;
        const modifier = rule.filters?.find((filter) => filter.type === 'ResponseHeaderModifier');
        best = {
          prefix: prefix.length,
          headers: headers.length,
          backend: rule.backendRefs[0]?.name ?? '',
          label:
            modifier?.type === 'ResponseHeaderModifier' ? modifier.responseHeaderModifier.set[0]?.value : undefined,
        };
      }
  }
  return best === undefined ? undefined : { backend: best.backend, label: best.label };
}

describe('lanes export --format gateway-api', () => {
  it('writes the representative table by path, with namespace and Gateways (golden file, every document valid)', async () => {
    const value = built(representativeTable(), PATH_OPTIONS);
    const text = renderGatewayApiYaml(value, PATH_OPTIONS);
    await expectGolden('path-namespace.yaml', text);
    const documents = validatedExport(text);
    expect(documents.map((document) => (document as { metadata: { name: string } }).metadata.name)).toEqual([
      'yardmaster-unavailable',
      'yardmaster-a',
      'yardmaster-b',
      'yardmaster-checkout',
      'yardmaster-payments',
    ]);
    // The types the generator writes are the package's: this compiles only if they fit.
    for (const route of value.routes) new HTTPRoute(route).validate();
  });

  it('writes it by host name with a backend template and no namespace (golden file, every document valid)', async () => {
    const value = built(representativeTable(), HOST_OPTIONS);
    const text = renderGatewayApiYaml(value, HOST_OPTIONS);
    await expectGolden('host-domain.yaml', text);
    validatedExport(text);
    expect(value.routes.map((route) => route.spec.hostnames)).toEqual([
      ['a.lanes.example.com'],
      ['b.lanes.example.com'],
      ['checkout.lanes.example.com'],
      ['payments.lanes.example.com'],
    ]);
    expect(text).not.toMatch(/namespace:/);
    expect(text).not.toMatch(/URLRewrite/);
  });

  it('routes every service and lane where the lane router does, with its route header', () => {
    const table = representativeTable();
    for (const options of [PATH_OPTIONS, HOST_OPTIONS]) {
      const value = built(table, options);
      for (const service of value.services)
        for (const lane of [undefined, 'no-such-lane', ...value.lanes]) {
          const router = decideRoute(table, service, lane);
          const gateway = gatewayDecision(value.routes, service, lane, options.domain);
          const where = `${service} in ${lane ?? 'no lane'}`;
          if (router.ok) {
            const backend = backendServiceName(options.backendName, service, router.target.version);
            expect(backend.ok, where).toBe(true);
            expect(gateway, where).toEqual({
              backend: backend.ok ? backend.name : '',
              label: `${service}@${router.target.version} (${router.via})`,
            });
          } else {
            expect(router.status, where).toBe(503);
            expect(gateway, where).toEqual({ backend: options.unavailableService, label: undefined });
          }
        }
    }
  });

  it('lays out each service as lane rules, then strict 503 rules, then the baseline rule last', () => {
    const value = built(representativeTable(), PATH_OPTIONS);
    const a = value.routes.find((route) => route.metadata.name === 'yardmaster-a');
    expect(
      a?.spec.rules.map((rule) => [rule.matches[0]?.headers?.[0]?.value ?? '(none)', rule.backendRefs[0]?.name]),
    ).toEqual([
      ['acme/shop/pr-7', 'a-2'],
      ['strict-lane', 'a-1'],
      ['(none)', 'a-1'],
    ]);
    const checkout = value.routes.find((route) => route.metadata.name === 'yardmaster-checkout');
    expect(
      checkout?.spec.rules.map((rule) => [rule.matches[0]?.headers?.[0]?.value ?? '(none)', rule.backendRefs[0]?.name]),
    ).toEqual([
      ['strict-lane', 'yardmaster-unavailable'],
      ['(none)', 'checkout-7'],
    ]);
    // payments has no baseline: its last rule is the 503 the router gives there.
    const payments = value.routes.find((route) => route.metadata.name === 'yardmaster-payments');
    expect(payments?.spec.rules.at(-1)).toEqual({
      matches: [{ path: { type: 'PathPrefix', value: '/payments' } }],
      backendRefs: [{ name: 'yardmaster-unavailable', port: 80 }],
    });
    expect(value.strictLanes).toEqual(['strict-lane']);
    expect(value.withoutBaseline).toEqual(['payments']);
    expect(value.routes.every((route) => route.spec.rules.at(-1)?.matches[0]?.headers === undefined)).toBe(true);
  });

  it('says what HTTPRoute cannot express at the top of the output and in one line for stderr', () => {
    const value = built(representativeTable(), PATH_OPTIONS);
    const text = renderGatewayApiYaml(value, PATH_OPTIONS);
    const head = text.slice(0, text.indexOf('\n---\n'));
    expect(head.split('\n').every((line) => line.startsWith('#'))).toBe(true);
    expect(head).toMatch(/W3C baggage/);
    expect(head).toMatch(/more than once/);
    expect(head).toMatch(/hop guard/);
    expect(head).toMatch(/503 of strict lanes \(strict-lane\)/);
    expect(head).toMatch(/services without a baseline \(payments\)/);
    expect(gatewayApiSummary(value, 'routes.yaml')).toBe(
      'lanes export: 4 HTTPRoutes and the Service yardmaster-unavailable for 4 services and 3 lanes written to routes.yaml; differs from the lane router in: baggage-carried lanes; repeated lane headers; the hop guard (508); the 503 of strict lanes only through the Service yardmaster-unavailable (no endpoints); answers of the gateway itself; path addressing in lower case only; Extended filters; no live updates (see the comments at the top)\n',
    );
    // No strict lane and every service with a baseline: no Service without endpoints, and no note about it.
    const plain = built({ baseline: new Map([['a', at('1', 'http://10.0.0.1:80')]]), lanes: new Map() }, PATH_OPTIONS);
    expect(plain.unavailable).toBeUndefined();
    expect(renderGatewayApiYaml(plain, PATH_OPTIONS)).not.toMatch(/yardmaster-unavailable/);
  });

  it('goes on in yardmaster-<service>-2 past 16 rules, the baseline rule last in the last route', () => {
    const lanes = new Map(
      Array.from({ length: 20 }, (_, index) => [
        `lane-${String(index).padStart(2, '0')}`,
        { mode: 'fallback' as const, services: new Map([['a', at(`${index + 2}`, `http://10.0.2.${index}:8080`)]]) },
      ]),
    );
    const table: RouteTable = { baseline: new Map([['a', at('1', 'http://10.0.0.1:8080')]]), lanes };
    const value = built(table, PATH_OPTIONS);
    expect(value.routes.map((route) => [route.metadata.name, route.spec.rules.length])).toEqual([
      ['yardmaster-a', 16],
      ['yardmaster-a-2', 5],
    ]);
    expect(value.routes[1]?.spec.rules.at(-1)?.backendRefs).toEqual([{ name: 'a-1', port: 8080 }]);
    validatedExport(renderGatewayApiYaml(value, PATH_OPTIONS));
    for (const lane of [undefined, 'lane-00', 'lane-15', 'lane-16', 'lane-19'])
      expect(gatewayDecision(value.routes, 'a', lane, undefined)?.label).toBe(
        lane === undefined ? 'a@1 (baseline)' : `a@${Number(lane.slice(5)) + 2} (lane)`,
      );
  });

  it('writes the same bytes whatever order the table was loaded in', () => {
    const table = representativeTable();
    const reversed: RouteTable = {
      baseline: new Map([...table.baseline].reverse()),
      lanes: new Map(
        [...table.lanes]
          .reverse()
          .map(([lane, routes]) => [lane, { ...routes, services: new Map([...routes.services].reverse()) }]),
      ),
    };
    expect(renderGatewayApiYaml(built(reversed, PATH_OPTIONS), PATH_OPTIONS)).toBe(
      renderGatewayApiYaml(built(table, PATH_OPTIONS), PATH_OPTIONS),
    );
  });

  it('writes only its comments for an empty table', () => {
    const value = built({ baseline: new Map(), lanes: new Map() }, PATH_OPTIONS);
    const text = renderGatewayApiYaml(value, PATH_OPTIONS);
    expect(text).toMatch(/^# Gateway API HTTPRoutes/);
    expect(text).toMatch(/# Services: none\. Lanes: none\.\n/);
    expect(text).not.toMatch(/^---$/m);
    expect(validatedExport(text)).toEqual([]);
  });
});

describe('names that cannot become Kubernetes names', () => {
  it('derives backend names in lower case with . and _ as -', () => {
    expect(backendServiceName('{service}-{version}', 'Checkout_API', '2.0.0-RC_1')).toEqual({
      ok: true,
      name: 'checkout-api-2-0-0-rc-1',
    });
    expect(backendServiceName('{service}', 'a', '1')).toEqual({ ok: true, name: 'a' });
  });

  it('refuses names that are no Service name, saying which and why', () => {
    const table: RouteTable = {
      baseline: new Map([
        ['9lives', at('1', 'http://10.0.0.1:80')],
        ['long', at('x'.repeat(60), 'http://10.0.0.2:80')],
        ['dash', at('1-', 'http://10.0.0.3:80')],
      ]),
      lanes: new Map(),
    };
    expect(problemsOf(table)).toEqual([
      '9lives@1: backend name "9lives-1" (from --backend-name "{service}-{version}") is not a Kubernetes Service name: it must start with a letter',
      `dash@1-: backend name "dash-1-" (from --backend-name "{service}-{version}") is not a Kubernetes Service name: it must not end with "-"`,
      `long@${'x'.repeat(60)}: backend name "long-${'x'.repeat(60)}" (from --backend-name "{service}-{version}") is not a Kubernetes Service name: 65 characters, 63 at most`,
    ]);
    // A template can make them valid.
    expect(problemsOf(table, { ...PATH_OPTIONS, backendName: 's{service}-{version}v' })).toEqual([
      `long@${'x'.repeat(60)}: backend name "slong-${'x'.repeat(60)}v" (from --backend-name "s{service}-{version}v") is not a Kubernetes Service name: 67 characters, 63 at most`,
    ]);
  });

  it('refuses two instances that would share one backend name', () => {
    const table: RouteTable = {
      baseline: new Map([['a', at('1.0', 'http://10.0.0.1:80')]]),
      lanes: new Map([
        ['l', { mode: 'fallback' as const, services: new Map([['a', at('1-0', 'http://10.0.0.2:80')]]) }],
      ]),
    };
    expect(problemsOf(table)).toEqual([
      'a@1.0 (http://10.0.0.1:80) and a@1-0 (http://10.0.0.2:80) both get the backend name a-1-0: choose a --backend-name that tells them apart',
    ]);
    // Without {version} every version of a service folds into one name.
    const versions: RouteTable = {
      baseline: new Map([['a', at('1', 'http://10.0.0.1:80')]]),
      lanes: new Map([['l', { mode: 'fallback' as const, services: new Map([['a', at('2', 'http://10.0.0.2:80')]]) }]]),
    };
    expect(problemsOf(versions, { ...PATH_OPTIONS, backendName: '{service}' })).toHaveLength(1);
    // The same instance in a lane and as the baseline is one backend.
    const same: RouteTable = {
      baseline: new Map([['a', at('1', 'http://10.0.0.1:80')]]),
      lanes: new Map([['l', { mode: 'strict' as const, services: new Map([['a', at('1', 'http://10.0.0.1:80')]]) }]]),
    };
    expect(problemsOf(same)).toEqual([]);
  });

  it('refuses endpoints, services, host names and lane ids it cannot write', () => {
    const table: RouteTable = {
      baseline: new Map([
        ['tls', at('1', 'https://10.0.0.1:8443')],
        ['garbage', at('1', 'not a url')],
        ['under_score', at('1', 'http://10.0.0.2:80')],
        ['Bad Name', at('1', 'http://10.0.0.3:80')],
      ]),
      lanes: new Map([['Not A Lane', { mode: 'fallback' as const, services: new Map() }]]),
    };
    expect(problemsOf(table, HOST_OPTIONS)).toEqual([
      'lane "Not A Lane" is not a lane id',
      'service "Bad Name" is not a service name the router addresses',
      'garbage@1: instance endpoint "not a url" is not a URL',
      'tls@1: instance endpoint https://10.0.0.1:8443: only http: is routed',
      'service under_score: under_score.lanes.example.com is not a host name a Gateway can match',
    ]);
    // By path, an underscore is fine (the route name and backend name turn it into -).
    expect(
      problemsOf({ baseline: new Map([['under_score', at('1', 'http://10.0.0.2:80')]]), lanes: new Map() }),
    ).toEqual([]);
  });

  it('refuses a route name two services would share, and a backend named like the Service without endpoints', () => {
    expect(
      problemsOf({
        baseline: new Map([
          ['a_b', at('1', 'http://10.0.0.1:80')],
          ['a-b', at('2', 'http://10.0.0.2:80')],
        ]),
        lanes: new Map(),
      }),
    ).toEqual(['services a-b and a_b both need the HTTPRoute yardmaster-a-b']);
    expect(
      problemsOf(
        {
          baseline: new Map([['x', at('1', 'http://10.0.0.1:80')]]),
          lanes: new Map([['s', { mode: 'strict' as const, services: new Map() }]]),
        },
        { ...PATH_OPTIONS, unavailableService: 'x-1' },
      ),
    ).toEqual(['x@1: backend name x-1 is the Service without endpoints']);
  });
});

describe('the document checks themselves', () => {
  const route = (rules: unknown[]): unknown => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'r' },
    spec: { parentRefs: [{ name: 'g' }], rules },
  });
  const rule = (matches: number, rewrite = false): unknown => ({
    matches: Array.from({ length: matches }, (_, index) => ({
      path: { type: 'PathPrefix', value: '/a' },
      headers: [{ type: 'Exact', name: 'x-yardmaster-lane', value: `l${index}` }],
    })),
    ...(rewrite
      ? {
          filters: [
            { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } },
          ],
        }
      : {}),
    backendRefs: [{ name: 'a-1', port: 80 }],
  });

  it('refuses what the API server would refuse', () => {
    expect(() => {
      validateExportDocument(route([rule(1, true)]));
    }).not.toThrow();
    expect(() => {
      validateExportDocument(route(Array.from({ length: 17 }, () => rule(1))));
    }).toThrow(/16 items/);
    expect(() => {
      validateExportDocument(route([rule(2, true)]));
    }).toThrow(/exactly one PathPrefix match/);
    expect(() => {
      validateExportDocument(route([rule(64), rule(64), rule(1)]));
    }).toThrow(/at most 128/);
    expect(() => {
      validateExportDocument({ ...(route([rule(1)]) as object), metadata: { name: 'A_b' } });
    }).toThrow(/DNS-1123/);
    const badBackend = route([{ ...(rule(1) as object), backendRefs: [{ name: 'a.1', port: 80 }] }]);
    expect(() => {
      validateExportDocument(badBackend);
    }).toThrow(/DNS-1035/);
    expect(() => {
      validateExportDocument({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 's' },
        spec: { ports: [{ port: 'x' }] },
      });
    }).toThrow();
    expect(() => exportDocuments('a: [\n')).toThrow(/YAML/);
    expect(() => exportDocuments('a: &x { b: 1 }\nc: *x\n')).toThrow(/alias/);
  });
});
