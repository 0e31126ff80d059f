/** Packages, plans, configs and event recorders for release engine tests. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EnvironmentConfig, HostEntry, ResolvedHost } from '../../src/config/types.ts';
import { connectExecutor } from '../../src/executors/registry.ts';
import type { ConnectHost, ReleaseEvent } from '../../src/deploy/types.ts';
import type { Plan, Strategy } from '../../src/plan/types.ts';

export interface BuiltPackage {
  path: string;
  sha256: string;
  url: string;
}

/** Builds `<version>.tar.gz` holding VERSION and the given files. */
export async function buildPackage(
  dir: string,
  version: string,
  files: Record<string, string> = {},
): Promise<BuiltPackage> {
  const src = await mkdtemp(join(tmpdir(), 'ym-pkg-src-'));
  await writeFile(join(src, 'VERSION'), `${version}\n`);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(src, name, '..'), { recursive: true });
    await writeFile(join(src, name), content);
  }
  await mkdir(dir, { recursive: true });
  const path = join(dir, `app-${version}.tar.gz`);
  try {
    execFileSync('tar', ['-czf', path, '-C', src, '.']);
  } finally {
    await rm(src, { recursive: true, force: true });
  }
  const sha256 = createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
  return { path, sha256, url: `file://${path}` };
}

export function environment(overrides: Partial<EnvironmentConfig> = {}): EnvironmentConfig {
  return {
    hosts: [],
    approvals: 1,
    approvers: [],
    freeze: [],
    production: false,
    env: {},
    secretEnv: [],
    ...overrides,
  };
}

export function plan(pkg: BuiltPackage, version: string, overrides: Partial<Plan> = {}, strategy?: Strategy): Plan {
  return {
    app: 'shop',
    environment: 'staging',
    version,
    package: { url: pkg.url, sha256: pkg.sha256 },
    strategy: strategy ?? { mode: 'serial', maxFailures: 0 },
    commands: { check: [], preDeploy: [], postDeploy: [], release: [] },
    keepReleases: 5,
    commandTimeoutMs: 60_000,
    ...overrides,
  };
}

export function resolved(entries: readonly HostEntry[]): ResolvedHost[] {
  return entries.map((entry) => ({ entry, deployTo: entry.deployTo ?? '/nonexistent' }));
}

/** Connects with the registry's plugins using the fleet's key. */
export function connectWith(privateKey: Buffer, user: string, acceptNewHostKeys = false): ConnectHost {
  return (host, signal) =>
    connectExecutor(host, { privateKey, defaultUser: user, acceptNewHostKeys, readyTimeoutMs: 10_000, signal });
}

export interface EventLog {
  events: ReleaseEvent[];
  sink: (event: ReleaseEvent) => void;
  of<T extends ReleaseEvent['type']>(type: T): Extract<ReleaseEvent, { type: T }>[];
}

export function recordEvents(onEvent?: (event: ReleaseEvent) => void): EventLog {
  const events: ReleaseEvent[] = [];
  return {
    events,
    sink: (event) => {
      events.push(event);
      onEvent?.(event);
    },
    of: <T extends ReleaseEvent['type']>(type: T) =>
      events.filter((event): event is Extract<ReleaseEvent, { type: T }> => event.type === type),
  };
}
