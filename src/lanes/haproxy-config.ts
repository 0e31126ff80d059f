/**
 * The `haproxy` data plane's configuration and map entries. The config is fixed for a listener (address, port,
 * domain, hop limit, where the runtime API socket and the two maps are); the routes live only in the maps, changed
 * at run time (haproxy-runtime-api.ts), never by a reload:
 *
 * - `yardmaster-lanes.map`: `<lane>/<service>` → the lane's instance; `<lane>` → `strict` for strict lanes;
 * - `yardmaster-baseline.map`: `<service>` → the baseline's instance;
 * - in each, `.yardmaster` → a digest of the entries Yardmaster committed (how a restarted HAProxy, whose maps
 *   came back from the files, is recognised; no request can look it up: lanes and services start with [a-z0-9]).
 *
 * An instance is `<address>|<port>|<Host header>|<route>` (the request's destination is set from it:
 * `set-dst`/`set-dst-port` to one server `0.0.0.0:0`, whose kept-alive connections HAProxy reuses per
 * destination; `<route>` is the `x-yardmaster-route` answer header, `<service>@<version> (lane)` or `(baseline)`,
 * written whole so that no request builds it), or `-|0|<why>|<route>` when its endpoint cannot be used (answered
 * 502). The rules are the lane router's (lane-router.ts): no service 404; hop limit 508, else the hop header
 * incremented; the lane from `x-yardmaster-lane`, else the `yardmaster-lane` member of W3C baggage
 * (percent-decoded); lane member → strict 503 → baseline → 503; the lane passed on as the header;
 * `x-yardmaster-route` on every instance's answer; an instance that does not answer is a 502 without it. The rules
 * a request passes are kept few and cheap (each rule costs every request; a string variable is an allocation): no
 * rule for what the config does not use (a domain), the route read from the map's value, the rarer paths (hop
 * header, baggage) behind one test each, the lane and the service checked only when the lookup found nothing (a
 * key is a well-formed lane and service, so a found entry proves both; measured in instructions per request with
 * callgrind, docs/lanes.md). Every value from the table is checked against engine-values.ts's patterns
 * before it becomes an entry; an entry that fails is left out and reported. Where HAProxy does not do exactly what
 * the router does is listed in docs/lanes.md ("Data planes").
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import {
  checkedListener,
  DNS_NAME,
  engineEndpoint,
  IPV4,
  routeValueProblem,
  SERVICE,
  safePath,
} from './engine-values.ts';
import { HOPS_HEADER, LANE_HEADER, ROUTE_HEADER } from './lane-key.ts';
import { LANE_ID } from './lane-id.ts';
import { CLIENT_KEEP_ALIVE_MS } from './data-plane.ts';
import type { RouteTable, RouteTarget } from './route-table.ts';

export const LANES_MAP_FILE = 'yardmaster-lanes.map';
export const BASELINE_MAP_FILE = 'yardmaster-baseline.map';
/** The key of the digest entry in each map. */
export const MARKER_KEY = '.yardmaster';
/** The value of a strict lane's `<lane>` entry. */
export const STRICT_VALUE = 'strict';
/** A hop count that is not a count: a loop, as in the router (reported as JavaScript's largest safe integer). */
const NOT_A_COUNT = '9007199254740991';

export interface HaproxyConfigOptions {
  host: string;
  port: number;
  domain?: string;
  maxHops?: number;
  /** The runtime API socket (`stats socket … level admin`). */
  socket: string;
  /** The directory holding the two map files (they must exist when HAProxy starts; empty is fine). */
  mapDir: string;
  /** Written when Yardmaster runs HAProxy itself. */
  pidFile?: string;
  /** HAProxy's threads (default: HAProxy's own, one per CPU). */
  threads?: number;
  /** Started as root: run as uid/gid 65534 (nobody) chrooted to this empty directory. */
  dropTo?: string;
}

export interface HaproxyMaps {
  /** `key value` pairs of yardmaster-lanes.map and yardmaster-baseline.map, without the digest entry. */
  lanes: [string, string][];
  baseline: [string, string][];
  /** Entries of the table left out, and why. */
  skipped: string[];
}

/** Host names of the table's endpoints that are not addresses (resolved before the maps are made). */
export function endpointHostNames(table: RouteTable): string[] {
  const names = new Set<string>();
  const add = (target: RouteTarget) => {
    const parsed = engineEndpoint(target.endpoint, 'HAProxy');
    if (!('error' in parsed) && DNS_NAME.test(parsed.hostname) && !IPV4.test(parsed.hostname))
      names.add(parsed.hostname);
  };
  for (const target of table.baseline.values()) add(target);
  for (const lane of table.lanes.values()) for (const target of lane.services.values()) add(target);
  return [...names];
}

/** An endpoint's map value without the route: `<address>|<port>|<Host header>`, or `-|0|<why>`. */
function destinationOf(endpoint: string, addresses: ReadonlyMap<string, string | undefined>): string {
  const parsed = engineEndpoint(endpoint, 'HAProxy');
  if ('error' in parsed) return `-|0|${parsed.error.includes('only http:') ? 'not-http' : 'not-a-host'}`;
  let address: string | undefined = parsed.hostname;
  if (address.startsWith('[')) address = address.slice(1, -1);
  else if (!IPV4.test(address)) address = addresses.get(address);
  if (address === undefined || isIP(address) === 0) return '-|0|not-resolved';
  return `${address}|${parsed.port}|${parsed.hostHeader}`;
}

/** The route table as map entries, each value checked (what fails is left out and said in `skipped`). */
export function haproxyMaps(table: RouteTable, addresses: ReadonlyMap<string, string | undefined>): HaproxyMaps {
  const skipped: string[] = [];
  // Lanes share instances: each endpoint is read once.
  const destinations = new Map<string, string>();
  const instanceValue = (target: RouteTarget): string => {
    let destination = destinations.get(target.endpoint);
    if (destination === undefined) {
      destination = destinationOf(target.endpoint, addresses);
      destinations.set(target.endpoint, destination);
    }
    return destination;
  };
  const checked = (service: string, target: RouteTarget, where: string): string | undefined => {
    const problem = routeValueProblem(service, target.version, where);
    if (problem === undefined)
      return `${instanceValue(target)}|${service}@${target.version} (${where === 'baseline' ? 'baseline' : 'lane'})`;
    skipped.push(problem);
    return undefined;
  };
  const baseline: [string, string][] = [];
  for (const [service, target] of table.baseline) {
    const value = checked(service, target, 'baseline');
    if (value !== undefined) baseline.push([service, value]);
  }
  const lanes: [string, string][] = [];
  for (const [lane, routes] of table.lanes) {
    if (!LANE_ID.test(lane)) {
      skipped.push(`lane ${JSON.stringify(lane)} is not a lane id`);
      continue;
    }
    if (routes.mode === 'strict') lanes.push([lane, STRICT_VALUE]);
    for (const [service, target] of routes.services) {
      const value = checked(service, target, `lane ${lane}`);
      if (value !== undefined) lanes.push([`${lane}/${service}`, value]);
    }
  }
  lanes.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  baseline.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { lanes, baseline, skipped };
}

/** The digest written as `.yardmaster` into both maps: of both maps' entries. */
export function mapsDigest(maps: Pick<HaproxyMaps, 'lanes' | 'baseline'>): string {
  const hash = createHash('sha256');
  for (const [key, value] of maps.lanes) hash.update(`l ${key} ${value}\n`);
  for (const [key, value] of maps.baseline) hash.update(`b ${key} ${value}\n`);
  return hash.digest('hex').slice(0, 32);
}

/** The route table a map's entries stand for (endpoints as `http://<Host header>`, i.e. the URL's origin). */
export function tableOfMaps(lanes: readonly [string, string][], baseline: readonly [string, string][]): RouteTable {
  const target = (value: string): RouteTarget => {
    const [address = '', , hostHeader = '', route = ''] = value.split('|');
    const version = route.slice(route.indexOf('@') + 1, route.lastIndexOf(' ('));
    return { version, endpoint: address === '-' ? '' : `http://${hostHeader}` };
  };
  const baselineRoutes = new Map<string, RouteTarget>();
  for (const [key, value] of baseline) if (key !== MARKER_KEY) baselineRoutes.set(key, target(value));
  const byLane = new Map<string, { mode: 'fallback' | 'strict'; services: Map<string, RouteTarget> }>();
  const laneOf = (lane: string) => {
    let routes = byLane.get(lane);
    if (routes === undefined) {
      routes = { mode: 'fallback', services: new Map() };
      byLane.set(lane, routes);
    }
    return routes;
  };
  for (const [key, value] of lanes) {
    if (key === MARKER_KEY) continue;
    if (value === STRICT_VALUE && LANE_ID.test(key)) laneOf(key).mode = 'strict';
    else {
      const slash = key.lastIndexOf('/');
      laneOf(key.slice(0, slash)).services.set(key.slice(slash + 1), target(value));
    }
  }
  return { baseline: baselineRoutes, lanes: byLane };
}

/**
 * The runtime API payload adding `entries` (`key value` lines, at most `limit` bytes each payload: HAProxy reads a
 * command and its payload into one buffer of 16 KiB by default).
 */
export function mapPayloads(entries: readonly [string, string][], limit = 12_000): string[] {
  const payloads: string[] = [];
  let current = '';
  for (const [key, value] of entries) {
    const line = `${key} ${value}\n`;
    if (current.length + line.length > limit && current !== '') {
      payloads.push(current);
      current = '';
    }
    current += line;
  }
  if (current !== '') payloads.push(current);
  return payloads;
}

const TEXT = 'content-type "text/plain; charset=utf-8"';
/**
 * The hop-by-hop headers dropped from requests (their names, as HAProxy holds them: lower case). Requests rarely carry
 * one (HAProxy takes `keep-alive` and `close` out of `Connection` itself, and drops it when nothing is left), so the
 * deletion, which runs a pattern on every header, waits for one test of all the names at once.
 */
const REQUEST_HOP_BY_HOP = 'connection|keep-alive|proxy-connection|te|trailer|upgrade|proxy-authorization';

/** The HAProxy configuration (a whole file: global, defaults, the lanes frontend and the instances backend). */
export function renderHaproxyConfig(options: HaproxyConfigOptions): string {
  const socket = safePath(options.socket, 'HAProxy runtime API socket');
  const mapDir = safePath(options.mapDir, 'HAProxy map directory');
  if (!IPV4.test(options.host) && options.host !== '::' && options.host !== '0.0.0.0')
    throw new Error(`HAProxy listen address ${options.host}: an IPv4 address is expected`);
  const maxHops = checkedListener('HAProxy', options);
  if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1))
    throw new Error(`HAProxy threads ${options.threads}: a positive integer is expected`);
  const lanesMap = `${mapDir}/${LANES_MAP_FILE}`;
  const baselineMap = `${mapDir}/${BASELINE_MAP_FILE}`;
  const laneId = LANE_ID.source;
  // With a domain, the service may come from Host (the label before the domain); then the path is left as it is,
  // and a name in Host that is no service name is looked up nowhere: it finds no instance (503), as in the router.
  const hostRules =
    options.domain === undefined
      ? ''
      : `  http-request set-var(txn.ym_service) req.fhdr(host),lower,field(1,.) if { req.fhdr(host),lower -m reg '^[^.]+\\.${options.domain.replaceAll('.', '\\.')}(:[0-9]+)?$' }
  http-request set-var(txn.ym_host) bool(1) if { var(txn.ym_service) -m found }
  acl ym_host var(txn.ym_host) -m found
  http-request set-var(txn.ym_unknown) bool(1) if ym_host !{ var(txn.ym_service) -m reg '${SERVICE.source}' }
  acl ym_unknown var(txn.ym_unknown) -m found
`;
  const inPath = options.domain === undefined ? '' : ' !ym_host';
  const known = options.domain === undefined ? '' : ' !ym_unknown';
  const global = [
    'global',
    ...(options.pidFile === undefined ? [] : [`  pidfile ${safePath(options.pidFile, 'HAProxy pid file')}`]),
    `  stats socket ${socket} mode 600 level admin`,
    '  stats timeout 10m',
    ...(options.threads === undefined ? [] : [`  nbthread ${options.threads}`]),
    ...(options.dropTo === undefined
      ? []
      : ['  uid 65534', '  gid 65534', `  chroot ${safePath(options.dropTo, 'HAProxy chroot directory')}`]),
  ];
  return `# Yardmaster lanes: the haproxy data plane (docs/lanes.md, "Data planes"). Generated: routes are not in this
# file but in the two maps, which Yardmaster fills through the runtime API (the map files may stay empty).
# Run HAProxy with -dMglobal (its process-wide object cache; Yardmaster does when it runs HAProxy itself).
${global.join('\n')}

defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  timeout http-request 30s
  timeout http-keep-alive ${CLIENT_KEEP_ALIVE_MS / 1000}s
  retries 1

frontend yardmaster_lanes
  bind ${options.host}:${options.port}
  # The common request (the lane in its header, the lane's instance found) passes few and cheap rules; what it does
  # not need is behind a first test that fails at once: a map entry is found only for a well-formed lane and
  # service (every key is one), so names are checked only when none is found.
  acl ym_target var(txn.ym_target) -m found
  # The service: <service>.<domain> in Host, else the first path segment (the rest of the path goes on).
${hostRules}  http-request set-var(txn.ym_service) url,field(2,/),field(1,?),lower${inPath === '' ? '' : ` if${inPath}`}
  # The lane: ${LANE_HEADER} (one), looked up at once (kept in a variable only if no entry was found: a string
  # variable is an allocation); then it must be a lane id, else the first yardmaster-lane member of baggage (its first
  # four headers, percent-decoded) is the lane.
  http-request set-var(txn.ym_target) req.fhdr(${LANE_HEADER}),concat(/,txn.ym_service),map_str(${lanesMap}) if { req.fhdr_cnt(${LANE_HEADER}) eq 1 }${known}
  http-request set-var(txn.ym_lane) req.fhdr(${LANE_HEADER}) if !ym_target { req.fhdr_cnt(${LANE_HEADER}) eq 1 }
  http-request return status 404 ${TEXT} lf-string "no service in the request: use <service>.<domain> or /<service>/…\\n" if !ym_target${inPath} !{ url -m reg '^/[A-Za-z0-9][A-Za-z0-9_-]{0,62}([/?].*)?$' }
  http-request unset-var(txn.ym_lane) if !ym_target { var(txn.ym_lane) -m found } !{ var(txn.ym_lane) -m reg '${laneId}' }
  http-request set-var-fmt(txn.ym_baggage) "%[req.fhdr(baggage,1)],%[req.fhdr(baggage,2)],%[req.fhdr(baggage,3)],%[req.fhdr(baggage,4)]" if !ym_target !{ var(txn.ym_lane) -m found } { req.fhdr_cnt(baggage) gt 0 }
  http-request set-var(txn.ym_raw) var(txn.ym_baggage),'regsub("^(?:[^\\x2c]*\\x2c)*?[ \\t]*yardmaster-lane[ \\t]*=([^\\x2c;=]*).*$","\\1")' if { var(txn.ym_baggage) -m reg '(^|,)[ \\t]*yardmaster-lane[ \\t]*=' }
  http-request set-var(txn.ym_lane) var(txn.ym_raw),'regsub("^[ \\t]+|[ \\t]+$","",g)',url_dec if { var(txn.ym_raw) -m found } { var(txn.ym_raw),'regsub("^[ \\t]+|[ \\t]+$","",g)',url_dec -m reg '${laneId}' }
  acl ym_lane var(txn.ym_lane) -m found
  http-request set-var(txn.ym_target) var(txn.ym_lane),concat(/,txn.ym_service),map_str(${lanesMap}) if { var(txn.ym_raw) -m found } ym_lane${known}
  # The hop guard: no header (or one empty header) is hop 0; one that is not a decimal count, or more than one, is
  # a loop (the common request, without the header, is tested once).
  http-request set-var(txn.ym_hops) int(${NOT_A_COUNT}) if { req.fhdr_cnt(${HOPS_HEADER}) gt 0 }
  http-request set-var(txn.ym_hops) req.fhdr(${HOPS_HEADER}),add(0) if { var(txn.ym_hops) -m found } { req.fhdr_cnt(${HOPS_HEADER}) eq 1 } { req.fhdr(${HOPS_HEADER}) -m reg '^0*[0-9]{1,9}$' }
  http-request unset-var(txn.ym_hops) if { var(txn.ym_hops) -m found } { req.fhdr_cnt(${HOPS_HEADER}) eq 1 } { req.fhdr(${HOPS_HEADER}) -m len 0 }
  http-request return status 508 ${TEXT} lf-string "loop detected: %[var(txn.ym_hops)] hops through the lane router\\n" if { var(txn.ym_hops) -m int ge ${maxHops} }
  # The route: the lane's instance, else 503 for a strict lane, else the baseline's, else 503.
  http-request return status 503 ${TEXT} lf-string "lane %[var(txn.ym_lane)] is strict and has no instance of %[var(txn.ym_service)]\\n" if !ym_target ym_lane { var(txn.ym_lane),map_str(${lanesMap}) -m str ${STRICT_VALUE} }
  http-request set-var(txn.ym_target) var(txn.ym_service),map_str(${baselineMap}) if !ym_target${known}
  http-request return status 503 ${TEXT} lf-string "no instance of %[var(txn.ym_service)] in lane %[var(txn.ym_lane)] and none in the baseline\\n" if !ym_target ym_lane
  http-request return status 503 ${TEXT} lf-string "no instance of %[var(txn.ym_service)] and none in the baseline\\n" if !ym_target
  http-request return status 502 ${TEXT} lf-string "%[var(txn.ym_target),field(4,|)]: its instance endpoint cannot be used (%[var(txn.ym_target),field(3,|)])\\n" if { var(txn.ym_target) -m beg -- -| }
  # To the instance: its address, its Host, the next hop count, the lane as the header (when it came from baggage),
  # the path without the service's segment, hop-by-hop headers dropped.
  http-request set-dst var(txn.ym_target),field(1,|)
  http-request set-dst-port var(txn.ym_target),field(2,|)
  http-request set-header host %[var(txn.ym_target),field(3,|)]
  http-request set-header ${HOPS_HEADER} %[var(txn.ym_hops,0),add(1)]
  http-request set-header ${LANE_HEADER} %[var(txn.ym_lane)] if { var(txn.ym_raw) -m found } ym_lane
  http-request set-path /%[path,field(3,/,0)]${inPath === '' ? '' : ` if${inPath}`}
  http-request del-header '^(${REQUEST_HOP_BY_HOP})$' -m reg if { req.hdr_names -m reg '(^|,)(${REQUEST_HOP_BY_HOP})(,|$)' }
  http-response del-header '^(keep-alive|proxy-connection|trailer|upgrade|proxy-authenticate)$' -m reg
  http-response set-header ${ROUTE_HEADER} %[var(txn.ym_target),field(4,|)]
  # An instance that cannot be reached or does not answer is a 502 without the route header, as in the router
  # (HAProxy's own 503/504 never passed the rule above that sets it; the instance's own did).
  http-after-response set-status 502 reason "Bad Gateway" if { status 503 504 } ym_target !{ res.fhdr(${ROUTE_HEADER}) -m found }
  default_backend yardmaster_instances

backend yardmaster_instances
  http-error status 502 ${TEXT} lf-string "%[var(txn.ym_target),field(4,|)]: the instance did not answer\\n"
  http-error status 503 ${TEXT} lf-string "%[var(txn.ym_target),field(4,|)]: the instance did not answer\\n"
  http-error status 504 ${TEXT} lf-string "%[var(txn.ym_target),field(4,|)]: the instance did not answer in time\\n"
  server instance 0.0.0.0:0
`;
}
