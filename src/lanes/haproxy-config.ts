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
 * `set-dst`/`set-dst-port` to a server `0.0.0.0:0`, whose kept-alive connections HAProxy reuses per destination;
 * `<route>` is the `x-yardmaster-route` answer header, `<service>@<version> (lane)` or `(baseline)`, written whole so
 * that no request builds it), or `-|0|<why>|<route>` when its endpoint cannot be used (port 0: answered 502). The rules
 * are the lane router's (lane-router.ts), written by haproxy-rules.ts. Every value from the table is checked against
 * engine-values.ts's patterns before it becomes an entry; an entry that fails is left out and reported. Where HAProxy
 * does not do exactly what the router does is listed in docs/lanes.md ("Data planes").
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { checkedListener, DNS_NAME, engineEndpoint, IPV4, routeValueProblem, safePath } from './engine-values.ts';
import { renderHaproxyRules, STRICT_VALUE } from './haproxy-rules.ts';
import { LANE_ID } from './lane-id.ts';
import { CLIENT_KEEP_ALIVE_MS } from './data-plane.ts';
import type { RouteTable, RouteTarget } from './route-table.ts';

export const LANES_MAP_FILE = 'yardmaster-lanes.map';
export const BASELINE_MAP_FILE = 'yardmaster-baseline.map';
/** The key of the digest entry in each map. */
export const MARKER_KEY = '.yardmaster';

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

/** The HAProxy configuration (a whole file: global, defaults, the lanes frontend and its backends). */
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

${renderHaproxyRules({ host: options.host, port: options.port, domain: options.domain, maxHops, lanesMap, baselineMap })}`;
}
