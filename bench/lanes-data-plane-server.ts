/**
 * `bench:lanes` only: one data plane (BENCH_ENGINE: node, nginx, …) started as Yardmaster starts it
 * (startDataPlane), fed by the route watcher from the database at BENCH_DATABASE_URL, in a process of its own so
 * that the bench measures the engine's CPU apart from the load generator. Prints `{"url":"http://…","control":"http://…"}`:
 * the plane, and a control port answering `GET /pids` with the processes that carry its traffic now (the engine's
 * `pids()`: nginx's master and current workers; this process for the node engine). Stops on SIGTERM (watcher,
 * engine, database).
 */
import { createServer } from 'node:http';
import { z } from 'zod';
import { openDatabase } from '../src/db/client.ts';
import { watchRoutes } from '../src/lanes/route-watcher.ts';
import { DATA_PLANE_ENGINES, startDataPlane } from '../src/lanes/start-data-plane.ts';

const env = z
  .object({
    BENCH_ENGINE: z.enum(DATA_PLANE_ENGINES),
    BENCH_DATABASE_URL: z.string().startsWith('postgres://'),
    // The same for every engine that has processes of its own: HAProxy's threads, nginx's workers (default 1).
    BENCH_THREADS: z.coerce.number().int().min(1).max(64).default(1),
  })
  .parse(process.env);
const database = await openDatabase({ url: env.BENCH_DATABASE_URL });
const plane = await startDataPlane(env.BENCH_ENGINE, {
  port: 0,
  threads: env.BENCH_THREADS,
  log: { warn: (fields, message) => process.stderr.write(`${message} ${JSON.stringify(fields)}\n`) },
});
const watcher = await watchRoutes(database, {
  apply: (table) => plane.apply(table),
  // Route changes come by NOTIFY. The safety reload is left to every 10 minutes here: the bench runs six planes
  // side by side, each with its watcher, and their reloads every 30 s (a 10,001-lane table is ~50 ms of CPU in this
  // process and as much in PostgreSQL) landed inside the other planes' latency seconds six times as often as a
  // server's own watcher lands in its plane's.
  safetyReloadMs: 10 * 60_000,
  onError: (error) => process.stderr.write(`route watcher: ${String(error)}\n`),
});
const control = createServer((request, response) => {
  const body = JSON.stringify({ pids: plane.pids?.() ?? [process.pid] });
  response.writeHead(request.url === '/pids' ? 200 : 404, { 'content-type': 'application/json' }).end(body);
});
control.listen(0, '127.0.0.1', () => {
  const address = control.address();
  const port = address !== null && typeof address === 'object' ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ url: plane.url, control: `http://127.0.0.1:${port}` })}\n`);
});
process.once('SIGTERM', () => {
  void (async () => {
    control.close();
    await watcher.close();
    await plane.close();
    await database.close();
    process.exit(0);
  })();
});
