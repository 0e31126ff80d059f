/**
 * The lane of a request: the `x-yardmaster-lane` header, else the `yardmaster-lane` member of W3C `baggage`
 * (percent-encoded, so a repository lane's `/` may come as `%2F`); and
 * the service it is for: `<service>.<domain>` in Host, else the first path segment (`/<service>/…`).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { LANE_ID } from './lane-id.ts';

export const LANE_HEADER = 'x-yardmaster-lane';
export const HOPS_HEADER = 'x-yardmaster-hops';
export const ROUTE_HEADER = 'x-yardmaster-route';

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The lane named by the request, if any: an operator's name or a repository's `<owner>/<repo>/<name>` (a malformed id counts as none). */
export function laneOf(headers: IncomingHttpHeaders): string | undefined {
  const direct = single(headers[LANE_HEADER])?.trim();
  if (direct !== undefined && LANE_ID.test(direct)) return direct;
  const baggage = single(headers.baggage);
  if (baggage === undefined) return undefined;
  for (const member of baggage.split(',')) {
    const [key, raw] = member.split(';')[0]?.split('=') ?? [];
    if (key?.trim() !== 'yardmaster-lane' || raw === undefined) continue;
    let value: string;
    try {
      value = decodeURIComponent(raw.trim());
    } catch {
      return undefined;
    }
    return LANE_ID.test(value) ? value : undefined;
  }
  return undefined;
}

/** The service and the path to pass on: by host name under `domain`, else by the first path segment. */
export function serviceOf(
  host: string | undefined,
  url: string,
  domain: string | undefined,
): { service: string; path: string } | undefined {
  const hostname = (host ?? '').replace(/:\d+$/, '').toLowerCase();
  if (domain !== undefined && hostname.endsWith(`.${domain}`)) {
    const service = hostname.slice(0, -domain.length - 1);
    if (service !== '' && !service.includes('.')) return { service, path: url };
  }
  const match = /^\/([A-Za-z0-9][A-Za-z0-9_-]{0,62})(\/.*|\?.*)?$/.exec(url);
  if (match?.[1] === undefined) return undefined;
  const rest = match[2] ?? '/';
  return { service: match[1].toLowerCase(), path: rest.startsWith('?') ? `/${rest}` : rest };
}

/** Hops so far (a malformed count counts as many: better a 508 than a loop). */
export function hopsOf(headers: IncomingHttpHeaders): number {
  const raw = single(headers[HOPS_HEADER]);
  if (raw === undefined) return 0;
  const hops = Number(raw);
  return Number.isInteger(hops) && hops >= 0 ? hops : Number.MAX_SAFE_INTEGER;
}
