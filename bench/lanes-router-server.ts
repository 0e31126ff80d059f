/**
 * `bench:lanes` only: the lane router as its own process over a fixed route table (BENCH_ROUTES, JSON:
 * { baseline: { svc: endpoint }, lanes: { lane: { svc: endpoint } } }), so that the bench measures the proxy, not the
 * database. Prints `{"port":N}`; stops on SIGTERM.
 */
import { createLaneRouter } from '../src/lanes/lane-router.ts';
import type { RouteTable, RouteTarget } from '../src/lanes/route-table.ts';
import { serveAnnounced } from './serve-announced.ts';

const spec = JSON.parse(process.env['BENCH_ROUTES'] ?? '{}') as { baseline?: Record<string, string>; lanes?: Record<string, Record<string, string>> };
const target = (endpoint: string): RouteTarget => ({ version: 'bench', endpoint });
const table: RouteTable = {
  baseline: new Map(Object.entries(spec.baseline ?? {}).map(([service, endpoint]) => [service, target(endpoint)])),
  lanes: new Map(
    Object.entries(spec.lanes ?? {}).map(([lane, services]) => [lane, { mode: 'fallback' as const, services: new Map(Object.entries(services).map(([service, endpoint]) => [service, target(endpoint)])) }]),
  ),
};
const router = createLaneRouter({ routes: () => table });
router.keepAliveTimeout = 60_000;
serveAnnounced(router);
