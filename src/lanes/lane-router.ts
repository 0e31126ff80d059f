/**
 * The lane router: an HTTP proxy on its own port. Each request goes to the lane's instance of the service it names,
 * else to the baseline's (fallback lanes, and requests without a lane), else 503 saying why (strict lanes, or no
 * instance at all). Every answer says where it went (`x-yardmaster-route: <service>@<version> (lane|baseline)`);
 * the lane key goes on with the request; a hop counter stops loops (508). Connections to instances are kept alive
 * and pooled. The route table is swapped whole, so requests in flight finish where they were sent.
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { HOPS_HEADER, hopsOf, LANE_HEADER, laneOf, ROUTE_HEADER, serviceOf } from './lane-key.ts';
import type { RouteTable, RouteTarget } from './route-table.ts';

export interface LaneRouterOptions {
  /** The current route table (read per request). */
  routes(): RouteTable;
  /** Services are also addressed as `<service>.<domain>` (Host header). */
  domain?: string;
  /** Hops before a request counts as a loop (default 16). */
  maxHops?: number;
}

type Decision = { ok: true; target: RouteTarget; via: 'lane' | 'baseline' } | { ok: false; status: number; message: string };

/** Where a request for `service` in `lane` goes. */
export function decideRoute(table: RouteTable, service: string, lane: string | undefined): Decision {
  const laneRoutes = lane === undefined ? undefined : table.lanes.get(lane);
  const inLane = laneRoutes?.services.get(service);
  if (inLane !== undefined) return { ok: true, target: inLane, via: 'lane' };
  if (laneRoutes?.mode === 'strict') return { ok: false, status: 503, message: `lane ${lane ?? ''} is strict and has no instance of ${service}` };
  const baseline = table.baseline.get(service);
  if (baseline !== undefined) return { ok: true, target: baseline, via: 'baseline' };
  return { ok: false, status: 503, message: `no instance of ${service}${lane === undefined ? '' : ` in lane ${lane}`} and none in the baseline` };
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-authorization', 'proxy-authenticate']);

function forwardHeaders(request: IncomingMessage, target: URL, lane: string | undefined, hops: number): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(request.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  headers['host'] = target.host;
  headers[HOPS_HEADER] = String(hops + 1);
  // The lane goes on as the header even when it came as baggage, so the next service sees it either way.
  if (lane !== undefined) headers[LANE_HEADER] = lane;
  return headers;
}

function answer(response: ServerResponse, status: number, message: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
}

/** Parsed endpoints, by their text (a route table holds few, and parsing one per request is measurable). */
function endpointCache(): (endpoint: string) => URL {
  const parsed = new Map<string, URL>();
  return (endpoint) => {
    let url = parsed.get(endpoint);
    if (url === undefined) {
      url = new URL(endpoint);
      if (parsed.size > 10_000) parsed.clear();
      parsed.set(endpoint, url);
    }
    return url;
  };
}

/** A request with no body to pass on (most GETs): the upstream request is ended at once instead of piped. */
function hasBody(request: IncomingMessage): boolean {
  return request.headers['transfer-encoding'] !== undefined || (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0');
}

export function createLaneRouter(options: LaneRouterOptions): Server {
  const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256 });
  const maxHops = options.maxHops ?? 16;
  const parse = endpointCache();
  const server = createServer((request, response) => {
    const addressed = serviceOf(request.headers.host, request.url ?? '/', options.domain);
    if (addressed === undefined) {
      answer(response, 404, 'no service in the request: use <service>.<domain> or /<service>/…');
      return;
    }
    const hops = hopsOf(request.headers);
    if (hops >= maxHops) {
      answer(response, 508, `loop detected: ${hops} hops through the lane router`);
      return;
    }
    const lane = laneOf(request.headers);
    const decision = decideRoute(options.routes(), addressed.service, lane);
    if (!decision.ok) {
      answer(response, decision.status, decision.message);
      return;
    }
    const target = parse(decision.target.endpoint);
    const route = `${addressed.service}@${decision.target.version} (${decision.via})`;
    const upstream = httpRequest(
      { agent, protocol: target.protocol, hostname: target.hostname, port: target.port, method: request.method, path: addressed.path, headers: forwardHeaders(request, target, lane, hops) },
      (reply) => {
        const headers: OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(reply.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
        headers[ROUTE_HEADER] = route;
        response.writeHead(reply.statusCode ?? 502, headers);
        reply.pipe(response);
      },
    );
    upstream.on('error', (error) => answer(response, 502, `${route}: ${error.message}`));
    if (hasBody(request)) request.pipe(upstream);
    else {
      request.resume();
      upstream.end();
    }
  });
  server.on('close', () => agent.destroy());
  return server;
}
