/**
 * The `ssh` runtime: a version is released with the release engine (all nine stages, sha256-checked package,
 * atomic switch) into `<deploy_to>/<service>-<version>` on a lane host, started in the background on a free port
 * of the host's lane port range, and up once its health path answers through the SSH connection. Stopping kills
 * the process it started. Starts on one host are made one at a time, so two versions never take the same port; a
 * start first stops whatever an interrupted earlier start left running in its directory.
 *
 * A build of a version (a replacement: a new package digest) goes into a directory of its own beside the running
 * one, `<deploy_to>/<service>-<version>-<first 12 hex of the digest>`, released the same way from the catalog's
 * package of the version when that package has the build's sha256, or else from the url the build names (checked by
 * whoever accepted it). Stopping an instance kills only the process its own directory's pid file names. A build's
 * directory is removed when its instance stops (nothing starts that build there again: a later replacement releases
 * afresh); the version's own directory is kept (the next start of the version from the catalog releases into it).
 */
import { posix } from 'node:path';
import { z } from 'zod';
import type { HostEntry } from '../config/types.ts';
import { runRelease } from '../deploy/index.ts';
import type { ConnectHost } from '../deploy/types.ts';
import { shellQuote } from '../executors/index.ts';
import { parsePlan } from '../plan/index.ts';
import { assertLaneVersion } from './lane-version.ts';
import { assertBuildDigest, type LaneBuild, type LaneRuntime } from './process-runtime.ts';

export interface SshLaneService {
  /** The lane host versions of this service run on (the first; more hosts are for a later balancing). */
  host: HostEntry;
  deployTo: string;
  /** Where each version's package is, with its sha256. */
  packages: Readonly<Record<string, { url: string; sha256: string }>>;
  /** Run in the release's directory with PORT, YM_SERVICE, YM_VERSION and YM_ROUTER_URL; must keep running. */
  start: string;
  /** The catalog's environment for the service (Yardmaster's lane variables win over it). */
  env?: Readonly<Record<string, string>>;
  health: string;
  portRange: readonly [number, number];
}

export interface SshRuntimeOptions {
  /** The services, or a function giving those in force (read at each start: the catalog may change meanwhile). */
  services: Readonly<Record<string, SshLaneService>> | (() => Readonly<Record<string, SshLaneService>>);
  connect: ConnectHost;
  artifactsDir: string;
  cacheDir: string;
  routerUrl: string | (() => string);
}

const RUN_PID = '.yardmaster-lane.pid';
/** How many hex digits of a build's digest name its directory. */
const BUILD_DIR_DIGITS = 12;

/** The package a start releases: the catalog's for the version, or the build's (same version, new digest). */
function packageFor(
  entry: SshLaneService,
  service: string,
  version: string,
  build: LaneBuild | undefined,
): { url: string; sha256: string } {
  const known = entry.packages[version];
  if (build === undefined) {
    if (known === undefined) throw new Error(`the lane catalog has no package of ${service}@${version}`);
    return known;
  }
  assertBuildDigest(build.digest);
  if (build.url !== undefined) return { url: build.url, sha256: build.digest };
  if (known?.sha256 === build.digest) return known;
  throw new Error(
    `the lane catalog's package of ${service}@${version} is not build ${build.digest}: name the new build's package url`,
  );
}

/** Where a start releases to: the version's directory, or a build's own beside it. */
function releaseDir(entry: SshLaneService, service: string, version: string, build: LaneBuild | undefined): string {
  const base = `${entry.deployTo.replace(/\/+$/, '')}/${service}-${version}`;
  return build === undefined ? base : `${base}-${build.digest.slice(0, BUILD_DIR_DIGITS)}`;
}

/** A build directory's name ends in `-<12 hex>`: only such a directory is ever removed by a stop. */
const BUILD_DIR = new RegExp(`^/.+/[A-Za-z0-9][A-Za-z0-9_.+-]*-[0-9a-f]{${BUILD_DIR_DIGITS}}$`);

/** Finds a port of the range nobody listens on, on the host itself (bash's /dev/tcp). */
function freePortScript([low, high]: readonly [number, number]): string {
  return `for p in $(seq ${low} ${high}); do (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo $p; exit 0; }; done; exit 1`;
}

async function pickPort(connect: ConnectHost, host: HostEntry, range: readonly [number, number]): Promise<number> {
  const executor = await connect(host, new AbortController().signal);
  try {
    let out = '';
    const result = await executor.exec(`bash -c ${shellQuote(freePortScript(range))}`, {
      onStdout: (chunk) => (out += chunk),
      timeoutMs: 30_000,
    });
    const port = Number(out.trim());
    if (result.exitCode !== 0 || !Number.isInteger(port))
      throw new Error(`no free port in ${range[0]}-${range[1]} on ${host.name}`);
    return port;
  } finally {
    await executor.close();
  }
}

/** Kills the process group a pid file names, and removes the file (nothing when there is none). */
function killScript(pidFile: string): string {
  return `test -f ${shellQuote(pidFile)} && kill -TERM -- -"$(cat ${shellQuote(pidFile)})" 2>/dev/null; rm -f ${shellQuote(pidFile)}; true`;
}

/**
 * Stops what an earlier start left running in `deployTo` and nobody stops any more: the library holds at most one
 * instance per service, version and build, so a process still named by the directory's pid file when that instance
 * starts again belongs to a start that never reached the library (a process that died between the release and the
 * switch, or a down row taken back for deploying before the sweep stopped its process).
 */
async function stopLeftover(connect: ConnectHost, host: HostEntry, deployTo: string): Promise<void> {
  const executor = await connect(host, new AbortController().signal);
  try {
    await executor.exec(killScript(`${deployTo}/current/${RUN_PID}`), { timeoutMs: 30_000 });
  } finally {
    await executor.close();
  }
}

/** What an instance's reference holds: enough to stop it even after the catalog has changed or lost its service. */
const refSchema = z.object({
  host: z.string(),
  service: z.string(),
  dir: z.string(),
  /** A build's directory (`<service>-<version>-<digest>`, the parent of `dir`): removed when the instance stops. */
  buildDir: z.string().optional(),
  /** The host as it was at start (absent in references written before the catalog could change at run time). */
  entry: z
    .object({
      name: z.string(),
      address: z.string(),
      port: z.number().int(),
      user: z.string().optional(),
      hostKey: z.string().optional(),
      executor: z.enum(['ssh', 'local']),
    })
    .optional(),
});

export function createSshRuntime(options: SshRuntimeOptions): LaneRuntime {
  const { services } = options;
  const servicesNow = typeof services === 'function' ? services : () => services;
  const hostQueues = new Map<string, Promise<unknown>>();
  const oneAtATime = <T>(host: string, work: () => Promise<T>): Promise<T> => {
    const run = (hostQueues.get(host) ?? Promise.resolve()).then(work, work);
    hostQueues.set(
      host,
      run.catch(() => undefined),
    );
    return run;
  };
  return {
    name: 'ssh',
    start(service, version, build) {
      const entry = servicesNow()[service];
      if (entry === undefined) return Promise.reject(new Error(`the lane catalog has no ssh service ${service}`));
      let pkg: { url: string; sha256: string };
      try {
        assertLaneVersion(service, version);
        pkg = packageFor(entry, service, version, build);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      return oneAtATime(entry.host.name, async () => {
        const deployTo = releaseDir(entry, service, version, build);
        await stopLeftover(options.connect, entry.host, deployTo);
        const port = await pickPort(options.connect, entry.host, entry.portRange);
        const parsed = parsePlan(
          JSON.stringify({
            app: service,
            environment: 'lane',
            version,
            package: pkg,
            commands: {
              // A session of its own, no terminal and no open output: it outlives the SSH command that started it.
              post_deploy: [
                `setsid nohup sh -c "$LANE_START" < /dev/null > .yardmaster-lane.log 2>&1 & echo $! > ${RUN_PID}`,
              ],
              health: { http: `http://127.0.0.1:${port}${entry.health}`, retries: 40, interval: '250ms' },
            },
          }),
        );
        if (!parsed.ok)
          throw new Error(
            `lane plan of ${service}@${version}: ${parsed.issues.map((issue) => issue.message).join('; ')}`,
          );
        const env = {
          ...entry.env,
          PORT: String(port),
          YM_SERVICE: service,
          YM_ROUTER_URL: typeof options.routerUrl === 'string' ? options.routerUrl : options.routerUrl(),
          LANE_START: entry.start,
          ...(build === undefined ? {} : { YM_DIGEST: build.digest }),
        };
        const environment = {
          hosts: [],
          approvals: 0,
          approvers: [],
          freeze: [],
          production: false,
          env,
          secretEnv: [],
        };
        const result = await runRelease(
          {
            plan: parsed.value,
            app: { deployTo, environments: { lane: environment } },
            environment,
            hosts: [{ entry: entry.host, deployTo }],
            secrets: {},
            force: true,
          },
          {
            connect: options.connect,
            artifactsDir: options.artifactsDir,
            cacheDir: options.cacheDir,
            actor: 'yardmaster-lanes',
          },
        );
        if (result.status !== 'succeeded')
          throw new Error(
            `release of ${service}@${version} to ${entry.host.name} ${result.status}: ${result.failedHost?.message ?? result.error ?? ''}`,
          );
        return {
          endpoint: `http://${entry.host.address}:${port}`,
          ref: JSON.stringify({
            host: entry.host.name,
            service,
            dir: `${deployTo}/current`,
            ...(build === undefined ? {} : { buildDir: deployTo }),
            entry: {
              name: entry.host.name,
              address: entry.host.address,
              port: entry.host.port,
              executor: entry.host.executor,
              ...(entry.host.user === undefined ? {} : { user: entry.host.user }),
              ...(entry.host.hostKey === undefined ? {} : { hostKey: entry.host.hostKey }),
            },
          }),
        };
      });
    },
    async stop(ref) {
      let parsed: z.infer<typeof refSchema>;
      try {
        const read = refSchema.safeParse(JSON.parse(ref));
        if (!read.success) return;
        parsed = read.data;
      } catch {
        return;
      }
      const stored = parsed.entry;
      const host: HostEntry | undefined =
        stored === undefined
          ? servicesNow()[parsed.service]?.host
          : {
              name: stored.name,
              address: stored.address,
              port: stored.port,
              executor: stored.executor,
              ...(stored.user === undefined ? {} : { user: stored.user }),
              ...(stored.hostKey === undefined ? {} : { hostKey: stored.hostKey }),
            };
      if (host === undefined) return;
      const executor = await options.connect(host, new AbortController().signal);
      try {
        await executor.exec(killScript(`${parsed.dir}/${RUN_PID}`), { timeoutMs: 30_000 });
        // Only the build's own directory, and only when the reference's `dir` lies in it.
        const { buildDir } = parsed;
        if (
          buildDir !== undefined &&
          BUILD_DIR.test(buildDir) &&
          posix.dirname(parsed.dir) === buildDir &&
          posix.normalize(buildDir) === buildDir
        )
          await executor.exec(`rm -rf -- ${shellQuote(buildDir)}`, { timeoutMs: 60_000 });
      } finally {
        await executor.close();
      }
    },
  };
}
