/**
 * The `kubernetes` data plane, as an export: the route table as Gateway API HTTPRoutes
 * (gateway.networking.k8s.io/v1). Layout: one HTTPRoute per service, `yardmaster-<service>`, holding
 *
 * 1. a rule per lane that has the service: the lane's `x-yardmaster-lane` header (exact match), the lane's instance
 *    as backend, `x-yardmaster-route: <service>@<version> (lane)` set on the answer;
 * 2. a rule per strict lane that lacks the service: its header, sent to the Service without endpoints (503);
 * 3. last, the baseline rule (no header match): the baseline's instance, `(baseline)` in the route header, or the
 *    Service without endpoints when the service has no baseline (the router's 503 there).
 *
 * A service whose rules pass the Gateway API's 16 per HTTPRoute goes on in `yardmaster-<service>-2`, `-3` …: a lane
 * rule beats the baseline rule across routes as well, since it has more header matches. Services are addressed
 * by host name (`<service>.<domain>`, with a domain) or by path (`/<service>`, the prefix removed by URLRewrite),
 * as on the router. A rule has exactly one match: the Gateway API allows a prefix rewrite only then.
 *
 * Backends: the Kubernetes Service named by the backend template (kubernetes-names.ts) in the routes' namespace, on
 * the port of the instance's endpoint; the table holds only instances that are up. Every name and value is checked
 * here; anything that cannot become a valid object is a problem, and there is no partial export.
 */
import { type ExportNote, exportNotes } from './gateway-api-notes.ts';
import { LANE_HEADER, ROUTE_HEADER } from './lane-key.ts';
import { LANE_ID } from './lane-id.ts';
import { backendServiceName, isGatewayHostname, isObjectName, kubernetesPart } from './kubernetes-names.ts';
import type { RouteTable, RouteTarget } from './route-table.ts';

export const GATEWAY_API_VERSION = 'gateway.networking.k8s.io/v1';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
/** The Gateway API's most rules in one HTTPRoute. */
export const MAX_RULES_PER_ROUTE = 16;
/** A service as the router reads it from a path (lane-key.ts), lower case as in the table. */
const SERVICE = /^[a-z0-9][a-z0-9_-]{0,62}$/;
/** Where a Service without endpoints listens (any port: nothing answers on it). */
const UNAVAILABLE_PORT = 80;

export interface GatewayRef {
  name: string;
  namespace?: string;
}

export interface GatewayApiOptions {
  /** The namespace of every object written (and of the backends); none: the namespace they are applied to. */
  namespace?: string;
  /** The Gateways the routes attach to (`parentRefs`): at least one. */
  gateways: readonly GatewayRef[];
  /** The backend Service name template (`{service}`, `{version}`). */
  backendName: string;
  /** Services are addressed as `<service>.<domain>`; without one, by path `/<service>`. */
  domain?: string;
  /** The Service without endpoints that strict lanes and services without a baseline are sent to (a 503). */
  unavailableService: string;
}

export interface Metadata {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
}

export interface HttpRouteMatch {
  path: { type: 'PathPrefix'; value: string };
  headers?: { type: 'Exact'; name: string; value: string }[];
}

export type HttpRouteFilter =
  | {
      type: 'URLRewrite';
      urlRewrite: { path: { type: 'ReplacePrefixMatch'; replacePrefixMatch: string } };
    }
  | { type: 'ResponseHeaderModifier'; responseHeaderModifier: { set: { name: string; value: string }[] } };

export interface HttpRouteRule {
  matches: HttpRouteMatch[];
  filters?: HttpRouteFilter[];
  backendRefs: { name: string; port: number }[];
}

export interface HttpRoute {
  apiVersion: typeof GATEWAY_API_VERSION;
  kind: 'HTTPRoute';
  metadata: Metadata;
  spec: {
    parentRefs: GatewayRef[];
    hostnames?: string[];
    rules: HttpRouteRule[];
  };
}

/** The Service without endpoints: no selector, so Kubernetes gives it none. */
export interface UnavailableService {
  apiVersion: 'v1';
  kind: 'Service';
  metadata: Metadata;
  spec: { ports: { name: string; port: number; protocol: 'TCP' }[] };
}

export interface GatewayApiExport {
  /** The Service without endpoints, when a rule needs it. */
  unavailable: UnavailableService | undefined;
  routes: HttpRoute[];
  services: string[];
  lanes: string[];
  strictLanes: string[];
  /** Services whose last rule answers 503 (no baseline). */
  withoutBaseline: string[];
  notes: ExportNote[];
}

export type GatewayApiResult = { ok: true; value: GatewayApiExport } | { ok: false; problems: string[] };

/** What each rule of a service's routes says, before it becomes a rule. */
type RulePlan =
  | { kind: 'lane'; lane: string; target: RouteTarget }
  | { kind: 'strict'; lane: string }
  | { kind: 'baseline'; target: RouteTarget }
  | { kind: 'no-baseline' };

function sorted(values: Iterable<string>): string[] {
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The port an instance is reached on, from its endpoint, or why it cannot be routed. */
function endpointPort(endpoint: string): number | string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return `instance endpoint ${JSON.stringify(endpoint)} is not a URL`;
  }
  // The router speaks plain HTTP to instances; so does a Gateway to a backendRef without a BackendTLSPolicy.
  if (url.protocol !== 'http:') return `instance endpoint ${endpoint}: only http: is routed`;
  return url.port === '' ? 80 : Number(url.port);
}

/** The rules of one service, in the order the layout gives them. */
function rulePlans(table: RouteTable, service: string, lanes: readonly string[]): RulePlan[] {
  const plans: RulePlan[] = [];
  const strict: RulePlan[] = [];
  for (const lane of lanes) {
    const routes = table.lanes.get(lane);
    const target = routes?.services.get(service);
    if (target !== undefined) plans.push({ kind: 'lane', lane, target });
    else if (routes?.mode === 'strict') strict.push({ kind: 'strict', lane });
  }
  const baseline = table.baseline.get(service);
  return [
    ...plans,
    ...strict,
    baseline === undefined ? { kind: 'no-baseline' } : { kind: 'baseline', target: baseline },
  ];
}

/** Builds the export of `table`, or lists every reason it cannot be written. */
export function buildGatewayApiExport(table: RouteTable, options: GatewayApiOptions): GatewayApiResult {
  const problems: string[] = [];
  const lanes = sorted(table.lanes.keys());
  for (const lane of lanes) if (!LANE_ID.test(lane)) problems.push(`lane ${JSON.stringify(lane)} is not a lane id`);
  const services = sorted(
    new Set([...table.baseline.keys(), ...[...table.lanes.values()].flatMap((lane) => [...lane.services.keys()])]),
  );

  // Backends: one Service name per service@version, and never one name for two instances.
  const backendOwner = new Map<string, string>();
  const backends = new Map<string, { name: string; port: number }>();
  const backendOf = (service: string, target: RouteTarget): { name: string; port: number } | undefined => {
    const key = `${service}@${target.version} (${target.endpoint})`;
    const known = backends.get(key);
    if (known !== undefined) return known;
    const named = backendServiceName(options.backendName, service, target.version);
    const port = endpointPort(target.endpoint);
    if (!named.ok) problems.push(named.problem);
    if (typeof port === 'string') problems.push(`${service}@${target.version}: ${port}`);
    if (!named.ok || typeof port === 'string') return undefined;
    const owner = backendOwner.get(named.name);
    if (owner !== undefined && owner !== key)
      problems.push(
        `${key} and ${owner} both get the backend name ${named.name}: choose a --backend-name that tells them apart`,
      );
    else if (named.name === options.unavailableService)
      problems.push(`${service}@${target.version}: backend name ${named.name} is the Service without endpoints`);
    backendOwner.set(named.name, key);
    const backend = { name: named.name, port };
    backends.set(key, backend);
    return backend;
  };

  const metadata = (name: string): Metadata => ({
    name,
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    labels: { [MANAGED_BY_LABEL]: 'yardmaster' },
  });
  const unavailableRef = { name: options.unavailableService, port: UNAVAILABLE_PORT };
  const routeNames = new Map<string, string>();
  const routes: HttpRoute[] = [];
  let needsUnavailable = false;
  const withoutBaseline: string[] = [];
  for (const service of services) {
    if (!SERVICE.test(service)) {
      problems.push(`service ${JSON.stringify(service)} is not a service name the router addresses`);
      continue;
    }
    const host = options.domain === undefined ? undefined : `${service}.${options.domain}`;
    if (host !== undefined && !isGatewayHostname(host))
      problems.push(`service ${service}: ${host} is not a host name a Gateway can match`);
    const path = host === undefined ? `/${service}` : '/';
    const match = (lane: string | undefined): HttpRouteMatch => ({
      path: { type: 'PathPrefix', value: path },
      ...(lane === undefined ? {} : { headers: [{ type: 'Exact', name: LANE_HEADER, value: lane }] }),
    });
    const forward = (label: string): HttpRouteFilter[] => [
      ...(host === undefined
        ? [
            {
              type: 'URLRewrite',
              urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } },
            } satisfies HttpRouteFilter,
          ]
        : []),
      { type: 'ResponseHeaderModifier', responseHeaderModifier: { set: [{ name: ROUTE_HEADER, value: label }] } },
    ];
    const rules: HttpRouteRule[] = [];
    for (const plan of rulePlans(table, service, lanes)) {
      if (plan.kind === 'lane' || plan.kind === 'baseline') {
        const backend = backendOf(service, plan.target);
        if (backend === undefined) continue;
        const lane = plan.kind === 'lane' ? plan.lane : undefined;
        rules.push({
          matches: [match(lane)],
          filters: forward(`${service}@${plan.target.version} (${plan.kind})`),
          backendRefs: [{ ...backend }],
        });
      } else {
        needsUnavailable = true;
        if (plan.kind === 'no-baseline') withoutBaseline.push(service);
        rules.push({
          matches: [match(plan.kind === 'strict' ? plan.lane : undefined)],
          backendRefs: [{ ...unavailableRef }],
        });
      }
    }
    const base = `yardmaster-${kubernetesPart(service)}`;
    for (let part = 0; part * MAX_RULES_PER_ROUTE < rules.length; part++) {
      const name = part === 0 ? base : `${base}-${part + 1}`;
      if (!isObjectName(name)) {
        problems.push(`service ${JSON.stringify(service)}: ${name} is not an HTTPRoute name`);
        continue;
      }
      const other = routeNames.get(name);
      if (other !== undefined) {
        problems.push(`services ${other} and ${service} both need the HTTPRoute ${name}`);
        continue;
      }
      routeNames.set(name, service);
      routes.push({
        apiVersion: GATEWAY_API_VERSION,
        kind: 'HTTPRoute',
        metadata: metadata(name),
        spec: {
          parentRefs: options.gateways.map((gateway) => ({ ...gateway })),
          ...(host === undefined ? {} : { hostnames: [host] }),
          rules: rules.slice(part * MAX_RULES_PER_ROUTE, (part + 1) * MAX_RULES_PER_ROUTE),
        },
      });
    }
  }
  if (problems.length > 0) return { ok: false, problems: [...new Set(problems)] };

  const strictLanes = lanes.filter((lane) => table.lanes.get(lane)?.mode === 'strict');
  return {
    ok: true,
    value: {
      unavailable: needsUnavailable
        ? {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: metadata(options.unavailableService),
            spec: { ports: [{ name: 'http', port: UNAVAILABLE_PORT, protocol: 'TCP' }] },
          }
        : undefined,
      routes,
      services,
      lanes,
      strictLanes,
      withoutBaseline,
      notes: exportNotes(options, strictLanes, withoutBaseline),
    },
  };
}
