/**
 * One full nine-stage release for the fan-out bench, with where its time went: per-stage durations from the
 * engine's events, connection set-up (timed around the executor's connect), and the release's own phases.
 */
import { Readable } from 'node:stream';
import { Client } from 'ssh2';
import type { HostEntry } from '../src/config/types.ts';
import { PREFERRED_CIPHERS } from '../src/executors/ssh-algorithms.ts';
import type { Executor } from '../src/executors/types.ts';
import { runRelease } from '../src/deploy/run-release.ts';
import type { ConnectHost, ReleaseEvent, StageName } from '../src/deploy/types.ts';
import type { Plan, PlanCommands, TransferMethod } from '../src/plan/types.ts';
import { connectWith, environment, resolved } from '../test/helpers/release-fixtures.ts';

export interface ReleaseSample {
  wallMs: number;
  /** Per host, per stage: duration from stage.finished (stages that were skipped are left out). */
  stages: Map<StageName, number[]>;
  /** Per host: time inside connect (TCP + key exchange + auth). */
  connectMs: number[];
  /** Per host: how many commands (exec round trips) the release ran, the package stream included. */
  execsPerHost: number[];
  /** Every exec but the package transfer (stream or pull): its round trip (channel open, login shell, script, exit status). */
  execMs: number[];
  /** Per host: check stage minus connect (the check script's round trip). */
  checkScriptMs: number[];
  /** Per host: host.started → host.finished. */
  hostMs: number[];
  /** release call → first host.started (package sha256 and set-up). */
  beforeHostsMs: number;
  /** last host.finished → runRelease returned (unlock, close). */
  afterHostsMs: number;
}

export interface ReleaseRun {
  entries: HostEntry[];
  packagePath: string;
  sha256: string;
  version: string;
  commands: PlanCommands;
  privateKey: Buffer;
  user: string;
  artifactsDir: string;
  cacheDir: string;
  /** How the package reaches the hosts (default stream); `pull` downloads it from `packageUrl`. */
  transfer?: TransferMethod;
  /** The package's URL for `pull` (default: the file:// URL of `packagePath`). */
  packageUrl?: string;
}

/** The "realistic small plan": one pre_deploy, one post_deploy and a command health check. */
export const SMALL_PLAN_COMMANDS: PlanCommands = {
  check: [],
  preDeploy: ['test -f VERSION && ls -1 | wc -l'],
  postDeploy: ['mkdir -p "$YM_SHARED_DIR/tmp" && touch "$YM_SHARED_DIR/tmp/restart.txt"'],
  release: [],
  health: { probe: { kind: 'command', command: 'grep -q . "$YM_RELEASE_DIR/VERSION"' }, retries: 0, intervalMs: 1000 },
};

export const NO_COMMANDS: PlanCommands = { check: [], preDeploy: [], postDeploy: [], release: [] };

function push<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

export async function measureRelease(run: ReleaseRun): Promise<ReleaseSample> {
  const plan: Plan = {
    app: 'bench',
    environment: 'fanout',
    version: run.version,
    package: { url: run.packageUrl ?? `file://${run.packagePath}`, sha256: run.sha256 },
    ...(run.transfer === undefined ? {} : { transfer: run.transfer }),
    strategy: { mode: 'parallel', concurrency: run.entries.length, maxFailures: 0 },
    commands: run.commands,
    keepReleases: 5,
    commandTimeoutMs: 120_000,
  };
  const connect = connectWith(run.privateKey, run.user);
  const connectMs = new Map<string, number>();
  const execs = new Map<string, number>();
  const execMs: number[] = [];
  const timedConnect: ConnectHost = async (host, signal) => {
    const started = performance.now();
    const executor = await connect(host, signal);
    connectMs.set(host.name, performance.now() - started);
    const counted: Executor = {
      host: executor.host,
      exec: async (command, options) => {
        execs.set(host.name, (execs.get(host.name) ?? 0) + 1);
        const begun = performance.now();
        const result = await executor.exec(command, options);
        // A built-in script with stdin is a package transfer: the stream, or a pull's download (the URL on stdin).
        const transfer =
          options?.stdin instanceof Readable || (options?.stdin !== undefined && command.startsWith('sh -c'));
        if (!transfer) execMs.push(performance.now() - begun);
        return result;
      },
      putFile: (localPath, remotePath, options) => executor.putFile(localPath, remotePath, options),
      openTcp: (address, port) => executor.openTcp(address, port),
      close: () => executor.close(),
    };
    return counted;
  };
  const stages = new Map<StageName, number[]>();
  const checkMs = new Map<string, number>();
  const hostStarted = new Map<string, number>();
  const hostMs: number[] = [];
  let firstHostAt = Number.POSITIVE_INFINITY;
  let lastHostAt = 0;
  let failure: string | undefined;
  const onEvent = (event: ReleaseEvent): void => {
    const now = performance.now();
    if (event.type === 'host.started') {
      hostStarted.set(event.host, now);
      firstHostAt = Math.min(firstHostAt, now);
    } else if (event.type === 'host.finished') {
      hostMs.push(now - (hostStarted.get(event.host) ?? now));
      lastHostAt = Math.max(lastHostAt, now);
    } else if (event.type === 'stage.finished') {
      if (event.result === 'failed') failure ??= `${event.host} ${event.stage}: ${event.message ?? ''}`;
      if (event.result !== 'skipped') push(stages, event.stage, event.durationMs);
      if (event.stage === 'check') checkMs.set(event.host, event.durationMs);
    }
  };
  const started = performance.now();
  const result = await runRelease(
    {
      plan,
      app: { deployTo: '/unused', environments: {} },
      environment: environment(),
      hosts: resolved(run.entries),
      secrets: {},
    },
    { connect: timedConnect, onEvent, artifactsDir: run.artifactsDir, cacheDir: run.cacheDir },
  );
  const ended = performance.now();
  if (result.status !== 'succeeded') {
    throw new Error(`release ${result.status}: ${result.error ?? failure ?? JSON.stringify(result.failedHost)}`);
  }
  const names = run.entries.map((entry) => entry.name);
  return {
    wallMs: ended - started,
    stages,
    connectMs: names.map((name) => connectMs.get(name) ?? 0),
    execsPerHost: names.map((name) => execs.get(name) ?? 0),
    execMs,
    checkScriptMs: names.map((name) => (checkMs.get(name) ?? 0) - (connectMs.get(name) ?? 0)),
    hostMs,
    beforeHostsMs: firstHostAt - started,
    afterHostsMs: ended - lastHostAt,
  };
}

/** What ssh2 (as the executor configures it) negotiates: the C->S cipher and the key exchange. */
export function negotiatedSsh2(
  entry: HostEntry,
  privateKey: Buffer,
  user: string,
): Promise<{ cipher: string; kex: string }> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let cipher = 'unknown';
    let kex = 'unknown';
    client.once('ready', () => {
      client.end();
      resolve({ cipher, kex });
    });
    client.once('error', reject);
    client.connect({
      host: entry.address,
      port: entry.port,
      username: user,
      privateKey,
      algorithms: { cipher: [...PREFERRED_CIPHERS] },
      hostVerifier: () => true,
      debug: (line: string) => {
        const c = /Handshake: C->S Cipher: (\S+)/.exec(line);
        if (c?.[1] !== undefined) cipher = c[1];
        const k = /Handshake: KEX algorithm: (\S+)/.exec(line);
        if (k?.[1] !== undefined) kex = k[1];
      },
    });
  });
}
