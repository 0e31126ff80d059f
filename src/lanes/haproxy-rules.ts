/**
 * The haproxy data plane's rules: the frontend and its two backends in the config haproxy-config.ts writes. Every
 * rule a request passes costs it something (a rule whose condition fails at once still costs a few hundred
 * instructions; a string variable is an allocation), so the common requests pass few rules and the rest are in a
 * backend of their own:
 *
 * - the frontend finds the route of the common requests: a lane header whose lane has an instance of the service,
 *   or no lane, baggage, hop header or hop-by-hop header at all (the baseline's instance);
 * - `yardmaster_instances` sends them on: no hop header came, so the next hop count is 1, and no hop-by-hop header
 *   to delete;
 * - `yardmaster_resolve` takes every other request (no route found yet, or a hop or hop-by-hop header) through the
 *   router's whole rules: the lane and the service checked against their patterns (a map entry is found only for a
 *   well-formed lane and service, every key being one, so a found entry proves both), the lane from baggage, the hop
 *   guard, strict lanes, the baseline, the 404, 503 and 508 answers.
 *
 * Both backends end the same way (to the instance's address, its Host, the path without the service's segment); an
 * endpoint HAProxy cannot be sent to has port 0 in its map value and is answered 502 there. The answers' rules are
 * the frontend's, for both. Measured in instructions per request with callgrind (docs/lanes.md).
 */
import { SERVICE } from './engine-values.ts';
import { LANE_ID } from './lane-id.ts';
import { HOPS_HEADER, LANE_HEADER, ROUTE_HEADER } from './lane-key.ts';

/** The value of a strict lane's `<lane>` entry in the lanes map. */
export const STRICT_VALUE = 'strict';
/** A hop count that is not a count: a loop, as in the router (reported as JavaScript's largest safe integer). */
const NOT_A_COUNT = '9007199254740991';
const TEXT = 'content-type "text/plain; charset=utf-8"';
/**
 * The hop-by-hop headers dropped from requests (their names, as HAProxy holds them: lower case). Requests rarely carry
 * one (HAProxy takes `keep-alive` and `close` out of `Connection` itself, and drops it when nothing is left).
 */
const REQUEST_HOP_BY_HOP = `connection|keep-alive|proxy-connection|te|trailer|upgrade|proxy-authorization`;
/** The answer's hop-by-hop headers, and a route header of the instance's own: the route added after is the only one. */
const RESPONSE_DROPPED = `keep-alive|proxy-connection|trailer|upgrade|proxy-authenticate|${ROUTE_HEADER}`;
const FAST_BACKEND = 'yardmaster_instances';
const RESOLVE_BACKEND = 'yardmaster_resolve';

export interface HaproxyRuleOptions {
  host: string;
  port: number;
  domain: string | undefined;
  maxHops: number;
  lanesMap: string;
  baselineMap: string;
}

/** A test of the request's header names: true when one of `names` (a pattern's alternatives) is among them. */
function hasHeader(names: string): string {
  return `{ req.hdr_names -m reg '(^|,)(${names})(,|$)' }`;
}

/** The frontend and both backends (config text, from `frontend` to the last backend's server). */
export function renderHaproxyRules(options: HaproxyRuleOptions): string {
  const { lanesMap, baselineMap, maxHops } = options;
  const laneId = LANE_ID.source;
  // With a domain, the service may come from Host (the label before the domain); then the path is left as it is,
  // and a name in Host that is no service name is looked up nowhere: it finds no instance (503), as in the router.
  const hostAcls =
    options.domain === undefined
      ? ''
      : `  acl ym_host var(txn.ym_host) -m found
  acl ym_unknown var(txn.ym_unknown) -m found
`;
  const hostRules =
    options.domain === undefined
      ? ''
      : `  http-request set-var(txn.ym_service) req.fhdr(host),lower,field(1,.) if { req.fhdr(host),lower -m reg '^[^.]+\\.${options.domain.replaceAll('.', '\\.')}(:[0-9]+)?$' }
  http-request set-var(txn.ym_host) bool(1) if { var(txn.ym_service) -m found }
  http-request set-var(txn.ym_unknown) bool(1) if ym_host !{ var(txn.ym_service) -m reg '${SERVICE.source}' }
`;
  const inPath = options.domain === undefined ? '' : ' !ym_host';
  const known = options.domain === undefined ? '' : ' !ym_unknown';
  const acls = `  acl ym_target var(txn.ym_target) -m found
${hostAcls}`;
  // The end of both backends: to the instance (its address, its Host, the path without the service's segment).
  const toInstance = (hops: string): string => `  http-request set-dst var(txn.ym_target),field(1,|)
  http-request set-dst-port var(txn.ym_target),field(2,|)
  http-request return status 502 ${TEXT} lf-string "%[var(txn.ym_target),field(4,|)]: its instance endpoint cannot be used (%[var(txn.ym_target),field(3,|)])\\n" if !{ dst_port -m found }
  http-request set-header host %[var(txn.ym_target),field(3,|)]
${hops}  http-request set-path /%[path,field(3,/,0)]${inPath === '' ? '' : ` if${inPath}`}
`;
  const instanceErrors = `  http-error status 502 ${TEXT} lf-string "%[var(txn.ym_target),field(4,|)]: the instance did not answer\\n"
  http-error status 503 ${TEXT} lf-string "%[var(txn.ym_target),field(4,|)]: the instance did not answer\\n"
  http-error status 504 ${TEXT} lf-string "%[var(txn.ym_target),field(4,|)]: the instance did not answer in time\\n"
  server instance 0.0.0.0:0
`;
  return `frontend yardmaster_lanes
  bind ${options.host}:${options.port}
${acls}  # The service: <service>.<domain> in Host, else the first path segment (the rest of the path goes on).
${hostRules}  http-request set-var(txn.ym_service) url,field(2,/),field(1,?),lower${inPath === '' ? '' : ` if${inPath}`}
  # The common requests' route: ${LANE_HEADER} (one) looked up as it came, or with no lane named, no hop header and
  # no hop-by-hop header, the baseline's. Every other request goes through ${RESOLVE_BACKEND}.
  http-request set-var(txn.ym_target) req.fhdr(${LANE_HEADER}),concat(/,txn.ym_service),map_str(${lanesMap}) if { req.fhdr_cnt(${LANE_HEADER}) eq 1 }${known}
  http-request set-var(txn.ym_target) var(txn.ym_service),map_str(${baselineMap}) if !ym_target${known} !${hasHeader(`${LANE_HEADER}|baggage|${HOPS_HEADER}|${REQUEST_HOP_BY_HOP}`)}
  # Every instance's answer: hop-by-hop headers dropped, ${ROUTE_HEADER} added. An instance that cannot be reached or
  # does not answer is a 502 without the route header, as in the router (HAProxy's own 503/504 never passed the rule
  # that adds it; the instance's own did).
  http-response del-header '^(${RESPONSE_DROPPED})$' -m reg
  http-response add-header ${ROUTE_HEADER} %[var(txn.ym_target),field(4,|)]
  http-after-response set-status 502 reason "Bad Gateway" if { status 503 504 } ym_target !{ res.fhdr(${ROUTE_HEADER}) -m found }
  use_backend ${RESOLVE_BACKEND} if !ym_target || ${hasHeader(`${HOPS_HEADER}|${REQUEST_HOP_BY_HOP}`)}
  default_backend ${FAST_BACKEND}

# The common requests: no hop header came (the next hop is 1), no hop-by-hop header to drop.
backend ${FAST_BACKEND}
${hostAcls}${toInstance(`  http-request add-header ${HOPS_HEADER} 1\n`)}${instanceErrors}
# Every other request, through the router's whole rules.
backend ${RESOLVE_BACKEND}
${acls}  # The lane: ${LANE_HEADER} if it is a lane id (kept in a variable only here: a string variable is an
  # allocation), else the first yardmaster-lane member of baggage (its first four headers, percent-decoded).
  http-request set-var(txn.ym_lane) req.fhdr(${LANE_HEADER}) if !ym_target { req.fhdr_cnt(${LANE_HEADER}) eq 1 }
  http-request return status 404 ${TEXT} lf-string "no service in the request: use <service>.<domain> or /<service>/…\\n" if !ym_target${inPath} !{ url -m reg '^/[A-Za-z0-9][A-Za-z0-9_-]{0,62}([/?].*)?$' }
  http-request unset-var(txn.ym_lane) if !ym_target { var(txn.ym_lane) -m found } !{ var(txn.ym_lane) -m reg '${laneId}' }
  http-request set-var-fmt(txn.ym_baggage) "%[req.fhdr(baggage,1)],%[req.fhdr(baggage,2)],%[req.fhdr(baggage,3)],%[req.fhdr(baggage,4)]" if !ym_target !{ var(txn.ym_lane) -m found } { req.fhdr_cnt(baggage) gt 0 }
  http-request set-var(txn.ym_raw) var(txn.ym_baggage),'regsub("^(?:[^\\x2c]*\\x2c)*?[ \\t]*yardmaster-lane[ \\t]*=([^\\x2c;=]*).*$","\\1")' if { var(txn.ym_baggage) -m reg '(^|,)[ \\t]*yardmaster-lane[ \\t]*=' }
  http-request set-var(txn.ym_lane) var(txn.ym_raw),'regsub("^[ \\t]+|[ \\t]+$","",g)',url_dec if { var(txn.ym_raw) -m found } { var(txn.ym_raw),'regsub("^[ \\t]+|[ \\t]+$","",g)',url_dec -m reg '${laneId}' }
  acl ym_lane var(txn.ym_lane) -m found
  http-request set-var(txn.ym_target) var(txn.ym_lane),concat(/,txn.ym_service),map_str(${lanesMap}) if { var(txn.ym_raw) -m found } ym_lane${known}
  # The hop guard: no header (or one empty header) is hop 0; one that is not a decimal count, or more than one, is
  # a loop.
  http-request set-var(txn.ym_hops) int(${NOT_A_COUNT}) if { req.fhdr_cnt(${HOPS_HEADER}) gt 0 }
  http-request set-var(txn.ym_hops) req.fhdr(${HOPS_HEADER}),add(0) if { var(txn.ym_hops) -m found } { req.fhdr_cnt(${HOPS_HEADER}) eq 1 } { req.fhdr(${HOPS_HEADER}) -m reg '^0*[0-9]{1,9}$' }
  http-request unset-var(txn.ym_hops) if { var(txn.ym_hops) -m found } { req.fhdr_cnt(${HOPS_HEADER}) eq 1 } { req.fhdr(${HOPS_HEADER}) -m len 0 }
  http-request return status 508 ${TEXT} lf-string "loop detected: %[var(txn.ym_hops)] hops through the lane router\\n" if { var(txn.ym_hops) -m int ge ${maxHops} }
  # The route: the lane's instance, else 503 for a strict lane, else the baseline's, else 503.
  http-request return status 503 ${TEXT} lf-string "lane %[var(txn.ym_lane)] is strict and has no instance of %[var(txn.ym_service)]\\n" if !ym_target ym_lane { var(txn.ym_lane),map_str(${lanesMap}) -m str ${STRICT_VALUE} }
  http-request set-var(txn.ym_target) var(txn.ym_service),map_str(${baselineMap}) if !ym_target${known}
  http-request return status 503 ${TEXT} lf-string "no instance of %[var(txn.ym_service)] in lane %[var(txn.ym_lane)] and none in the baseline\\n" if !ym_target ym_lane
  http-request return status 503 ${TEXT} lf-string "no instance of %[var(txn.ym_service)] and none in the baseline\\n" if !ym_target
${toInstance(`  http-request set-header ${HOPS_HEADER} %[var(txn.ym_hops,0),add(1)]
  http-request set-header ${LANE_HEADER} %[var(txn.ym_lane)] if { var(txn.ym_raw) -m found } ym_lane
`)}  http-request del-header '^(${REQUEST_HOP_BY_HOP})$' -m reg if ${hasHeader(REQUEST_HOP_BY_HOP)}
${instanceErrors}`;
}
