/**
 * A data plane: the engine that carries lane traffic. Yardmaster compiles the route table (route-table.ts) and
 * hands it to the engine whole on every change; the engine routes by it exactly as lane-router.ts does (that router
 * is the reference behaviour and the `node` engine). Engines: node-data-plane.ts, haproxy-data-plane.ts,
 * nginx-data-plane.ts.
 */
import type { RouteTable } from './route-table.ts';

export type DataPlaneEngine = 'node' | 'haproxy' | 'nginx';

export interface DataPlaneOptions {
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** Services are also addressed as `<service>.<domain>` (Host header). */
  domain?: string;
  /** Hops before a request counts as a loop (default 16). */
  maxHops?: number;
}

export interface DataPlane {
  engine: DataPlaneEngine;
  /** Where requests go in: `http://<host>:<port>`. */
  url: string;
  /**
   * Routes by `table` from now on (the table is swapped whole: requests in flight finish where they were sent).
   * Resolves once new requests are routed by it; rejects, keeping the previous table in force, if the engine
   * refuses it.
   */
  apply(table: RouteTable): Promise<void>;
  /**
   * The engine's own processes, the one that lives as long as the plane first (nginx: the master, then its workers;
   * haproxy: the HAProxy process, a new one only after a restart; empty while it is down), for CPU figures and to
   * show that route changes never restart it. Absent when the plane runs in this process (`node`).
   */
  pids?(): number[];
  /** Stops taking requests, lets those in flight finish (for a few seconds at most), and stops the engine. */
  close(): Promise<void>;
  /**
   * The route table the engine routes by now, read back from it where it can be (`haproxy`: its maps, endpoints as
   * their URL's origin; `node`: the table last applied). For tests that check the engine holds the database's table.
   */
  currentTable?(): Promise<RouteTable>;
}

export const DEFAULT_MAX_HOPS = 16;

/**
 * How long an idle client connection is kept open, the same on every engine (HAProxy's `timeout http-keep-alive`,
 * nginx's `keepalive_timeout`, the router's `keepAliveTimeout`): Node's own 5 s (closed after 6) raced with clients
 * that reuse a connection idle that long, who then saw it reset.
 */
export const CLIENT_KEEP_ALIVE_MS = 60_000;
