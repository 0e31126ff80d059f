/**
 * The `haproxy` data plane. Either Yardmaster runs Debian's HAProxy itself, from a directory it owns (config, pid
 * file, runtime API socket, the two empty map files; listening on 127.0.0.1, a free port when none is given), or
 * it attaches to an HAProxy the operator runs with the config `yardmaster lanes haproxy-config` prints, through
 * that HAProxy's runtime API socket. Either way every route change goes through the runtime API's versioned map
 * commands (haproxy-route-maps.ts): no reload, no restart, the process id stays. Every `checkMs` the plane asks
 * whether HAProxy still holds the maps it committed; when it does not (HAProxy restarted, its maps back to the
 * files), the last table is applied again and `onRestart` is told (the lanes server then reloads the table from
 * the database). An HAProxy Yardmaster runs is started again, on the same port, when it dies.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePorts } from '../lib/free-port.ts';
import type { DataPlane, DataPlaneOptions } from './data-plane.ts';
import { safePath } from './engine-values.ts';
import { BASELINE_MAP_FILE, LANES_MAP_FILE, renderHaproxyConfig } from './haproxy-config.ts';
import {
  HAPROXY_BINARY,
  haproxyAnswering,
  type HaproxyProcess,
  spawnHaproxy,
  testHaproxyConfig,
} from './haproxy-process.ts';
import { haproxyRouteMaps, type HaproxyRouteMaps, type RouteMapFiles } from './haproxy-route-maps.ts';
import { haproxyMapFiles, haproxyOneShot, haproxyPid, haproxySession } from './haproxy-runtime-api.ts';
import type { RouteTable } from './route-table.ts';

interface Common {
  /** Told of route table entries left out of the maps (values HAProxy must not be given). */
  onSkipped?: (problems: readonly string[]) => void;
  /** Told after HAProxy was found restarted and the last table applied again. */
  onRestart?: () => void;
  log?: { warn(fields: object, message: string): void };
  /** How often to check that HAProxy still holds the committed maps (default 250 ms). */
  checkMs?: number;
}

export interface HaproxyDataPlaneOptions extends DataPlaneOptions, Common {
  /** The directory HAProxy runs from: config, pid file, runtime API socket, map files. */
  dir: string;
  /** The HAProxy binary (default Debian's /usr/sbin/haproxy). */
  binary?: string;
  /** HAProxy's threads (default: one per CPU). */
  threads?: number;
}

export interface AttachedHaproxyOptions extends Common {
  /** The runtime API socket of the operator's HAProxy (`stats socket … level admin`). */
  socket: string;
  /** Where that HAProxy takes lane traffic (its config's `bind`). */
  url: string;
}

export interface HaproxyDataPlane extends DataPlane {
  /** HAProxy's process (the same across route changes; a new one after a restart; none while it is down). */
  pids(): number[];
  /** The route table HAProxy's maps hold now (endpoints as their URL's origin). */
  currentTable(): Promise<RouteTable>;
}

/** One change at a time, in order; a restore after a restart waits its turn like a change. */
function serial(): <T>(task: () => Promise<T>) => Promise<T> {
  let queue: Promise<unknown> = Promise.resolve();
  return (task) => {
    const run = queue.then(task);
    queue = run.catch(() => undefined);
    return run;
  };
}

/** Checks every `checkMs` that HAProxy still holds the maps; restores them when not. */
function watchRestarts(
  maps: HaproxyRouteMaps,
  inTurn: ReturnType<typeof serial>,
  options: Common,
  afterRestore: () => Promise<void>,
): { stop(): void; restore(): Promise<void> } {
  let checking = false;
  // Asked again in turn: a restore already done (the supervisor's, or the last check's) is not done twice.
  const restore = () =>
    inTurn(async () => {
      if (await maps.intact()) return;
      await maps.restore();
      await afterRestore();
      options.log?.warn({}, 'HAProxy restarted: the lane routes were applied again');
      options.onRestart?.();
    });
  const timer = setInterval(() => {
    if (checking) return;
    checking = true;
    void restore()
      .catch(() => undefined)
      .finally(() => {
        checking = false;
      });
  }, options.checkMs ?? 250);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
    },
    restore,
  };
}

export async function startHaproxyDataPlane(options: HaproxyDataPlaneOptions): Promise<HaproxyDataPlane> {
  const dir = safePath(options.dir, 'HAProxy directory');
  const binary = options.binary ?? HAPROXY_BINARY;
  const host = options.host ?? '127.0.0.1';
  const file = join(dir, 'haproxy.cfg');
  const socket = join(dir, 'admin.sock');
  const files: RouteMapFiles = { lanes: join(dir, LANES_MAP_FILE), baseline: join(dir, BASELINE_MAP_FILE) };
  const asRoot = process.getuid?.() === 0;
  await mkdir(dir, { recursive: true });
  if (asRoot) await mkdir(join(dir, 'empty'), { recursive: true, mode: 0o755 });
  for (const map of [files.lanes, files.baseline]) await writeFile(map, '', { mode: 0o644 });

  const launch = async (port: number): Promise<HaproxyProcess> => {
    await writeFile(
      file,
      renderHaproxyConfig({
        host,
        port,
        socket,
        mapDir: dir,
        pidFile: join(dir, 'haproxy.pid'),
        ...(options.domain === undefined ? {} : { domain: options.domain }),
        ...(options.maxHops === undefined ? {} : { maxHops: options.maxHops }),
        ...(options.threads === undefined ? {} : { threads: options.threads }),
        ...(asRoot ? { dropTo: join(dir, 'empty') } : {}),
      }),
      { mode: 0o600 },
    );
    await testHaproxyConfig(binary, file);
    const haproxy = spawnHaproxy(binary, file);
    try {
      await haproxyAnswering(haproxy, socket);
      return haproxy;
    } catch (error) {
      await haproxy.stop();
      throw error;
    }
  };

  let port = options.port;
  let haproxy: HaproxyProcess | undefined;
  for (let attempt = 1; haproxy === undefined; attempt++) {
    port = options.port === 0 ? ((await freePorts(1))[0] ?? 0) : options.port;
    try {
      haproxy = await launch(port);
    } catch (error) {
      // A free port may be taken between finding and binding it: try another.
      if (options.port !== 0 || attempt >= 3) throw error;
    }
  }
  let current: HaproxyProcess = haproxy;
  let closing = false;
  // Read through a call: `closing` changes while a restart waits.
  const stopping = (): boolean => closing;
  const inTurn = serial();
  const session = haproxySession(socket);
  const maps = haproxyRouteMaps(session, haproxyOneShot(socket), files, options.onSkipped ?? (() => undefined));
  const watcher = watchRestarts(maps, inTurn, options, () => Promise.resolve());

  // Started again, on the same port, whenever it dies; the watcher then finds its maps empty and restores them.
  const supervise = (haproxy: HaproxyProcess): void => {
    void haproxy.ended.then(async () => {
      if (stopping()) return;
      options.log?.warn({ pid: haproxy.pid, output: haproxy.output().trim() }, 'HAProxy exited: starting it again');
      for (let attempt = 0; !stopping(); attempt++) {
        try {
          current = await launch(port);
          if (stopping()) await current.stop();
          else supervise(current);
          await watcher.restore().catch(() => undefined);
          return;
        } catch (error) {
          options.log?.warn({ err: error }, 'HAProxy did not start again; trying once more');
          await sleep(Math.min(5_000, 100 * 2 ** attempt));
        }
      }
    });
  };
  supervise(current);

  return {
    engine: 'haproxy',
    url: `http://${host}:${port}`,
    pids: () => (current.exited() ? [] : [current.pid]),
    currentTable: () => maps.read(),
    apply: (table) => inTurn(() => maps.apply(table)),
    async close() {
      closing = true;
      watcher.stop();
      await inTurn(() => Promise.resolve()).catch(() => undefined);
      session.close();
      await current.stop();
    },
  };
}

/** The two Yardmaster maps among those an HAProxy loaded (by their file names). */
async function findMaps(socket: string): Promise<RouteMapFiles> {
  const loaded = await haproxyMapFiles(haproxyOneShot(socket));
  const lanes = loaded.find((file) => file.endsWith(`/${LANES_MAP_FILE}`));
  const baseline = loaded.find((file) => file.endsWith(`/${BASELINE_MAP_FILE}`));
  if (lanes === undefined || baseline === undefined)
    throw new Error(
      `the HAProxy at ${socket} has no ${LANES_MAP_FILE} and ${BASELINE_MAP_FILE} maps: run it with the config \`yardmaster lanes haproxy-config\` prints`,
    );
  return { lanes: safePath(lanes, 'HAProxy map'), baseline: safePath(baseline, 'HAProxy map') };
}

export async function attachHaproxyDataPlane(options: AttachedHaproxyOptions): Promise<HaproxyDataPlane> {
  const socket = options.socket;
  const files = await findMaps(socket);
  const reader = haproxyOneShot(socket);
  let pid: number | undefined = await haproxyPid(reader);
  const inTurn = serial();
  const session = haproxySession(socket);
  const maps = haproxyRouteMaps(session, reader, files, options.onSkipped ?? (() => undefined));
  const watcher = watchRestarts(maps, inTurn, options, async () => {
    pid = await haproxyPid(reader).catch(() => undefined);
  });
  return {
    engine: 'haproxy',
    url: options.url,
    pids: () => (pid === undefined ? [] : [pid]),
    currentTable: () => maps.read(),
    apply: (table) => inTurn(() => maps.apply(table)),
    async close() {
      // The operator's HAProxy keeps running, with the routes it has.
      watcher.stop();
      await inTurn(() => Promise.resolve()).catch(() => undefined);
      session.close();
    },
  };
}
