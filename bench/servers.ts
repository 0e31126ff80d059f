/**
 * `npm run bench:servers`: signed plan-comment deliveries stored per second (answered once stored in the inbox) and
 * the answer's latency, with one, two and three servers (`node src/main.ts`, Octokit's pacing off as in
 * bench:webhooks) on one PostgreSQL database, the load spread evenly over them (as a round-robin load balancer
 * would); then how long until every stored delivery is handled, each subject by the server holding its claim. Each
 * server count gets a database of its own. Everything on 127.0.0.1: servers, a small fake GitHub, the load from this
 * process; figures are of this machine (its cores are shared by the servers, the database and the load).
 *
 * Environment: BENCH_CONCURRENCY (connections in all, default 32), BENCH_SECONDS (default 5), BENCH_WARMUP_SECONDS
 * (default 1), BENCH_ORDERS (work orders the comments spread over, default 200), BENCH_SERVERS (default `1,2,3`),
 * BENCH_MAINTENANCE_URL. Stops its processes and drops its databases on success, error and Ctrl-C.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { count, eq } from 'drizzle-orm';
import { parseRepoConfig } from '../src/config/parse-config.ts';
import { openDatabase } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { webhookDeliveries } from '../src/db/schema.ts';
import type { Database } from '../src/db/types.ts';
import { openWorkOrder } from '../src/workorders/service/index.ts';
import { examplePayload } from '../test/helpers/github-webhooks.ts';
import { spawnNode, type SpawnedProcess } from '../test/helpers/spawned-process.ts';
import { benchCleanup } from './bench-cleanup.ts';
import { createBenchDatabase, type BenchDatabase } from './dispatch-database.ts';
import { fmtMs, percentile } from './dispatch-stats.ts';
import { runLoad, type LoadResult } from './webhooks-load.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 1);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 200);
const SERVER_COUNTS = (process.env.BENCH_SERVERS ?? '1,2,3').split(',').map(Number);
const SECRET = 'bench-servers-secret';
const REPO = 'Codertocat/Hello-World';

const CONFIG_YAML = [
  'apps:',
  '  shop:',
  '    deploy_to: /srv/shop',
  '    environments:',
  '      production: { hosts: [web], approvals: 2, approvers: [dave, erin] }',
  'hosts:',
  '  web: [{ name: web-1, address: 10.0.0.1 }, { name: web-2, address: 10.0.0.2 }]',
  'roles:',
  '  project_manager: [pam]',
  '  developer: [carol]',
  '  ops: [dave, erin]',
  '  deployer: [dave]',
  '  acceptor: [pam]',
  '',
].join('\n');

const databases: BenchDatabase[] = [];
const opened: Database[] = [];
const children: SpawnedProcess[] = [];
let work: string | undefined;

async function stopChild(child: SpawnedProcess): Promise<void> {
  if (child.child.exitCode !== null || child.child.signalCode !== null) return;
  child.child.kill('SIGTERM');
  await child.exited(15_000).catch(() => child.child.kill('SIGKILL'));
}

const cleanup = benchCleanup('bench:servers', async () => {
  await Promise.all(children.map(stopChild));
  for (const database of opened) await database.close().catch(() => undefined);
  for (const database of databases)
    await database.drop().catch((error: unknown) => {
      console.error('dropping a bench database failed:', error);
    });
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

/** A plan comment on order `number`, a version of its own, by the developer carol. */
function planDelivery(index: number): { event: string; body: string } {
  const number = (index % ORDERS) + 1;
  const body = [
    '```yaml',
    'app: shop',
    'environment: production',
    `version: 1.0.${index}`,
    'package:',
    `  url: https://artifacts.example.com/shop-1.0.${index}.tar.gz`,
    `  sha256: ${'a'.repeat(64)}`,
    '```',
  ].join('\n');
  const payload = examplePayload('issue_comment', 'created', {
    issue: { number, title: `Release ${number}`, pull_request: undefined },
    comment: { id: 1_000_000 + index, body, user: { login: 'carol', type: 'User' } },
    sender: { login: 'carol', type: 'User' },
    installation: { id: 4242, node_id: 'bench' },
  });
  return { event: 'issue_comment', body: JSON.stringify(payload) };
}

async function listeningPort(child: SpawnedProcess): Promise<number> {
  const line = await child.waitForLine(
    (text) => text.includes('"msg":"listening"') || text.startsWith('{"port"'),
    60_000,
  );
  return Number(/"port":(\d+)/.exec(line)?.[1]);
}

/** A fresh migrated database with the work orders the comments go to. */
async function preparedDatabase(): Promise<{ bench: BenchDatabase; database: Database }> {
  const bench = await createBenchDatabase();
  databases.push(bench);
  const database = await openDatabase({ url: bench.url });
  opened.push(database);
  await migrateDatabase(database);
  const parsed = parseRepoConfig(CONFIG_YAML);
  if (!parsed.ok) throw new Error('bench config invalid');
  const context = { config: parsed.value, org: 'Codertocat', membership: { isMember: () => Promise.resolve(false) } };
  for (let number = 1; number <= ORDERS; number++) {
    const order = await openWorkOrder(
      { db: database.db },
      { repoFullName: REPO, installationId: 4242, number, kind: 'issue', title: `Release ${number}`, requester: 'pam' },
      context,
    );
    if (!order.ok) throw new Error(order.message);
  }
  return { bench, database };
}

async function stored(database: Database): Promise<{ all: number; handled: number }> {
  const [all] = await database.db.select({ n: count() }).from(webhookDeliveries);
  const [handled] = await database.db
    .select({ n: count() })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.status, 'handled'));
  return { all: all?.n ?? 0, handled: handled?.n ?? 0 };
}

/** One run with `servers` servers: the load spread over them, then the drain. */
async function run(servers: number, common: Record<string, string>): Promise<void> {
  const { bench, database } = await preparedDatabase();
  const started = await Promise.all(
    Array.from({ length: servers }, async () => {
      const child = spawnNode(
        [join(ROOT, 'bench/webhooks-unthrottled-server.ts')],
        { ...common, DATABASE_URL: bench.url, PORT: '0', YARDMASTER_WORKERS: '0', LOG_LEVEL: 'info' },
        work ?? tmpdir(),
      );
      children.push(child);
      return { child, port: await listeningPort(child) };
    }),
  );
  const perServer = Math.max(1, Math.round(CONCURRENCY / servers));
  const loadStarted = performance.now();
  const results: LoadResult[] = await Promise.all(
    started.map(({ port }) =>
      runLoad({
        url: `http://127.0.0.1:${port}/api/github/webhooks`,
        secret: SECRET,
        next: planDelivery,
        concurrency: perServer,
        warmupMs: WARMUP_SECONDS * 1000,
        durationMs: SECONDS * 1000,
      }),
    ),
  );
  const latencies = results.flatMap((result) => result.latenciesMs);
  const completed = results.reduce((sum, result) => sum + result.completed, 0);
  const errors = results.reduce((sum, result) => sum + result.errors, 0);
  const atEnd = await stored(database);
  const deadline = Date.now() + 300_000;
  let now = atEnd;
  while (now.handled < now.all && Date.now() < deadline) {
    await delay(50);
    now = await stored(database);
  }
  const drainMs = performance.now() - loadStarted;
  console.log(
    `  ${String(servers)} server(s), ${String(perServer * servers).padStart(3)} connections: ${String(Math.round(completed / SECONDS)).padStart(6)} stored/s   p50 ${fmtMs(percentile(latencies, 50))} ms   p99 ${fmtMs(percentile(latencies, 99))} ms   errors ${errors}   ` +
      `${now.handled}/${now.all} handled ${fmtMs(drainMs)} ms after the load began (${Math.round(now.handled / (drainMs / 1000))} handled/s)`,
  );
  await Promise.all(started.map(({ child }) => stopChild(child)));
}

async function main(): Promise<void> {
  work = await mkdtemp(join(tmpdir(), 'ym-bench-servers-'));
  const fake = spawnNode(
    [join(ROOT, 'bench/webhooks-fake-github.ts')],
    { BENCH_REPO_CONFIG: Buffer.from(CONFIG_YAML).toString('base64') },
    work,
  );
  children.push(fake);
  const githubUrl = `http://127.0.0.1:${await listeningPort(fake)}`;
  const common = {
    APP_ID: '4242',
    PRIVATE_KEY: generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey,
    WEBHOOK_SECRET: SECRET,
    GITHUB_API_URL: githubUrl,
    HOST: '127.0.0.1',
    HOME: work,
  };
  console.log(
    `bench:servers: signed issue_comment deliveries with a plan over ${ORDERS} orders, ${CONCURRENCY} connections in all, ${SECONDS} s after ${WARMUP_SECONDS} s warm-up, loopback, one PostgreSQL`,
  );
  for (const servers of SERVER_COUNTS) await run(servers, common);
}

try {
  await main();
} catch (error) {
  console.error('bench:servers failed:', error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
