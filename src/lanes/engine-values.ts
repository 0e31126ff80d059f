/**
 * What a data-plane engine may be given from the route table (nginx config text, HAProxy map entries): strict
 * patterns for service names, versions, host names and addresses, and directories it runs from. Every value that
 * comes from outside is checked against these before it reaches an engine, so none can carry the engine's syntax
 * (`;`, quotes, braces, `$`, `|`, spaces, new lines). Shared by nginx-config.ts and haproxy-config.ts.
 */
import { DEFAULT_MAX_HOPS } from './data-plane.ts';

/** A service name as routed (the route table keeps them lower case). */
export const SERVICE = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const VERSION = /^[A-Za-z0-9._-]{1,64}$/;
export const DNS_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
export const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
/** An IPv6 address as a URL writes it (in brackets). */
export const IPV6 = /^\[[0-9a-f:.]+\]$/;
/** Directories and files an engine is run from: nothing a config token could misread. */
export const SAFE_PATH = /^\/[A-Za-z0-9._/-]+$/;

/** LANE_ID's parts, to read a percent-encoded id out of baggage (`%2F` for `/`). */
export const LANE_OWNER = '[a-z0-9][a-z0-9-]{0,38}';
export const LANE_REPO = '[a-z0-9._-]{1,100}';
export const LANE_NAME_PART = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';

/** An instance endpoint as an engine reaches it: host name or address, port, the Host header to send; or why not. */
export type EngineEndpoint = { hostname: string; port: number; hostHeader: string } | { error: string };

/** Reads an instance endpoint (`http://<host>[:port]`; its path is not used, as in the router). */
export function engineEndpoint(endpoint: string, engine: string): EngineEndpoint {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return { error: `instance endpoint ${endpoint} is not a URL` };
  }
  if (url.protocol !== 'http:') return { error: `instance endpoint ${endpoint}: only http: is routed` };
  const hostname = url.hostname;
  if (!IPV4.test(hostname) && !IPV6.test(hostname) && !DNS_NAME.test(hostname))
    return { error: `instance endpoint ${endpoint}: not a host name ${engine} can be given` };
  return { hostname, port: url.port === '' ? 80 : Number(url.port), hostHeader: url.host };
}

/** Checks a path that goes into an engine's config as it is. */
export function safePath(path: string, what: string): string {
  if (!SAFE_PATH.test(path)) throw new Error(`${what} ${path}: only letters, digits and . _ / - are allowed`);
  return path;
}

/** Why a route of the table cannot go to an engine's config or maps (its service or version), or undefined. */
export function routeValueProblem(service: string, version: string, where: string): string | undefined {
  if (!SERVICE.test(service)) return `${where}: service ${JSON.stringify(service)} is not a service name`;
  if (!VERSION.test(version)) return `${where}: ${service} version ${JSON.stringify(version)} is not a version`;
  return undefined;
}

/**
 * Checks what an engine's listener is given (its port, the lanes domain, the hop limit) and returns the hop limit in
 * force; `engine` names it in the errors.
 */
export function checkedListener(engine: string, options: { port: number; domain?: string; maxHops?: number }): number {
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65_535)
    throw new Error(`${engine} port ${options.port} is not a port`);
  if (options.domain !== undefined && !DNS_NAME.test(options.domain))
    throw new Error(`lanes domain ${options.domain} is not a host name`);
  const maxHops = options.maxHops ?? DEFAULT_MAX_HOPS;
  if (!Number.isInteger(maxHops) || maxHops < 1 || maxHops > 1_000) throw new Error(`max hops ${maxHops}: 1 to 1000`);
  return maxHops;
}
