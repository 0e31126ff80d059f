/**
 * The lane router: an HTTP proxy on its own port. Each request goes to the lane's instance of the service it names,
 * else to the baseline's (fallback lanes, and requests without a lane), else 503 saying why (strict lanes, or no
 * instance at all). Every answer says where it went (`x-yardmaster-route: <service>@<version> (lane|baseline)`);
 * the lane key goes on with the request; a hop counter stops loops (508). Connections to instances are kept alive
 * and pooled. The route table is swapped whole, so requests in flight finish where they were sent.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { CLIENT_KEEP_ALIVE_MS } from './data-plane.ts';
import { HOPS_HEADER, hopsOf, LANE_HEADER, laneOf, ROUTE_HEADER, serviceOf } from './lane-key.ts';
import type { RouteTable, RouteTarget } from './route-table.ts';
import { HOP_BY_HOP, UpstreamPools, type BodyWriter, type Exchange } from './upstream-pool.ts';

export interface LaneRouterOptions {
  /** The current route table (read per request). */
  routes(): RouteTable;
  /** Services are also addressed as `<service>.<domain>` (Host header). */
  domain?: string;
  /** Hops before a request counts as a loop (default 16). */
  maxHops?: number;
  /** Connections kept to each instance at most (default 256; more requests wait for one). */
  maxSockets?: number;
}

type Decision =
  | { ok: true; target: RouteTarget; via: 'lane' | 'baseline' }
  | { ok: false; status: number; message: string };

/** Where a request for `service` in `lane` goes. */
export function decideRoute(table: RouteTable, service: string, lane: string | undefined): Decision {
  const laneRoutes = lane === undefined ? undefined : table.lanes.get(lane);
  const inLane = laneRoutes?.services.get(service);
  if (inLane !== undefined) return { ok: true, target: inLane, via: 'lane' };
  if (laneRoutes?.mode === 'strict')
    return { ok: false, status: 503, message: `lane ${lane ?? ''} is strict and has no instance of ${service}` };
  const baseline = table.baseline.get(service);
  if (baseline !== undefined) return { ok: true, target: baseline, via: 'baseline' };
  return {
    ok: false,
    status: 503,
    message: `no instance of ${service}${lane === undefined ? '' : ` in lane ${lane}`} and none in the baseline`,
  };
}

/** What the router reads from a request's headers, and the headers it passes on, in one pass over `rawHeaders`. */
interface Scanned {
  host: string | undefined;
  lane: string | undefined;
  baggage: string | undefined;
  hops: string | undefined;
  /** Transfer-Encoding was present (the body comes de-chunked and goes on chunked). */
  chunked: boolean;
  length: string | undefined;
  /** Headers named by Connection besides keep-alive and close (hop-by-hop too). */
  listed: string | undefined;
  /** `name: value\r\n` lines to pass on: all but Host, the hop count, hop-by-hop ones and the lane header. */
  lines: string;
  /** The lane header as it came (passed on as it is when it names no valid lane). */
  laneLines: string;
}

function joined(previous: string | undefined, value: string): string {
  return previous === undefined ? value : `${previous}, ${value}`;
}

function scan(raw: readonly string[], exclude: ReadonlySet<string> | undefined): Scanned {
  const scanned: Scanned = {
    host: undefined,
    lane: undefined,
    baggage: undefined,
    hops: undefined,
    chunked: false,
    length: undefined,
    listed: undefined,
    lines: '',
    laneLines: '',
  };
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = raw[index];
    const value = raw[index + 1];
    if (name === undefined || value === undefined) break;
    const lower = name.toLowerCase();
    switch (lower) {
      case 'host':
        scanned.host ??= value;
        continue;
      case LANE_HEADER:
        scanned.lane = joined(scanned.lane, value);
        scanned.laneLines += `${name}: ${value}\r\n`;
        continue;
      case HOPS_HEADER:
        scanned.hops = joined(scanned.hops, value);
        continue;
      case 'baggage':
        scanned.baggage = joined(scanned.baggage, value);
        break;
      case 'content-length':
        scanned.length = value;
        continue;
      case 'transfer-encoding':
        scanned.chunked = true;
        continue;
      case 'connection':
        for (const token of value.split(',')) {
          const listed = token.trim().toLowerCase();
          if (listed !== '' && listed !== 'keep-alive' && listed !== 'close')
            scanned.listed = joined(scanned.listed, listed);
        }
        continue;
    }
    if (HOP_BY_HOP.has(lower) || exclude?.has(lower) === true) continue;
    scanned.lines += `${name}: ${value}\r\n`;
  }
  return scanned;
}

function answer(response: ServerResponse, status: number, message: string): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
}

/** An instance as the router reaches it: where to connect and the Host to send, or why it cannot. */
interface Endpoint {
  host: string;
  port: number;
  hostHeader: string;
  error: string | undefined;
}

/** Parsed endpoints, by their text (a route table holds few, and parsing one per request is measurable). */
function endpointCache(): (endpoint: string) => Endpoint {
  const parsed = new Map<string, Endpoint>();
  return (text) => {
    let endpoint = parsed.get(text);
    if (endpoint === undefined) {
      endpoint = { host: '', port: 0, hostHeader: '', error: undefined };
      try {
        const url = new URL(text);
        if (url.protocol !== 'http:') endpoint.error = `instance endpoint ${text}: only http: is routed`;
        endpoint.host = url.hostname.replace(/^\[(.*)\]$/, '$1');
        endpoint.port = url.port === '' ? 80 : Number(url.port);
        endpoint.hostHeader = url.host;
      } catch {
        endpoint.error = `instance endpoint ${text} is not a URL`;
      }
      if (parsed.size > 10_000) parsed.clear();
      parsed.set(text, endpoint);
    }
    return endpoint;
  };
}

const CRLF = Buffer.from('\r\n');

/** Passes the request body on as it comes, chunked again when it came chunked, pausing when the socket is full. */
function sendBody(request: IncomingMessage, chunked: boolean, writer: BodyWriter): void {
  request.on('data', (chunk: Buffer) => {
    const ok = writer.write(
      chunked ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`, 'latin1'), chunk, CRLF]) : chunk,
    );
    if (!ok) {
      request.pause();
      writer.onDrain(() => request.resume());
    }
  });
  request.on('end', () => {
    if (chunked) writer.write('0\r\n\r\n');
    writer.end();
  });
}

export function createLaneRouter(options: LaneRouterOptions): Server {
  const pools = new UpstreamPools(options.maxSockets ?? 256);
  const maxHops = options.maxHops ?? 16;
  const parse = endpointCache();
  const server = createServer((request, response) => {
    const url = request.url ?? '/';
    let scanned = scan(request.rawHeaders, undefined);
    const addressed = serviceOf(scanned.host, url, options.domain);
    if (addressed === undefined) {
      answer(response, 404, 'no service in the request: use <service>.<domain> or /<service>/…');
      return;
    }
    const hops = scanned.hops === undefined ? 0 : hopsOf({ [HOPS_HEADER]: scanned.hops });
    if (hops >= maxHops) {
      answer(response, 508, `loop detected: ${hops} hops through the lane router`);
      return;
    }
    const lane =
      scanned.lane === undefined && scanned.baggage === undefined
        ? undefined
        : laneOf({ [LANE_HEADER]: scanned.lane, baggage: scanned.baggage });
    const decision = decideRoute(options.routes(), addressed.service, lane);
    if (!decision.ok) {
      answer(response, decision.status, decision.message);
      return;
    }
    const route = `${addressed.service}@${decision.target.version} (${decision.via})`;
    const target = parse(decision.target.endpoint);
    if (target.error !== undefined) {
      answer(response, 502, `${route}: ${target.error}`);
      return;
    }
    if (scanned.listed !== undefined) scanned = scan(request.rawHeaders, new Set(scanned.listed.split(', ')));
    const method = request.method ?? 'GET';
    const hasBody = scanned.chunked || (scanned.length !== undefined && scanned.length !== '0');
    // The lane goes on as the header even when it came as baggage, so the next service sees it either way.
    const head =
      `${method} ${addressed.path} HTTP/1.1\r\nhost: ${target.hostHeader}\r\n${scanned.lines}${HOPS_HEADER}: ${hops + 1}\r\n` +
      (lane === undefined ? scanned.laneLines : `${LANE_HEADER}: ${lane}\r\n`) +
      `${scanned.chunked ? 'transfer-encoding: chunked\r\n' : scanned.length === undefined ? '' : `content-length: ${scanned.length}\r\n`}\r\n`;
    let done = false;
    const exchange: Exchange = {
      head,
      headRequest: method === 'HEAD',
      retryable: !hasBody && (method === 'GET' || method === 'HEAD' || method === 'OPTIONS'),
      onHead(status, headers) {
        headers.push(ROUTE_HEADER, route);
        response.writeHead(status, headers);
      },
      onBody(chunk, last) {
        if (last) {
          done = true;
          response.end(chunk);
          return true;
        }
        if (response.write(chunk)) return true;
        response.once('drain', () => {
          pools.resume(exchange);
        });
        return false;
      },
      onEnd() {
        done = true;
        response.end();
      },
      onError(error) {
        done = true;
        answer(response, 502, `${route}: ${error.message}`);
      },
    };
    if (hasBody)
      exchange.send = (writer) => {
        sendBody(request, scanned.chunked, writer);
      };
    response.on('close', () => {
      if (!done) pools.abort(exchange);
    });
    pools.dispatch(target.host, target.port, exchange);
  });
  server.keepAliveTimeout = CLIENT_KEEP_ALIVE_MS;
  server.on('close', () => {
    pools.destroy();
  });
  return server;
}
