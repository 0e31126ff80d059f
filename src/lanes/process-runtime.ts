/**
 * The `process` runtime: a version runs as a local process on a free port of 127.0.0.1 (development and tests).
 * Its environment is only what the catalog declares for the service, the server's `PATH` (so the start command is
 * found as on the command line), and `PORT`, `YM_SERVICE`, `YM_VERSION`, `YM_ROUTER_URL` (where to send its own
 * calls, so they stay in the lane) and, for a build of the version (a replacement), `YM_DIGEST` (also `{digest}` in
 * the start command) — never the rest of the server's environment (the database URL, the App's private key, Slack
 * tokens). It runs in a process group of its own and counts as up once its health path answers 2xx.
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePorts } from '../lib/free-port.ts';
import type { LaneCatalog } from './catalog.ts';
import { assertLaneVersion } from './lane-version.ts';

/** What starts and stops instances for the library. */
export interface LaneRuntime {
  name: string;
  /**
   * Starts `service@version` (with `build`, that build of it: a new package digest); resolves once it answers its
   * health check, with where and a reference to stop it by, and rejects (leaving nothing running) when it does not.
   */
  start(service: string, version: string, build?: LaneBuild): Promise<{ endpoint: string; ref: string }>;
  stop(ref: string): Promise<void>;
}

/**
 * A build of a version: the sha256 of its package (64 hex digits) and, for a runtime that releases packages (`ssh`),
 * where that package is when the catalog's package of the version is another build (the url already checked by
 * whoever accepted it: the operator's artifact rule in the lanes API). The `process` runtime needs no package.
 */
export interface LaneBuild {
  digest: string;
  url?: string;
}

export interface ProcessRuntimeOptions {
  /** The catalog, or a function giving the one in force (read at each start: catalog-watcher.ts). */
  catalog: LaneCatalog | (() => LaneCatalog);
  /** The lane router's URL, given to instances for their own calls (a function when it is known only later). */
  routerUrl: string | (() => string);
  /** How long a start may take (default 15 s). */
  startTimeoutMs?: number;
}

/**
 * The environment of a lane process: `PATH` from `serverEnv`, the catalog's `env`, then Yardmaster's own lane
 * variables (which the catalog cannot override).
 */
export function laneProcessEnv(
  serverEnv: Readonly<Record<string, string | undefined>>,
  declared: Readonly<Record<string, string>>,
  lane: { port: number; service: string; version: string; routerUrl: string; digest?: string },
): Record<string, string> {
  const path = serverEnv.PATH;
  return {
    ...(path === undefined ? {} : { PATH: path }),
    ...declared,
    PORT: String(lane.port),
    YM_SERVICE: lane.service,
    YM_VERSION: lane.version,
    YM_ROUTER_URL: lane.routerUrl,
    ...(lane.digest === undefined ? {} : { YM_DIGEST: lane.digest }),
  };
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(service|version|port|digest)\}/g, (whole, name: string) => values[name] ?? whole);
}

/** A build's digest is filled into start commands: only a sha256 in hex ever gets there. */
export function assertBuildDigest(digest: string): void {
  if (!/^[0-9a-f]{64}$/.test(digest)) throw new Error('a build digest is a sha256 in hex (64 digits 0-9a-f)');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function createProcessRuntime(options: ProcessRuntimeOptions): LaneRuntime {
  const limit = options.startTimeoutMs ?? 15_000;
  const { catalog } = options;
  const catalogNow = typeof catalog === 'function' ? catalog : () => catalog;
  return {
    name: 'process',
    async start(service, version, build) {
      const entry = catalogNow()[service];
      if (entry === undefined) throw new Error(`the lane catalog has no service ${service}`);
      assertLaneVersion(service, version);
      if (build !== undefined) assertBuildDigest(build.digest);
      const [port] = await freePorts(1);
      if (port === undefined) throw new Error('no free port');
      const values = { service, version, port: String(port), digest: build?.digest ?? '' };
      const [command, ...args] = entry.start.map((part) => fill(part, values));
      if (command === undefined) throw new Error(`service ${service} has no start command`);
      const child = spawn(command, args, {
        detached: true,
        stdio: 'ignore',
        env: laneProcessEnv(process.env, entry.env, {
          port,
          service,
          version,
          routerUrl: typeof options.routerUrl === 'string' ? options.routerUrl : options.routerUrl(),
          ...(build === undefined ? {} : { digest: build.digest }),
        }),
      });
      child.unref();
      const pid = child.pid;
      if (pid === undefined) throw new Error(`could not start ${service}@${version}: ${command}`);
      let exited: number | null | undefined;
      child.once('exit', (code) => {
        exited = code;
      });
      const endpoint = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + limit;
      while (Date.now() < deadline) {
        if (exited !== undefined) throw new Error(`${service}@${version} exited with ${exited} before it answered`);
        const ready = await fetch(`${endpoint}${entry.health}`).then(
          (response) => response.ok,
          () => false,
        );
        if (ready) return { endpoint, ref: String(pid) };
        await sleep(50);
      }
      await this.stop(String(pid));
      throw new Error(`${service}@${version} did not answer ${entry.health} within ${limit} ms`);
    },
    async stop(ref) {
      const pid = Number(ref);
      if (!Number.isInteger(pid) || pid <= 1) return;
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        return;
      }
      const deadline = Date.now() + 3_000;
      while (alive(pid) && Date.now() < deadline) await sleep(25);
      if (alive(pid)) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    },
  };
}
