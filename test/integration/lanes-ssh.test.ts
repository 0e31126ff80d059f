/**
 * The `ssh` lane runtime against a real sshd host: a missing version is released with the release engine (package
 * checked, nine stages), started in the background on a free port of the host's range, reached through the router,
 * and stopped when its lane ends.
 */
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLaneRouter } from '../../src/lanes/lane-router.ts';
import { endLane, resolveTask, type LaneDeps } from '../../src/lanes/lane-tasks.ts';
import { watchRoutes, type RouteWatcher } from '../../src/lanes/route-watcher.ts';
import { parseLaneCatalog } from '../../src/lanes/catalog.ts';
import { createCatalogRuntime } from '../../src/lanes/catalog-runtime.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildPackage, connectWith } from '../helpers/release-fixtures.ts';
import { liveTarget } from '../helpers/host-files.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';

const SERVER = `import { createServer } from 'node:http';
createServer((request, response) => {
  if (request.url === '/healthz') return response.writeHead(200).end('ok');
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([process.env.YM_SERVICE + '@' + process.env.YM_VERSION]));
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

let fleet: SshdFleet;
let work: string;
let test: TestDatabase;
let watcher: RouteWatcher;
let router: ReturnType<typeof createLaneRouter>;
let deps: LaneDeps;

beforeAll(async () => {
  fleet = await startSshdFleet(1);
  work = await mkdtemp(join(tmpdir(), 'ym-lanes-ssh-'));
  const pkg = await buildPackage(join(work, 'pkgs'), '1', { 'server.mjs': SERVER });
  test = await openTestDatabase('postgres');
  watcher = await watchRoutes(test.database);
  router = createLaneRouter({ routes: () => watcher.routes() });
  router.listen(0, '127.0.0.1');
  await once(router, 'listening');
  const host = fleet.hostEntries()[0];
  if (host === undefined) throw new Error('no host');
  // The catalog as an operator writes it: the service runs on a lane host over ssh.
  const catalogYaml = [
    'services:',
    '  x:',
    '    health: /healthz',
    '    ssh:',
    `      host: { name: ${host.name}, address: ${host.address}, port: ${host.port}, host_key: ${JSON.stringify(host.hostKey)} }`,
    `      deploy_to: ${JSON.stringify(`${host.deployTo ?? '/tmp'}/lanes`)}`,
    `      packages: { "1": { url: ${JSON.stringify(pkg.url)}, sha256: ${pkg.sha256} } }`,
    `      start: ${JSON.stringify(`${process.execPath} server.mjs`)}`,
    '      port_range: [21000, 21999]',
  ].join('\n');
  const catalog = parseLaneCatalog(catalogYaml);
  if (!catalog.ok) throw new Error(JSON.stringify(catalog.issues));
  const runtime = createCatalogRuntime({
    catalog: catalog.value,
    connect: connectWith(fleet.privateKey, fleet.user),
    artifactsDir: work,
    cacheDir: join(work, 'cache'),
    routerUrl: `http://127.0.0.1:${(router.address() as AddressInfo).port}`,
  });
  deps = { db: test.database.db, runtime, actor: 'ssh-test' };
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => {
    if (router === undefined) resolve();
    else
      router.close(() => {
        resolve();
      });
  });
  router?.closeAllConnections();
  await watcher?.close();
  await test?.cleanup();
  await fleet?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the ssh lane runtime', () => {
  it('releases a missing version to the lane host, routes to it, and stops it with the lane', async () => {
    const resolution = await resolveTask(deps, {
      lane: 'ssh-lane',
      services: { x: '1' },
      calls: [],
      mode: 'fallback',
      ttlMs: 60_000,
    });
    expect(resolution).toMatchObject({
      ok: true,
      deployed: 1,
      services: [{ service: 'x', how: 'deployed', version: '1' }],
    });
    const endpoint = resolution.services[0]?.endpoint ?? '';
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:21\d{3}$/);
    expect(await liveTarget(`${fleet.hostEntries()[0]?.deployTo ?? ''}/lanes/x-1`)).toBe('releases/1');
    await watcher.reload();
    const routed = await fetch(`http://127.0.0.1:${(router.address() as AddressInfo).port}/x/anything`, {
      headers: { 'x-yardmaster-lane': 'ssh-lane' },
    });
    expect(await routed.json()).toEqual(['x@1']);
    expect(routed.headers.get('x-yardmaster-route')).toBe('x@1 (lane)');

    const ended = await endLane(deps, 'ssh-lane', 'done');
    expect(ended.reclaimed).toEqual(['x@1']);
    expect(
      await fetch(`${endpoint}/healthz`).then(
        () => 'answered',
        () => 'gone',
      ),
    ).toBe('gone');
  });
});
