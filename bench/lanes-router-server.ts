/**
 * `bench:lanes` only: the lane router as its own process over a fixed route table (BENCH_ROUTES, JSON:
 * { baseline: { svc: endpoint }, lanes: { lane: { svc: endpoint } } }), so that the bench measures the proxy, not the
 * database. Listens on 127.0.0.1:BENCH_PORT (default: a free port), with SO_REUSEPORT when BENCH_REUSE_PORT=1 so that
 * several such processes share one port (as nginx's workers do). Prints `{"port":N}`; stops on SIGTERM.
 */
import { z } from 'zod';
import { createLaneRouter } from '../src/lanes/lane-router.ts';
import type { RouteTable, RouteTarget } from '../src/lanes/route-table.ts';

const routesSchema = z.object({
  baseline: z.record(z.string(), z.string()).optional(),
  lanes: z.record(z.string(), z.record(z.string(), z.string())).optional(),
});
const spec = routesSchema.parse(JSON.parse(process.env.BENCH_ROUTES ?? '{}'));
const target = (endpoint: string): RouteTarget => ({ version: 'bench', endpoint });
const table: RouteTable = {
  baseline: new Map(Object.entries(spec.baseline ?? {}).map(([service, endpoint]) => [service, target(endpoint)])),
  lanes: new Map(
    Object.entries(spec.lanes ?? {}).map(([lane, services]) => [
      lane,
      {
        mode: 'fallback' as const,
        services: new Map(Object.entries(services).map(([service, endpoint]) => [service, target(endpoint)])),
      },
    ]),
  ),
};
const router = createLaneRouter({ routes: () => table });
router.keepAliveTimeout = 60_000;
router.listen(
  { port: Number(process.env.BENCH_PORT ?? 0), host: '127.0.0.1', reusePort: process.env.BENCH_REUSE_PORT === '1' },
  () => {
    const address = router.address();
    process.stdout.write(
      `${JSON.stringify({ port: address !== null && typeof address === 'object' ? address.port : 0 })}\n`,
    );
  },
);
process.once('SIGTERM', () => {
  router.close(() => process.exit(0));
  router.closeAllConnections();
});
