/**
 * Replacing an ssh-run instance with a new build over real sshd, through the lanes API of a running lanes server
 * (the App's lanes step): two lanes keep answering through the router while version 1's build A is replaced by
 * build B (its package named in the request, checked by the operator's artifact rule) and then by build A again (the
 * catalog's package): no answer other than 200, each client's answers switch once from the old build to the new, the
 * old process is gone after the drain, a build's own directory is removed with its process and the version's own
 * directory is kept. Refusals: a package outside the artifact rule, a build the catalog has no package for and no url.
 * Then a replacement that died after its switch (the database as it leaves it, the old build's process running):
 * the server's sweep leaves it alone within the drain limit and stops and removes it past the limit. And one that
 * died before its switch (its build's process running, its row abandoned): the next replacement to that build stops
 * the leftover process before it releases the build again.
 */
import { and, eq, sql } from 'drizzle-orm';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, laneInstances, laneMembers } from '../../src/db/schema.ts';
import { parseLaneCatalog, type LaneCatalog } from '../../src/lanes/catalog.ts';
import { createCatalogRuntime } from '../../src/lanes/catalog-runtime.ts';
import { LANE_CHANNEL } from '../../src/lanes/lane-audit.ts';
import type { LanesServer } from '../../src/lanes/start-lanes-server.ts';
import { startSshAppLanes } from '../helpers/app-lanes-server.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { liveTarget } from '../helpers/host-files.ts';
import { buildPackage, connectWith, type BuiltPackage } from '../helpers/release-fixtures.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';
import { waitFor } from '../helpers/workorder-fixtures.ts';

const TOKEN = 'replace-lanes-token-0123456789';
/** A service that says which build it is (the BUILD file of its package). */
const SERVER = `import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
const build = readFileSync('BUILD', 'utf8').trim();
createServer((request, response) => {
  if (request.url === '/healthz') return response.writeHead(200).end(String(process.pid));
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([process.env.YM_SERVICE + '@' + process.env.YM_VERSION + ' ' + build]));
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

let fleet: SshdFleet;
let work: string;
let outside: string;
let test: TestDatabase;
let server: LanesServer;
let catalog: LaneCatalog;
let lanesDir: string;
let builds: Record<'A' | 'B' | 'C', BuiltPackage>;
const warnings: string[] = [];

function api(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${server.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

async function routed(lane: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${server.routerUrl}/x/hello`, { headers: { 'x-yardmaster-lane': lane } });
  const text = await response.text();
  return { status: response.status, body: response.status === 200 ? ((JSON.parse(text) as string[])[0] ?? '') : text };
}

/** The process id of the build answering at `endpoint`, if one does. */
function pidAt(endpoint: string): Promise<number | undefined> {
  return fetch(`${endpoint}/healthz`).then(
    async (response) => Number(await response.text()),
    () => undefined,
  );
}

/** Waits until process `pid` has ended (the lane host is this machine). */
async function ended(pid: number | undefined): Promise<void> {
  if (pid === undefined) throw new Error('no process to wait for');
  await waitFor(`process ${pid} to end`, () => Promise.resolve(existsSync(`/proc/${pid}`) ? undefined : true), 10_000);
}

async function instanceRows(): Promise<(typeof laneInstances.$inferSelect)[]> {
  return test.database.db.select().from(laneInstances).where(eq(laneInstances.service, 'x')).orderBy(laneInstances.id);
}

/** A client asking through the router, one request after another, until stopped: every answer in order. */
function client(lane: string): { count(): number; stop(): Promise<{ status: number; body: string }[]> } {
  const seen: { status: number; body: string }[] = [];
  let running = true;
  const loop = (async () => {
    while (running) seen.push(await routed(lane).catch((error: unknown) => ({ status: 0, body: String(error) })));
  })();
  return {
    count: () => seen.length,
    async stop() {
      running = false;
      await loop;
      return seen;
    },
  };
}

/** The distinct answers in the order they first came (a clean switch: old build, then new, never back). */
function runs(seen: readonly { status: number; body: string }[]): string[] {
  const out: string[] = [];
  for (const { body } of seen) if (out.at(-1) !== body) out.push(body);
  return out;
}

/** Replaces x@1 while both lanes answer; the answers each lane's client saw. */
async function replaceUnderLoad(body: Record<string, unknown>): Promise<{
  response: { status: number; json: Record<string, unknown> };
  seen: { status: number; body: string }[][];
}> {
  const clients = [client('one'), client('two')];
  // Both clients have answers from the old build before anything changes.
  const after = async (least: readonly number[]): Promise<void> => {
    await waitFor('answers', () =>
      Promise.resolve(clients.every((one, index) => one.count() >= (least[index] ?? 0) + 5) ? true : undefined),
    );
  };
  await after([0, 0]);
  const replaced = await api('POST', '/v1/instances/x/1/replace', body);
  const json = (await replaced.json()) as Record<string, unknown>;
  // A few answers after the old build is gone.
  await after(clients.map((one) => one.count()));
  const seen = await Promise.all(clients.map((one) => one.stop()));
  return { response: { status: replaced.status, json }, seen };
}

beforeAll(async () => {
  fleet = await startSshdFleet(1);
  work = await mkdtemp(join(tmpdir(), 'ym-lanes-replace-'));
  outside = await mkdtemp(join(tmpdir(), 'ym-lanes-replace-outside-'));
  builds = {
    A: await buildPackage(join(work, 'a'), '1', { 'server.mjs': SERVER, BUILD: 'A' }),
    B: await buildPackage(join(work, 'b'), '1', { 'server.mjs': SERVER, BUILD: 'B' }),
    C: await buildPackage(outside, '1', { 'server.mjs': SERVER, BUILD: 'C' }),
  };
  test = await openTestDatabase('postgres');
  const host = fleet.hostEntries()[0];
  if (host === undefined) throw new Error('no host');
  lanesDir = `${host.deployTo ?? '/tmp'}/lanes`;
  const parsed = parseLaneCatalog(
    [
      'services:',
      '  x:',
      '    health: /healthz',
      '    ssh:',
      `      host: { name: ${host.name}, address: ${host.address}, port: ${host.port}, host_key: ${JSON.stringify(host.hostKey)} }`,
      `      deploy_to: ${JSON.stringify(lanesDir)}`,
      `      packages: { "1": { url: ${JSON.stringify(builds.A.url)}, sha256: ${builds.A.sha256} } }`,
      `      start: ${JSON.stringify(`${process.execPath} server.mjs`)}`,
      '      port_range: [23300, 23399]',
    ].join('\n'),
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  catalog = parsed.value;
  const started = await startSshAppLanes({
    database: test.database,
    catalog,
    token: TOKEN,
    fleet,
    artifactsDir: work,
    warnings,
  });
  server = started;
}, 90_000);

afterAll(async () => {
  if (server !== undefined) {
    for (const lane of ['one', 'two']) await api('DELETE', `/v1/lanes/${lane}`);
    // Whatever still runs is stopped by the runtime that started it.
    for (let tries = 3; tries > 0 && (await instanceRows()).length > 0; tries -= 1)
      await api('DELETE', '/v1/instances/x/1');
    await server.close();
  }
  await test?.cleanup();
  await fleet?.stop();
  if (work) await rm(work, { recursive: true, force: true });
  if (outside) await rm(outside, { recursive: true, force: true });
});

describe('replacing an ssh-run instance with a new build', () => {
  it('switches two answering lanes from the old build to the new without a gap, and stops only the old', async () => {
    for (const lane of ['one', 'two']) {
      const opened = await api('POST', '/v1/lanes', `lane: ${lane}\nservices: { x: "1" }`);
      expect(opened.status, await opened.clone().text()).toBe(200);
    }
    await waitFor('x@1 routed in both lanes', async () =>
      (await routed('one')).status === 200 && (await routed('two')).status === 200 ? true : undefined,
    );
    expect(await routed('one')).toEqual({ status: 200, body: 'x@1 A' });
    const [first] = await instanceRows();
    const firstEndpoint = first?.endpoint ?? '';
    const firstPid = await pidAt(firstEndpoint);
    expect(await liveTarget(`${lanesDir}/x-1`)).toBe('releases/1');

    // Build B: its package named in the request, from where the operator's rule allows.
    const toB = await replaceUnderLoad({ digest: builds.B.sha256, url: builds.B.url, drainMs: 300 });
    expect(toB.response.status, JSON.stringify(toB.response.json)).toBe(200);
    expect(toB.response.json).toMatchObject({ ok: true, from: '', to: builds.B.sha256, lanes: ['one', 'two'] });
    for (const seen of toB.seen) {
      expect(seen.filter((answer) => answer.status !== 200)).toEqual([]);
      expect(runs(seen)).toEqual(['x@1 A', 'x@1 B']);
    }
    // The old process is gone; the version's own directory is kept, the build has one of its own.
    await ended(firstPid);
    expect(await liveTarget(`${lanesDir}/x-1`)).toBe('releases/1');
    const bDir = `${lanesDir}/x-1-${builds.B.sha256.slice(0, 12)}`;
    expect(await liveTarget(bDir)).toBe('releases/1');
    const afterB = await instanceRows();
    expect(afterB.map((row) => [row.packageDigest, row.state])).toEqual([[builds.B.sha256, 'up']]);
    const bEndpoint = afterB[0]?.endpoint ?? '';
    expect(bEndpoint).not.toBe(firstEndpoint);
    const bPid = await pidAt(bEndpoint);

    // Back to build A, the catalog's package of version 1 (no url needed): B's process and directory go.
    const toA = await replaceUnderLoad({ digest: builds.A.sha256, drainMs: 300 });
    expect(toA.response.status, JSON.stringify(toA.response.json)).toBe(200);
    for (const seen of toA.seen) {
      expect(seen.filter((answer) => answer.status !== 200)).toEqual([]);
      expect(runs(seen)).toEqual(['x@1 B', 'x@1 A']);
    }
    await ended(bPid);
    expect(existsSync(bDir)).toBe(false);
    expect(await liveTarget(`${lanesDir}/x-1-${builds.A.sha256.slice(0, 12)}`)).toBe('releases/1');

    const audit = await test.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'lane.instance_replaced'))
      .orderBy(auditLog.id);
    expect(audit.map((row) => [(row.data as { from: string }).from, (row.data as { to: string }).to])).toEqual([
      ['', builds.B.sha256],
      [builds.B.sha256, builds.A.sha256],
    ]);
  }, 120_000);

  it('refuses a package outside the artifact rule and a build the catalog has no package for', async () => {
    const before = await instanceRows();
    const outsideRule = await api('POST', '/v1/instances/x/1/replace', { digest: builds.C.sha256, url: builds.C.url });
    expect(outsideRule.status).toBe(403);
    expect(await outsideRule.text()).toContain('url: ');
    const noPackage = await api('POST', '/v1/instances/x/1/replace', { digest: builds.B.sha256 });
    expect(noPackage.status).toBe(400);
    expect(await noPackage.text()).toContain('give the new build');
    // A url whose package is not the named build: the release engine's sha256 check refuses it, nothing switches.
    const wrongSum = await api('POST', '/v1/instances/x/1/replace', { digest: builds.C.sha256, url: builds.B.url });
    expect(wrongSum.status).toBe(502);
    expect(await instanceRows()).toEqual(before);
    expect(await routed('one')).toEqual({ status: 200, body: 'x@1 A' });
  }, 60_000);

  it('stops the old build a replacement left running when it died after the switch, once past the drain limit', async () => {
    const [old] = await instanceRows();
    if (old?.endpoint == null) throw new Error('no running x@1');
    // The replacing process started build B and switched, then died: the database as it leaves it.
    const runtime = createCatalogRuntime({
      catalog,
      connect: connectWith(fleet.privateKey, fleet.user),
      artifactsDir: work,
      cacheDir: join(work, 'cache'),
      routerUrl: 'http://127.0.0.1:9',
    });
    const oldPid = await pidAt(old.endpoint);
    const started = await runtime.start('x', '1', { digest: builds.B.sha256, url: builds.B.url });
    const newPid = await pidAt(started.endpoint);
    await test.database.db.transaction(async (tx) => {
      const [fresh] = await tx
        .insert(laneInstances)
        .values({
          service: 'x',
          version: '1',
          packageDigest: builds.B.sha256,
          runtime: old.runtime,
          state: 'up',
          endpoint: started.endpoint,
          runtimeRef: started.ref,
          heartbeatAt: new Date(),
        })
        .returning();
      if (fresh === undefined) throw new Error('no row');
      await tx.update(laneMembers).set({ instanceId: fresh.id }).where(eq(laneMembers.instanceId, old.id));
      await tx.update(laneInstances).set({ state: 'down' }).where(eq(laneInstances.id, old.id));
      await tx.execute(sql`select pg_notify(${LANE_CHANNEL}, '')`);
    });
    await waitFor('lane one on build B', async () => ((await routed('one')).body === 'x@1 B' ? true : undefined));

    // Within the drain limit the sweep leaves it (a replacement may still be draining it).
    await server.sweep();
    expect(await pidAt(old.endpoint)).toBe(oldPid);
    expect((await instanceRows()).map((row) => row.state)).toEqual(['down', 'up']);

    // Past it, the sweep stops it (only it: build B answers on) and removes its row and its build directory.
    await test.database.db
      .update(laneInstances)
      .set({ heartbeatAt: new Date(Date.now() - 10 * 60_000) })
      .where(and(eq(laneInstances.service, 'x'), eq(laneInstances.state, 'up')));
    await server.sweep();
    await ended(oldPid);
    expect(await pidAt(started.endpoint)).toBe(newPid);
    expect((await instanceRows()).map((row) => [row.packageDigest, row.state])).toEqual([[builds.B.sha256, 'up']]);
    expect(existsSync(`${lanesDir}/x-1-${builds.A.sha256.slice(0, 12)}`)).toBe(false);
    expect(await routed('two')).toEqual({ status: 200, body: 'x@1 B' });
    const [removed] = await test.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'lane.instance_removed'), eq(auditLog.actor, 'yardmaster')))
      .orderBy(auditLog.id)
      .then((rows) => rows.filter((row) => row.reason?.startsWith('interrupted replacement') === true));
    expect(removed?.data).toEqual({ service: 'x', version: '1', digest: builds.A.sha256 });
  }, 90_000);

  it('stops a build an interrupted replacement started but never switched to, when that build is started again', async () => {
    const [current] = await instanceRows();
    if (current?.endpoint == null) throw new Error('no running x@1');
    // The replacing process claimed build A, released and started it, and died before the switch: its process runs
    // in A's directory, its row is still `starting` eleven minutes later (abandoned).
    const runtime = createCatalogRuntime({
      catalog,
      connect: connectWith(fleet.privateKey, fleet.user),
      artifactsDir: work,
      cacheDir: join(work, 'cache'),
      routerUrl: 'http://127.0.0.1:9',
    });
    const orphan = await runtime.start('x', '1', { digest: builds.A.sha256 });
    const orphanPid = await pidAt(orphan.endpoint);
    await test.database.db.insert(laneInstances).values({
      service: 'x',
      version: '1',
      packageDigest: builds.A.sha256,
      runtime: current.runtime,
      state: 'starting',
      createdAt: new Date(Date.now() - 11 * 60_000),
    });
    const toA = await replaceUnderLoad({ digest: builds.A.sha256, drainMs: 300 });
    expect(toA.response.status, JSON.stringify(toA.response.json)).toBe(200);
    for (const seen of toA.seen) {
      expect(seen.filter((answer) => answer.status !== 200)).toEqual([]);
      expect(runs(seen)).toEqual(['x@1 B', 'x@1 A']);
    }
    await ended(orphanPid);
    const rows = await instanceRows();
    expect(rows.map((row) => [row.packageDigest, row.state])).toEqual([[builds.A.sha256, 'up']]);
    expect(await pidAt(rows[0]?.endpoint ?? '')).not.toBe(orphanPid);
    const abandoned = await test.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'lane.replace_failed'), eq(auditLog.reason, 'abandoned')));
    expect(abandoned).toHaveLength(1);
    expect(warnings).toEqual([]);
  }, 90_000);
});
