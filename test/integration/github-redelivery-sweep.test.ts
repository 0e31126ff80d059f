/**
 * The redelivery sweep at server start against the OpenAPI-validated GitHub stand-in: it pages through the App's
 * recent deliveries as the App (JWT), asks for a bounded number of the failed ones it has not stored (oldest first,
 * only events Yardmaster handles, none that later succeeded), audits each request and never asks twice for one.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createYardmasterApp, type YardmasterAppOptions } from '../../src/app.ts';
import { verifyAuditChain } from '../../src/db/audit-log.ts';
import { auditLog } from '../../src/db/schema.ts';
import { storeDelivery } from '../../src/github/delivery-log.ts';
import { REDELIVERY_AUDIT_ACTION, type RedeliverySweepResult } from '../../src/github/redelivery-sweep.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestApp, type TestApp } from '../helpers/github-app-server.ts';
import { startFakeGitHubApi, type FakeGitHubApi } from '../helpers/github-fake-api.ts';
import { formatViolations } from '../helpers/github-openapi.ts';
import { defaultPolicySource } from '../../src/policy/index.ts';
import { openQueue } from '../../src/dispatch/queue.ts';
import { RUNTIME_QUEUES, type RuntimeQueue } from '../../src/runtime/runtime-queues.ts';

const DELIVERIES = 'GET /app/hook/deliveries';
const REDELIVER = 'POST /app/hook/deliveries/{delivery_id}/attempts';
const INSTALLATION_ID = 4242;

let fake: FakeGitHubApi;
let test: TestDatabase;
let queue: RuntimeQueue;

/** GitHub's record of one delivery attempt, as `GET /app/hook/deliveries` lists them. */
function attempt(
  id: number,
  guid: string,
  statusCode: number,
  event: string,
  action: string | null,
  minutesAgo: number,
  redelivery = false,
): Record<string, unknown> {
  return {
    id,
    guid,
    delivered_at: new Date(Date.now() - minutesAgo * 60_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    redelivery,
    duration: 0.31,
    status: statusCode === 0 ? 'failed to connect' : statusCode < 400 ? 'OK' : 'Internal Server Error',
    status_code: statusCode,
    event,
    action,
    installation_id: INSTALLATION_ID,
    repository_id: 1296269,
    throttled_at: null,
  };
}

const G = Object.fromEntries(
  ['stored', 'oldFailed', 'starFailed', 'connectFailed', 'newFailed', 'laterOk', 'ok', 'ancient'].map((name) => [
    name,
    randomUUID(),
  ]),
);
function guid(name: string): string {
  const value = G[name];
  if (value === undefined) throw new Error(`no guid ${name}`);
  return value;
}

/** Two pages, newest first, as GitHub lists them. */
const PAGES = [
  [
    attempt(109, guid('laterOk'), 200, 'issue_comment', 'created', 5, true),
    attempt(108, guid('newFailed'), 500, 'issues', 'opened', 10),
    attempt(107, guid('ok'), 200, 'issues', 'opened', 20),
    attempt(106, guid('connectFailed'), 0, 'issue_comment', 'created', 30),
    attempt(105, guid('starFailed'), 502, 'star', 'created', 40),
  ],
  [
    attempt(104, guid('laterOk'), 503, 'issue_comment', 'created', 50),
    attempt(103, guid('oldFailed'), 503, 'pull_request_review', 'submitted', 60),
    attempt(102, guid('stored'), 500, 'issues', 'opened', 70),
    // Older than GitHub's three days of redeliveries.
    attempt(101, guid('ancient'), 500, 'issues', 'opened', 4 * 24 * 60),
  ],
];

const apps: TestApp[] = [];

async function startOnce(options: YardmasterAppOptions['redeliveries'] = {}): Promise<RedeliverySweepResult> {
  const results: RedeliverySweepResult[] = [];
  const yardmaster = createYardmasterApp(
    {
      service: { db: test.database.db, queue, policy: defaultPolicySource({ artifactsDir: '/nonexistent' }) },
      publicUrl: 'https://yardmaster.example.com',
    },
    { redeliveries: { ...options, onSwept: (result) => results.push(result) } },
  );
  const app = await startTestApp(fake, { app: yardmaster.load });
  apps.push(app);
  await yardmaster.swept();
  await app.close();
  await yardmaster.close();
  const [result, ...more] = results;
  expect(more).toEqual([]);
  if (result === undefined) throw new Error('no sweep at start');
  return result;
}

function redelivered(): string[] {
  return fake.requestsTo(REDELIVER).map((request) => request.pathParams.delivery_id ?? '');
}

beforeAll(async () => {
  fake = await startFakeGitHubApi();
  test = await openTestDatabase('postgres');
  queue = await openQueue(test.database, { queues: RUNTIME_QUEUES, onError: () => undefined });
  fake.handle(DELIVERIES, (request) => {
    const page = request.query.cursor === 'page-2' ? 1 : 0;
    const next =
      page === 0
        ? {
            link:
              `<${fake.baseUrl}/app/hook/deliveries?per_page=${request.query.per_page ?? ''}` +
              '&cursor=page-2>; rel="next"',
          }
        : undefined;
    return { status: 200, body: PAGES[page] ?? [], ...(next === undefined ? {} : { headers: next }) };
  });
  fake.handle(REDELIVER, () => ({ status: 202, body: {} }));
  await storeDelivery(test.database.db, {
    id: guid('stored'),
    event: 'issues',
    action: 'opened',
    installationId: INSTALLATION_ID,
    subjectKey: 'Codertocat/Hello-World#1',
    payload: {},
  });
}, 60_000);

afterAll(async () => {
  await queue?.stop({ timeoutMs: 5_000 });
  await fake?.close();
  await test?.cleanup();
});

afterEach(() => {
  for (const app of apps.splice(0)) {
    expect(
      app.validation.violations.map(
        (record) => `${record.method} ${record.url}\n${formatViolations(record.violations)}`,
      ),
    ).toEqual([]);
  }
  expect(
    fake.violations().map((request) => `${request.method} ${request.path}\n${formatViolations(request.violations)}`),
  ).toEqual([]);
});

describe('the redelivery sweep at start', () => {
  it('asks, as the App, for failed deliveries not stored: oldest first, a bounded number a time, once each', async () => {
    const first = await startOnce({ bounds: { maxRedeliveries: 2 } });
    expect(first).toEqual({
      listed: 9,
      requested: [guid('oldFailed'), guid('connectFailed')],
      refused: [],
      leftOver: 1,
    });
    expect(redelivered()).toEqual(['103', '106']);
    const lists = fake.requestsTo(DELIVERIES);
    expect(lists.map((request) => request.query)).toEqual([{ per_page: '100' }, { per_page: '100', cursor: 'page-2' }]);
    for (const request of [...lists, ...fake.requestsTo(REDELIVER)])
      expect(request.headers.authorization).toMatch(/^bearer [\w-]+\.[\w-]+\.[\w-]+$/i);

    // The next start asks for the one left over, and only for it; the one after asks for nothing.
    const second = await startOnce({ bounds: { maxRedeliveries: 2 } });
    expect(second).toMatchObject({ requested: [guid('newFailed')], leftOver: 0 });
    const third = await startOnce();
    expect(third).toMatchObject({ requested: [], leftOver: 0 });
    expect(redelivered()).toEqual(['103', '106', '108']);

    const rows = await test.database.db.select().from(auditLog).where(eq(auditLog.action, REDELIVERY_AUDIT_ACTION));
    expect(rows.map((row) => row.data)).toEqual([
      expect.objectContaining({
        delivery: guid('oldFailed'),
        hookDeliveryId: 103,
        event: 'pull_request_review',
        action: 'submitted',
        statusCode: 503,
      }),
      expect.objectContaining({ delivery: guid('connectFailed'), hookDeliveryId: 106, statusCode: 0 }),
      expect.objectContaining({ delivery: guid('newFailed'), hookDeliveryId: 108 }),
    ]);
    expect(rows.every((row) => row.actor === 'yardmaster')).toBe(true);
    expect(await verifyAuditChain(test.database.db)).toMatchObject({ ok: true, rows: 3 });
  });

  it('sweeps with no one listening for the result, as the server does', async () => {
    const before = fake.requestsTo(DELIVERIES).length;
    const yardmaster = createYardmasterApp(
      {
        service: { db: test.database.db, queue, policy: defaultPolicySource({ artifactsDir: '/nonexistent' }) },
        publicUrl: 'https://yardmaster.example.com',
      },
      { redeliveries: {} },
    );
    const app = await startTestApp(fake, { app: yardmaster.load });
    apps.push(app);
    await yardmaster.swept();
    await app.close();
    await yardmaster.close();
    expect(fake.requestsTo(DELIVERIES).length - before).toBe(2);
  });

  it('reads no more pages than its bound; a refused request is recorded and not made again', async () => {
    const before = fake.requestsTo(DELIVERIES).length;
    PAGES[0]?.push(attempt(100, randomUUID(), 500, 'issues', 'closed', 45));
    fake.handle(REDELIVER, () => ({
      status: 422,
      body: { message: 'Validation Failed', documentation_url: 'https://docs.github.com/rest' },
    }));
    const result = await startOnce({ bounds: { maxPages: 1 } });
    expect(fake.requestsTo(DELIVERIES).length - before).toBe(1);
    expect(result).toMatchObject({ listed: 6, requested: [], leftOver: 0 });
    expect(result.refused).toHaveLength(1);
    expect((await startOnce({ bounds: { maxPages: 1 } })).refused).toEqual([]);
  });
});
