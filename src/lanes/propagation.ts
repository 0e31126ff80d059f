/**
 * Lane propagation for Node services: the lane of the request being handled (and the router's hop count) is kept in
 * AsyncLocalStorage, and `laneFetch` adds it to outgoing calls (as `x-yardmaster-lane` and in W3C `baggage`, with
 * `x-yardmaster-hops`), so that a whole call chain stays in its lane without passing the key by hand, and a call
 * loop is stopped by the router. docs/lanes.md shows the same for other stacks.
 *
 *   http.createServer(withLaneContext(async (request, response) => { await laneFetch(`${router}/b/work`); … }))
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HOPS_HEADER, hopsOf, LANE_HEADER, laneOf } from './lane-key.ts';

interface LaneContext {
  lane: string | undefined;
  hops: number;
}

const current = new AsyncLocalStorage<LaneContext>();

/** The lane of the request being handled, if any. */
export function currentLane(): string | undefined {
  return current.getStore()?.lane;
}

/** Runs `fn` in `lane` (for work that does not start from an HTTP request, e.g. a queue consumer). */
export function inLane<T>(lane: string | undefined, fn: () => T): T {
  return current.run({ lane, hops: 0 }, fn);
}

/** Wraps a `node:http` request handler so that everything it does runs in the request's lane. */
export function withLaneContext(
  handler: (request: IncomingMessage, response: ServerResponse) => void | Promise<void>,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    void current.run({ lane: laneOf(request.headers), hops: hopsOf(request.headers) }, () =>
      handler(request, response),
    );
  };
}

/** `fetch` that carries the current lane (and hop count) along; a lane header already set by the caller wins. */
export function laneFetch(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const context = current.getStore();
  if (context === undefined) return fetch(input, init);
  const headers = new Headers(init.headers);
  if (context.hops > 0 && !headers.has(HOPS_HEADER)) headers.set(HOPS_HEADER, String(context.hops));
  const lane = context.lane;
  if (lane !== undefined) {
    if (!headers.has(LANE_HEADER)) headers.set(LANE_HEADER, lane);
    const baggage = headers.get('baggage');
    if (baggage === null) headers.set('baggage', `yardmaster-lane=${encodeURIComponent(lane)}`);
    else if (!/(^|,)\s*yardmaster-lane=/.test(baggage))
      headers.set('baggage', `${baggage},yardmaster-lane=${encodeURIComponent(lane)}`);
  }
  return fetch(input, { ...init, headers });
}
