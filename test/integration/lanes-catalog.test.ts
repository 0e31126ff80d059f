/**
 * The lane catalog from the database, changed while the servers run: two lanes servers (the App's lanes step,
 * startAppLanes, on one database) start with a catalog file that has only version 1 of an ssh service; a package for
 * version 2 is added through one server's lanes API (checked by the operator's artifact rule, audited, announced),
 * and the other server — never restarted — deploys version 2 over real sshd with the release engine and routes to
 * it. A service the file never had, set by the operator in the database, deploys the same way. Refusals: packages
 * from outside the artifact rule, a second package for a version, a service with no ssh entry, no token.
 */
import { and, eq } from 'drizzle-orm';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, laneCatalog } from '../../src/db/schema.ts';
import { parseLaneCatalog, type LaneCatalog } from '../../src/lanes/catalog.ts';
import type { LanesServer } from '../../src/lanes/start-lanes-server.ts';
import { runCli } from '../../src/cli/run-cli.ts';
import { captureIo } from '../helpers/cli-capture.ts';
import { startSshAppLanes } from '../helpers/app-lanes-server.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { buildPackage, type BuiltPackage } from '../helpers/release-fixtures.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';
import { waitFor } from '../helpers/workorder-fixtures.ts';

const TOKEN = 'catalog-lanes-token-0123456789';
const SERVER = `import { createServer } from 'node:http';
createServer((request, response) => {
  if (request.url === '/healthz') return response.writeHead(200).end('ok');
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([process.env.YM_SERVICE + '@' + process.env.YM_VERSION]));
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

let fleet: SshdFleet;
let work: string;
let test: TestDatabase;
const servers: LanesServer[] = [];
const packages: Record<string, BuiltPackage> = {};
const warnings: string[] = [];

function pkgOf(version: string): BuiltPackage {
  const pkg = packages[version];
  if (pkg === undefined) throw new Error(`no package ${version}`);
  return pkg;
}

function sshEntryYaml(versions: Record<string, BuiltPackage>): string {
  const host = fleet.hostEntries()[0];
  if (host === undefined) throw new Error('no host');
  const listed = Object.entries(versions)
    .map(([version, pkg]) => `${JSON.stringify(version)}: { url: ${JSON.stringify(pkg.url)}, sha256: ${pkg.sha256} }`)
    .join(', ');
  return [
    '    health: /healthz',
    '    ssh:',
    `      host: { name: ${host.name}, address: ${host.address}, port: ${host.port}, host_key: ${JSON.stringify(host.hostKey)} }`,
    `      deploy_to: ${JSON.stringify(`${host.deployTo ?? '/tmp'}/lanes`)}`,
    `      packages: { ${listed} }`,
    `      start: ${JSON.stringify(`${process.execPath} server.mjs`)}`,
    '      port_range: [23100, 23199]',
  ].join('\n');
}

async function startServer(catalog: LaneCatalog): Promise<LanesServer> {
  const started = await startSshAppLanes({
    database: test.database,
    catalog,
    token: TOKEN,
    fleet,
    artifactsDir: work,
    warnings,
  });
  servers.push(started);
  return started;
}

function api(server: LanesServer, method: string, path: string, body?: unknown, token = TOKEN): Promise<Response> {
  return fetch(`${server.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

async function catalogVersions(server: LanesServer, service: string): Promise<string[] | undefined> {
  const view = (await (await api(server, 'GET', '/v1/catalog')).json()) as {
    services: Record<string, { versions?: string[] }>;
  };
  return view.services[service]?.versions;
}

async function routed(server: LanesServer, lane: string, service: string): Promise<unknown> {
  const response = await fetch(`${server.routerUrl}/${service}/hello`, { headers: { 'x-yardmaster-lane': lane } });
  return response.status === 200 ? response.json() : `${response.status}`;
}

/** `yardmaster lanes …` as the operator runs it, on the same database. */
async function lanes(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = captureIo(work, { DATABASE_URL: test.url ?? '', USER: 'operator' });
  const code = await runCli(['lanes', ...args], run.io);
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

let one: LanesServer;
let two: LanesServer;

beforeAll(async () => {
  fleet = await startSshdFleet(1);
  work = await mkdtemp(join(tmpdir(), 'ym-lanes-catalog-'));
  for (const version of ['1', '2', '7'])
    packages[version] = await buildPackage(join(work, `v${version}`), version, { 'server.mjs': SERVER });
  test = await openTestDatabase('postgres');
  await writeFile(
    join(work, 'bad.yml'),
    'health: /healthz\nssh: { host: { name: h, address: 127.0.0.1 }, deploy_to: /srv, packages: {}, start: x, port_range: [1, 2] }\n',
  );
  const fileText = `services:\n  x:\n${sshEntryYaml({ '1': pkgOf('1') })}\n`;
  await writeFile(join(work, 'catalog.yml'), fileText);
  const file = parseLaneCatalog(fileText);
  if (!file.ok) throw new Error(JSON.stringify(file.issues));
  one = await startServer(file.value);
  two = await startServer(file.value);
}, 90_000);

afterAll(async () => {
  for (const server of servers) {
    const library = (await (await api(server, 'GET', '/v1/library')).json()) as { lanes: { name: string }[] };
    for (const lane of library.lanes) await api(server, 'DELETE', `/v1/lanes/${lane.name}`);
  }
  for (const server of servers) await server.close();
  await test?.cleanup();
  await fleet?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the lane catalog in the database', () => {
  it('takes a new version through the API while the servers run, and another server deploys it over ssh', async () => {
    const first = await api(one, 'POST', '/v1/lanes', 'lane: v1\nservices: { x: "1" }');
    expect(first.status, await first.clone().text()).toBe(200);
    await waitFor(
      'x@1 routed',
      async () => ((await routed(one, 'v1', 'x')) instanceof Array ? true : undefined),
      10_000,
    );
    expect(await routed(one, 'v1', 'x')).toEqual(['x@1']);

    // Not in the catalog yet: nothing to deploy it from.
    const missing = await api(two, 'POST', '/v1/lanes', 'lane: v2-early\nservices: { x: "2" }');
    expect(missing.status).toBe(502);
    expect(await missing.text()).toContain('the lane catalog has no package of x@2');

    const pkg = pkgOf('2');
    const added = await api(one, 'PUT', '/v1/catalog/x/packages/2', { url: pkg.url, sha256: pkg.sha256 });
    expect(added.status, await added.clone().text()).toBe(200);
    expect(await added.json()).toEqual({ service: 'x', version: '2', added: true });
    const again = await api(one, 'PUT', '/v1/catalog/x/packages/2', { url: pkg.url, sha256: pkg.sha256 });
    expect(await again.json()).toEqual({ service: 'x', version: '2', added: false });
    expect(await catalogVersions(one, 'x')).toEqual(['1', '2']);
    // The other server hears of it (NOTIFY) without a restart …
    await waitFor(
      'server two to see x@2',
      async () => ((await catalogVersions(two, 'x'))?.includes('2') === true ? true : undefined),
      10_000,
    );
    // … and deploys it: the release engine over ssh, package checked.
    const second = await api(two, 'POST', '/v1/lanes', 'lane: v2\nservices: { x: "2" }');
    const resolution = (await second.json()) as { ok: boolean; services: { how: string; version: string }[] };
    expect(resolution).toMatchObject({ ok: true, services: [{ service: 'x', how: 'deployed', version: '2' }] });
    await waitFor(
      'x@2 routed',
      async () => ((await routed(two, 'v2', 'x')) instanceof Array ? true : undefined),
      10_000,
    );
    expect(await routed(two, 'v2', 'x')).toEqual(['x@2']);
    expect(await routed(one, 'v2', 'x')).toEqual(['x@2']);
    expect(await routed(one, 'v1', 'x')).toEqual(['x@1']);

    const audit = await test.database.db.select().from(auditLog).where(eq(auditLog.action, 'lane.catalog_changed'));
    expect(audit.map((row) => ({ actor: row.actor, reason: row.reason, data: row.data }))).toEqual([
      {
        actor: 'yardmaster',
        reason: 'package added through the lanes API',
        data: { service: 'x', version: '2', sha256: pkg.sha256 },
      },
    ]);
    // The service's entry stays the catalog file's, as the operator wrote it: the package is a row of its own.
    expect(await test.database.db.select().from(laneCatalog)).toEqual([]);
  }, 120_000);

  it('refuses packages from outside the artifact rule, a second package for a version, and unknown services', async () => {
    const other = pkgOf('7');
    const cases: [string, unknown, number, string][] = [
      [
        '/v1/catalog/x/packages/3',
        { url: 'file:///etc/passwd', sha256: other.sha256 },
        403,
        'inside the artifact store',
      ],
      [
        '/v1/catalog/x/packages/3',
        { url: 'http://127.0.0.1:9/x-3.tar.gz', sha256: other.sha256 },
        403,
        'public addresses',
      ],
      ['/v1/catalog/x/packages/1', { url: other.url, sha256: other.sha256 }, 409, 'a new build takes a new version'],
      ['/v1/catalog/nope/packages/1', { url: other.url, sha256: other.sha256 }, 404, 'no ssh service nope'],
      ['/v1/catalog/x/packages/a%20b', { url: other.url, sha256: other.sha256 }, 400, 'version'],
      ['/v1/catalog/x/packages/3', { url: other.url, sha256: 'abc' }, 400, 'sha256'],
    ];
    for (const [path, body, status, says] of cases) {
      const response = await api(one, 'PUT', path, body);
      expect([path, response.status]).toEqual([path, status]);
      expect(await response.text()).toContain(says);
    }
    expect((await api(one, 'PUT', '/v1/catalog/x/packages/3', {}, 'wrong-token-0123456789')).status).toBe(401);
    expect(await catalogVersions(one, 'x')).toEqual(['1', '2']);
  });

  it('deploys a service the file never had once the operator sets it in the database', async () => {
    // The operator, with the CLI (DATABASE_URL): one service's entry as the catalog file writes it.
    await writeFile(join(work, 'y.yml'), sshEntryYaml({ '7': pkgOf('7') }).replace(/^ {4}/gm, ''));
    const set = await lanes('catalog', 'set', 'y', 'y.yml');
    expect(set).toMatchObject({ code: 0, stdout: 'y set in the lane catalog; every lanes server takes it now\n' });
    const bad = await lanes('catalog', 'set', 'z', 'bad.yml');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('bad.yml is not a lane catalog entry: ssh.port_range');
    await waitFor(
      'server two to see y',
      async () => ((await catalogVersions(two, 'y'))?.includes('7') === true ? true : undefined),
      10_000,
    );
    const opened = await api(two, 'POST', '/v1/lanes', 'lane: y7\nservices: { y: "7", x: "2" }');
    expect(await opened.json()).toMatchObject({
      ok: true,
      services: [
        { service: 'x', how: 'reused', version: '2' },
        { service: 'y', how: 'deployed', version: '7' },
      ],
    });
    await waitFor(
      'y@7 routed',
      async () => ((await routed(one, 'y7', 'y')) instanceof Array ? true : undefined),
      10_000,
    );
    expect(await routed(one, 'y7', 'y')).toEqual(['y@7']);
    const [row] = await test.database.db
      .select()
      .from(laneCatalog)
      .where(and(eq(laneCatalog.service, 'y')));
    expect(row?.updatedBy).toBe('cli:operator');
    const host = fleet.hostEntries()[0]?.name ?? '';
    const listed = await lanes('catalog', 'list', '--catalog', 'catalog.yml');
    expect(listed.stdout).toBe(`x  ssh on ${host} versions 1, 2  (file)\ny  ssh on ${host} versions 7  (database)\n`);
    // Removed again: no server starts it any more (the running instance stays until its lanes end).
    expect((await lanes('catalog', 'remove', 'y')).code).toBe(0);
    await waitFor(
      'server one to forget y',
      async () => ((await catalogVersions(one, 'y')) === undefined ? true : undefined),
      10_000,
    );
    const gone = await api(one, 'POST', '/v1/lanes', 'lane: y8\nservices: { y: "8" }');
    expect(gone.status).toBe(502);
    expect(await gone.text()).toContain('the lane catalog has no service y');
    expect(warnings).toEqual([]);
  }, 120_000);
});
