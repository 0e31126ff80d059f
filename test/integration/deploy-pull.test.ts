/**
 * `transfer: pull`: every host downloads the package from a local HTTP artifact server itself (curl or wget), verifies
 * its sha256 and unpacks it; real sshd hosts on loopback.
 */
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, symlink, unlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry } from '../../src/config/types.ts';
import { runRelease } from '../../src/deploy/run-release.ts';
import type { EngineOptions, ReleaseRequest } from '../../src/deploy/types.ts';
import type { Plan } from '../../src/plan/types.ts';
import { isLocked, liveTarget, logEntries, releasesOnDisk } from '../helpers/host-files.ts';
import {
  buildPackage,
  connectWith,
  environment,
  plan,
  recordEvents,
  resolved,
  type BuiltPackage,
} from '../helpers/release-fixtures.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';

/** Stands in for a signed URL's token: it must never appear in events or messages. */
const TOKEN = 'sig-0b5cure-t0ken';

let fleet: SshdFleet;
/** One more host whose PATH is a directory this test fills (`SetEnv PATH=…`): curl and wget come and go. */
let bare: SshdFleet;
let binDir: string;
let work: string;
let server: Server;
let base: string;
const packages = new Map<string, BuiltPackage>();
/** What the server answers per path: the bytes for the n-th request (0-based) of that path. */
const routes = new Map<string, (n: number) => Buffer>();
const requests = new Map<string, number>();

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ym-pull-'));
  await chmod(work, 0o755);
  binDir = join(work, 'bin');
  await mkdir(binDir, { recursive: true });
  for (const name of await readdir('/usr/bin')) {
    if (name !== 'curl' && name !== 'wget') await symlink(join('/usr/bin', name), join(binDir, name));
  }
  await symlink('/usr/bin/wget', join(binDir, 'wget'));
  [fleet, bare] = await Promise.all([startSshdFleet(3), startSshdFleet(1, { extraConfig: [`SetEnv PATH=${binDir}`] })]);
  for (const version of ['1.0.0', '1.1.0', '1.2.0']) {
    packages.set(version, await buildPackage(join(work, 'pkgs'), version, { 'bin/app.sh': `echo app ${version}\n` }));
  }
  server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const route = routes.get(path);
    if (route === undefined) {
      response.writeHead(404).end('not found');
      return;
    }
    const n = requests.get(path) ?? 0;
    requests.set(path, n + 1);
    const body = route(n);
    response.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the artifact server has no port');
  base = `http://127.0.0.1:${String(address.port)}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await Promise.all([fleet?.stop(), bare?.stop()]);
  if (work) await rm(work, { recursive: true, force: true });
});

function pkg(version: string): BuiltPackage {
  const found = packages.get(version);
  if (!found) throw new Error(`no package ${version}`);
  return found;
}

/** Serves `version`'s package at a fresh path (or `serve` decides per request) and returns its pull URL. */
async function served(version: string, path: string, serve?: (n: number, good: Buffer) => Buffer): Promise<string> {
  const good = await readFile(pkg(version).path);
  routes.set(path, (n) => (serve ? serve(n, good) : good));
  return `${base}${path}?token=${TOKEN}`;
}

function hostsFor(source: SshdFleet, app: string): HostEntry[] {
  return source.hostEntries().map((entry) => ({ ...entry, deployTo: join(entry.deployTo ?? '', app) }));
}

function engine(source: SshdFleet, onEvent?: EngineOptions['onEvent']): EngineOptions {
  return {
    connect: connectWith(source.privateKey, source.user),
    artifactsDir: work,
    cacheDir: join(work, 'cache'),
    ...(onEvent ? { onEvent } : {}),
  };
}

function pullPlan(version: string, url: string, overrides: Partial<Plan> = {}): Plan {
  return plan(pkg(version), version, {
    package: { url, sha256: pkg(version).sha256 },
    transfer: 'pull',
    ...overrides,
  });
}

function request(entries: HostEntry[], p: Plan, extra: Partial<ReleaseRequest> = {}): ReleaseRequest {
  return {
    plan: p,
    app: { deployTo: '/unused', environments: {} },
    environment: environment(),
    hosts: resolved(entries),
    secrets: {},
    ...extra,
  };
}

async function expectLive(entries: HostEntry[], version: string): Promise<void> {
  for (const entry of entries) {
    const deployTo = entry.deployTo ?? '';
    expect(await liveTarget(deployTo), entry.name).toBe(`releases/${version}`);
    expect((await readFile(join(deployTo, 'current', 'VERSION'), 'utf8')).trim(), entry.name).toBe(version);
  }
}

describe('transfer: pull', () => {
  it('releases to three hosts that each download the package themselves; the controller never reads it', async () => {
    const hosts = hostsFor(fleet, 'pull-ok');
    const log = recordEvents();
    const url = await served('1.0.0', '/ok/app-1.0.0.tar.gz');
    const result = await runRelease(
      request(hosts, pullPlan('1.0.0', url, { strategy: { mode: 'parallel', concurrency: 3, maxFailures: 0 } })),
      engine(fleet, log.sink),
    );
    expect(result.status, JSON.stringify(result.failedHost)).toBe('succeeded');
    await expectLive(hosts, '1.0.0');
    expect(requests.get('/ok/app-1.0.0.tar.gz')).toBe(3);
    for (const entry of hosts) {
      const deployTo = entry.deployTo ?? '';
      // no downloaded file or temp dir is left behind, and the host lock is gone
      expect((await readdir(join(deployTo, '.yardmaster'))).filter((name) => name.startsWith('download-'))).toEqual([]);
      expect((await readdir(join(deployTo, 'releases'))).filter((name) => name.startsWith('.'))).toEqual([]);
      expect(isLocked(deployTo)).toBe(false);
    }
    // the controller's download cache stays empty: it never fetched the package
    await expect(readdir(join(work, 'cache'))).rejects.toThrow();
    expect(JSON.stringify(log.events)).not.toContain(TOKEN);
  });

  it('fails the fetch of the host that got other bytes, rolls back the host it switched and reports it', async () => {
    const hosts = hostsFor(fleet, 'pull-mismatch');
    const first = await runRelease(
      request(hosts, pullPlan('1.0.0', await served('1.0.0', '/mm/app-1.0.0.tar.gz'))),
      engine(fleet),
    );
    expect(first.status).toBe('succeeded');
    // Serial rollout: host-1, host-2, host-3 in that order; the second download gets 1.2.0's bytes.
    const other = await readFile(pkg('1.2.0').path);
    const url = await served('1.1.0', '/mm/app-1.1.0.tar.gz', (n, good) => (n === 1 ? other : good));
    const log = recordEvents();
    const result = await runRelease(request(hosts, pullPlan('1.1.0', url)), engine(fleet, log.sink));

    expect(result.status).toBe('failed');
    const [one, two, three] = hosts.map((entry) => entry.deployTo ?? '');
    expect(result.failedHost?.host).toBe('host-2');
    expect(result.failedHost?.stage).toBe('fetch');
    expect(result.failedHost?.exitCode).toBe(21);
    expect(result.failedHost?.message).toBe(
      `downloading the package with curl and unpacking it exited 21: yardmaster: the downloaded package has sha256 ${pkg('1.2.0').sha256}, but the plan says ${pkg('1.1.0').sha256}; not unpacked`,
    );
    expect(result.hosts.map((report) => [report.host, report.outcome])).toEqual([
      ['host-1', 'rolled_back'],
      ['host-2', 'failed'],
      ['host-3', 'untouched'],
    ]);
    expect(result.hosts[0]?.rolledBackTo).toBe('1.0.0');
    expect(await liveTarget(one ?? '')).toBe('releases/1.0.0');
    expect(await liveTarget(two ?? '')).toBe('releases/1.0.0');
    expect(await liveTarget(three ?? '')).toBe('releases/1.0.0');
    // the bad download was neither unpacked nor kept; the failure is in the host's log and the lock is gone
    expect(await releasesOnDisk(two ?? '')).toEqual(['1.0.0']);
    expect((await readdir(join(two ?? '', '.yardmaster'))).filter((name) => name.startsWith('download-'))).toEqual([]);
    expect((await logEntries(two ?? '')).at(-1)).toMatchObject({ version: '1.1.0', result: 'failed' });
    expect((await logEntries(one ?? '')).at(-1)).toMatchObject({ result: 'rolled_back' });
    for (const deployTo of [one, two, three]) expect(isLocked(deployTo ?? '')).toBe(false);
    expect(log.of('stage.finished').find((event) => event.host === 'host-2' && event.stage === 'fetch')?.result).toBe(
      'failed',
    );
    expect(JSON.stringify(log.events)).not.toContain(TOKEN);
  });

  it('reports an HTTP error of the artifact server as a failed fetch', async () => {
    const hosts = hostsFor(fleet, 'pull-404').slice(0, 1);
    const result = await runRelease(
      request(hosts, pullPlan('1.0.0', `${base}/missing/app.tar.gz?token=${TOKEN}`)),
      engine(fleet),
    );
    expect(result.status).toBe('failed');
    expect(result.failedHost?.stage).toBe('fetch');
    expect(result.failedHost?.message).toContain('the artifact server answered HTTP 404 instead of 200');
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  it('uses wget when the host has no curl', async () => {
    const hosts = hostsFor(bare, 'pull-wget');
    const log = recordEvents();
    const result = await runRelease(
      request(hosts, pullPlan('1.0.0', await served('1.0.0', '/wget/app-1.0.0.tar.gz'))),
      engine(bare, log.sink),
    );
    expect(result.status, JSON.stringify(result.failedHost)).toBe('succeeded');
    await expectLive(hosts, '1.0.0');
    expect(requests.get('/wget/app-1.0.0.tar.gz')).toBe(1);

    // and a mismatch is caught the same way after a wget download
    const other = await readFile(pkg('1.2.0').path);
    const bad = await runRelease(
      request(hosts, pullPlan('1.1.0', await served('1.1.0', '/wget/app-1.1.0.tar.gz', () => other))),
      engine(bare),
    );
    expect(bad.failedHost?.stage).toBe('fetch');
    expect(bad.failedHost?.message).toContain('downloading the package with wget and unpacking it exited 21');
    expect(await liveTarget(hosts[0]?.deployTo ?? '')).toBe('releases/1.0.0');
  });

  it('fails the check of a host that has neither curl nor wget, before anything is downloaded', async () => {
    await unlink(join(binDir, 'wget'));
    const hosts = hostsFor(bare, 'pull-none');
    const result = await runRelease(
      request(hosts, pullPlan('1.0.0', await served('1.0.0', '/none/app-1.0.0.tar.gz'))),
      engine(bare),
    );
    expect(result.status).toBe('failed');
    expect(result.failedHost?.stage).toBe('check');
    expect(result.failedHost?.exitCode).toBe(11);
    expect(result.failedHost?.message).toBe(
      `base environment check exited 11: yardmaster: transfer: pull needs curl or wget on the host; neither was found in PATH=${binDir}`,
    );
    expect(requests.get('/none/app-1.0.0.tar.gz')).toBeUndefined();
    expect(isLocked(hosts[0]?.deployTo ?? '')).toBe(false);
  });

  it('refuses, before any host, a pull from the config for a file:// package and a URL the policy refuses', async () => {
    const hosts = hostsFor(fleet, 'pull-refused');
    const fromConfig = await runRelease(
      request(hosts, plan(pkg('1.0.0'), '1.0.0'), { environment: environment({ transfer: 'pull' }) }),
      engine(fleet),
    );
    expect(fromConfig.status).toBe('failed');
    expect(fromConfig.error).toContain('transfer: pull needs an https:// package URL');
    expect(fromConfig.hosts.every((report) => report.outcome === 'untouched')).toBe(true);

    const url = await served('1.0.0', '/refused/app-1.0.0.tar.gz');
    const refused = await runRelease(request(hosts, pullPlan('1.0.0', url)), {
      ...engine(fleet),
      packageAccess: { localRoots: [], checkUrl: () => 'plain http:// to 127.0.0.1 is refused' },
    });
    expect(refused.status).toBe('failed');
    expect(refused.error).toBe(
      `package ${base}/refused/app-1.0.0.tar.gz?… refused: plain http:// to 127.0.0.1 is refused`,
    );
    expect(refused.hosts.every((report) => report.outcome === 'untouched')).toBe(true);
    expect(requests.get('/refused/app-1.0.0.tar.gz')).toBeUndefined();
  });
});
