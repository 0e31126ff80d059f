/**
 * The `nginx` data plane's configuration, generated from the route table: `map`s from the lane (the
 * `x-yardmaster-lane` header, else the `yardmaster-lane` member of W3C baggage) and the service (`<service>.<domain>`
 * in Host, else the first path segment) to an upstream, with the lane router's rules (lane member → baseline → 503;
 * strict lanes 503; 508 at the hop limit, the hop header incremented otherwise; `x-yardmaster-route` on every
 * proxied answer; the lane passed on as the header). Every value that comes from outside (lane ids, service names,
 * versions, endpoints, the domain) is checked against a strict pattern before it is written, so none can carry
 * nginx syntax (`;`, quotes, braces, `$`, spaces, new lines); an entry that fails is left out and reported.
 * Where nginx cannot do exactly what the router does is listed in docs/lanes.md ("The nginx data plane").
 */
import { join } from 'node:path';
import { LANE_HEADER, HOPS_HEADER, ROUTE_HEADER } from './lane-key.ts';
import { LANE_ID } from './lane-id.ts';
import { CLIENT_KEEP_ALIVE_MS } from './data-plane.ts';
import type { RouteTable, RouteTarget } from './route-table.ts';
import {
  checkedListener,
  engineEndpoint,
  IPV4,
  LANE_NAME_PART as NAME,
  LANE_OWNER as OWNER,
  LANE_REPO as REPO,
  routeValueProblem,
  safePath,
} from './engine-values.ts';

export interface NginxConfigOptions {
  /** The directory nginx runs in (pid file, error log, control socket, temp files). */
  dir: string;
  host: string;
  port: number;
  domain?: string;
  maxHops?: number;
  /** Written into the config and answered on the control socket: how a reload is seen to have taken effect. */
  generation: number;
  workers?: number;
}

export interface NginxConfig {
  text: string;
  /** Entries of the table left out, and why. */
  skipped: string[];
}

/** A route table entry's endpoint as nginx reaches it, or why it cannot. */
type Upstream = { server: string; hostHeader: string } | { error: string };

export function nginxUpstream(endpoint: string): Upstream {
  const parsed = engineEndpoint(endpoint, 'nginx');
  if ('error' in parsed) return parsed;
  return { server: `${parsed.hostname}:${parsed.port}`, hostHeader: parsed.hostHeader };
}

/** Checks a path that goes into the config as it is. */
export function nginxSafePath(path: string): string {
  return safePath(path, 'nginx directory');
}

/** The lines before `http {}` for a config run from `dir` (shared with bench:lanes). */
export function nginxMainLines(dir: string, workers: number): string {
  const safe = nginxSafePath(dir);
  return `worker_processes ${workers};
daemon off;
pid ${join(safe, 'nginx.pid')};
error_log ${join(safe, 'error.log')} warn;
events { worker_connections 4096; }
`;
}

/** The `http {}` lines that keep nginx's temporary files in `dir` (shared with bench:lanes). */
export function nginxTempLines(dir: string): string {
  const safe = nginxSafePath(dir);
  return ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `  ${kind}_temp_path ${join(safe, kind === 'client_body' ? 'body' : kind)};\n`)
    .join('');
}

/** The temporary directories nginxTempLines names (to create before starting). */
export const NGINX_TEMP_DIRS = ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'] as const;

/** `$http_…` variable of a header. */
function headerVariable(header: string): string {
  return `$http_${header.replaceAll('-', '_')}`;
}

interface Route {
  id: string;
  label: string;
  upstream: Upstream;
}

/** Everything the routing maps hold, checked. */
function compile(table: RouteTable): {
  routes: Route[];
  baseline: Map<string, string>;
  members: Map<string, string>;
  strict: string[];
  skipped: string[];
} {
  const skipped: string[] = [];
  const routes: Route[] = [];
  const makeRoute = (service: string, target: RouteTarget, via: 'lane' | 'baseline', where: string) => {
    const problem = routeValueProblem(service, target.version, where);
    if (problem !== undefined) {
      skipped.push(problem);
      return undefined;
    }
    const route: Route = {
      id: `r${routes.length}`,
      label: `${service}@${target.version} (${via})`,
      upstream: nginxUpstream(target.endpoint),
    };
    routes.push(route);
    return route;
  };
  const baseline = new Map<string, string>();
  for (const [service, target] of table.baseline) {
    const route = makeRoute(service, target, 'baseline', 'baseline');
    if (route !== undefined) baseline.set(service, route.id);
  }
  const members = new Map<string, string>();
  const strict: string[] = [];
  for (const [lane, routesOfLane] of table.lanes) {
    if (!LANE_ID.test(lane)) {
      skipped.push(`lane ${JSON.stringify(lane)} is not a lane id`);
      continue;
    }
    if (routesOfLane.mode === 'strict') strict.push(lane);
    for (const [service, target] of routesOfLane.services) {
      const route = makeRoute(service, target, 'lane', `lane ${lane}`);
      if (route !== undefined) members.set(`${lane} ${service}`, route.id);
    }
  }
  return { routes, baseline, members, strict, skipped };
}

function mapBlock(source: string, target: string, entries: readonly (readonly [string, string])[]): string {
  return `  map ${source} ${target} {\n${entries.map(([key, value]) => `    ${key} ${value};\n`).join('')}  }\n`;
}

/** The lane and the service of a request, as lane-key.ts reads them. */
function requestMaps(domain: string | undefined, maxHops: number): string {
  const laneId = `(?:${OWNER}/${REPO}/)?${NAME}`;
  const hops: [string, string][] = [['""', '1']];
  for (let hop = 0; hop < maxHops; hop++) hops.push([`"~^0*${hop === 0 ? '' : String(hop)}$"`, String(hop + 1)]);
  hops.push(['default', '""']);
  const hostEntries: [string, string][] = [];
  if (domain !== undefined) hostEntries.push([`"~^([^.]+)\\.${domain.replaceAll('.', '\\.')}$"`, '$1']);
  hostEntries.push(['default', '""']);
  return [
    mapBlock(headerVariable(LANE_HEADER), '$ym_lane_header', [
      [`"~^(${laneId})$"`, '$1'],
      ['default', '""'],
    ]),
    mapBlock('$http_baggage', '$ym_baggage_raw', [
      ['"~(?:^|,)[ \t]*yardmaster-lane[ \t]*=([^,;=]*)"', '$1'],
      ['default', '""'],
    ]),
    mapBlock('$ym_baggage_raw', '$ym_baggage_lane', [
      [`"~^[ \t]*(${NAME})[ \t]*$"`, '$1'],
      [`"~^[ \t]*(${OWNER})(?:%2[fF]|/)(${REPO})(?:%2[fF]|/)(${NAME})[ \t]*$"`, '$1/$2/$3'],
      ['default', '""'],
    ]),
    mapBlock('$ym_lane_header', '$ym_lane', [
      ['""', '$ym_baggage_lane'],
      ['default', '$ym_lane_header'],
    ]),
    // A valid lane goes on as the header; without one the lane header goes on as it came.
    mapBlock('$ym_lane', '$ym_lane_out', [
      ['""', headerVariable(LANE_HEADER)],
      ['default', '$ym_lane'],
    ]),
    mapBlock(headerVariable(HOPS_HEADER), '$ym_next_hops', hops),
    mapBlock('$host', '$ym_host_service', hostEntries),
    mapBlock('$request_uri', '$ym_path_service', [
      ['"~^/([A-Za-z0-9][A-Za-z0-9_-]{0,62})(?:[/?].*)?$"', '$1'],
      ['default', '""'],
    ]),
    mapBlock('$request_uri', '$ym_path_rest', [
      ['"~^/[A-Za-z0-9][A-Za-z0-9_-]{0,62}(/.*)$"', '$1'],
      ['"~^/[A-Za-z0-9][A-Za-z0-9_-]{0,62}(\\?.*)$"', '/$1'],
      ['default', '/'],
    ]),
    mapBlock('$ym_host_service', '$ym_service', [
      ['""', '$ym_path_service'],
      ['default', '$ym_host_service'],
    ]),
    mapBlock('$ym_host_service', '$ym_path', [
      ['""', '$ym_path_rest'],
      ['default', '$request_uri'],
    ]),
  ].join('');
}

/** Where a request goes, from the table: the decision is a route id or why there is none. */
function routeMaps(compiled: ReturnType<typeof compile>): string {
  const quote = (text: string): string => `"${text}"`;
  const upstreams = new Map<string, string>();
  const upstreamOf = new Map<string, string>();
  for (const route of compiled.routes)
    if ('server' in route.upstream) {
      let name = upstreams.get(route.upstream.server);
      if (name === undefined) {
        name = `ym_u${upstreams.size}`;
        upstreams.set(route.upstream.server, name);
      }
      upstreamOf.set(route.id, name);
    }
  const upstreamBlocks = [...upstreams]
    .map(([server, name]) => `  upstream ${name} { server ${server}; keepalive 64; }\n`)
    .join('');
  const proxied = compiled.routes.filter((route) => 'server' in route.upstream);
  const broken = compiled.routes.filter((route) => 'error' in route.upstream);
  return [
    upstreamBlocks,
    mapBlock('"$ym_lane $ym_service"', '$ym_lane_route', [
      ...[...compiled.members].map(([key, id]) => [quote(key), id] as const),
      ['default', '""'],
    ]),
    mapBlock('$ym_lane', '$ym_strict', [
      ...compiled.strict.map((lane) => [quote(lane), '1'] as const),
      ['default', '""'],
    ]),
    mapBlock('$ym_service', '$ym_baseline_route', [
      ...[...compiled.baseline].map(([service, id]) => [quote(service), id] as const),
      ['default', '""'],
    ]),
    // service | next hop count | lane route | strict | baseline route, in the router's order.
    mapBlock('"$ym_service|$ym_next_hops|$ym_lane_route|$ym_strict|$ym_baseline_route"', '$ym_decision', [
      ['"~^\\|"', 'noservice'],
      ['"~^[^|]+\\|\\|"', 'loop'],
      ['"~^[^|]+\\|[^|]+\\|(r[0-9]+)\\|"', '$1'],
      ['"~^[^|]+\\|[^|]+\\|\\|1\\|"', 'strict'],
      ['"~^[^|]+\\|[^|]+\\|\\|\\|(r[0-9]+)$"', '$1'],
      ['default', 'none'],
    ]),
    mapBlock('$ym_decision', '$ym_upstream', [
      ...proxied.map((route) => [route.id, upstreamOf.get(route.id) ?? '""'] as const),
      ['default', '""'],
    ]),
    mapBlock('$ym_decision', '$ym_upstream_host', [
      ...proxied.map(
        (route) => [route.id, 'server' in route.upstream ? quote(route.upstream.hostHeader) : '""'] as const,
      ),
      ['default', '""'],
    ]),
    mapBlock('$ym_decision', '$ym_route_label', [
      ...proxied.map((route) => [route.id, quote(route.label)] as const),
      ['default', '""'],
    ]),
    mapBlock('$ym_decision', '$ym_broken', [...broken.map((route) => [route.id, '1'] as const), ['default', '""']]),
  ].join('');
}

export function renderNginxConfig(table: RouteTable, options: NginxConfigOptions): NginxConfig {
  const dir = nginxSafePath(options.dir);
  if (!IPV4.test(options.host) && options.host !== 'localhost')
    throw new Error(`nginx listen address ${options.host}: an IPv4 address is expected`);
  const maxHops = checkedListener('nginx', options);
  const compiled = compile(table);
  const text = `${nginxMainLines(dir, options.workers ?? 1)}http {
  access_log off;
  server_tokens off;
  default_type "text/plain; charset=utf-8";
${nginxTempLines(dir)}  client_max_body_size 0;
  proxy_http_version 1.1;
  proxy_request_buffering off;
  proxy_buffering off;
${requestMaps(options.domain, maxHops)}${routeMaps(compiled)}
  server {
    listen ${options.host}:${options.port};
    keepalive_requests 1000000;
    keepalive_timeout ${CLIENT_KEEP_ALIVE_MS / 1000}s;
    location / {
      if ($ym_decision = noservice) { return 404 "no service in the request: use <service>.<domain> or /<service>/...\\n"; }
      if ($ym_decision = loop) { return 508 "loop detected: ${maxHops} or more hops through the lane router\\n"; }
      if ($ym_decision = strict) { return 503 "lane $ym_lane is strict and has no instance of $ym_service\\n"; }
      if ($ym_decision = none) { return 503 "no instance of $ym_service in lane '$ym_lane' and none in the baseline\\n"; }
      if ($ym_broken) { return 502 "$ym_service: its instance endpoint is not plain http\\n"; }
      error_page 502 504 = @ym_unreachable;
      add_header ${ROUTE_HEADER} $ym_route_label always;
      proxy_set_header Host $ym_upstream_host;
      proxy_set_header Connection "";
      proxy_set_header ${HOPS_HEADER} $ym_next_hops;
      proxy_set_header ${LANE_HEADER} $ym_lane_out;
      proxy_pass http://$ym_upstream$ym_path;
    }
    location @ym_unreachable {
      return 502 "$ym_route_label: the instance did not answer\\n";
    }
  }
  server {
    listen unix:${join(dir, 'control.sock')};
    location = /generation { return 200 "${options.generation}"; }
    location / { return 404; }
  }
}
`;
  return { text, skipped: compiled.skipped };
}
