/** The `node` data plane: the lane router (lane-router.ts) in this process, reading the table last applied. */
import { closeGracefully, listen } from '../http/index.ts';
import type { DataPlane, DataPlaneOptions } from './data-plane.ts';
import { createLaneRouter } from './lane-router.ts';
import { EMPTY_ROUTES, type RouteTable } from './route-table.ts';

export async function startNodeDataPlane(options: DataPlaneOptions): Promise<DataPlane> {
  let table: RouteTable = EMPTY_ROUTES;
  const host = options.host ?? '127.0.0.1';
  const router = createLaneRouter({
    routes: () => table,
    ...(options.domain === undefined ? {} : { domain: options.domain }),
    ...(options.maxHops === undefined ? {} : { maxHops: options.maxHops }),
  });
  const port = await listen(router, options.port, host);
  return {
    engine: 'node',
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    apply(next) {
      table = next;
      return Promise.resolve();
    },
    close: () => closeGracefully(router, 5_000),
    currentTable: () => Promise.resolve(table),
  };
}
