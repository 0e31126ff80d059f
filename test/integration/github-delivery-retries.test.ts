/**
 * Deliveries that survive outages: a delivery whose handling meets GitHub answering 502, or the database going away
 * mid-handling, is tried again from its stored payload until it works, holding the later deliveries of its issue
 * behind it; one that fails for good is reported on its issue; a delivery that could not be stored (GitHub recorded
 * it as failed) is asked for again once the database is back. Real Probot, PostgreSQL (made unavailable by refusing
 * connections to the test's own database and ending its sessions) and the OpenAPI-validated GitHub stand-in.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { pino } from 'pino';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createYardmasterApp, type YardmasterApp, type YardmasterAppOptions } from '../../src/app.ts';
import type { HostEntry } from '../../src/config/types.ts';
import { auditLog, webhookDeliveries } from '../../src/db/schema.ts';
import { REDELIVERY_AUDIT_ACTION } from '../../src/github/redelivery-sweep.ts';
import type { RedeliverySweepResult } from '../../src/github/redelivery-sweep.ts';
import { createAppProbot } from '../../src/server/create-app-probot.ts';
import { startAppServer, type RunningServer } from '../../src/server/start-app-server.ts';
import { findWorkOrder } from '../../src/workorders/service/index.ts';
import { MAINTENANCE_URL } from '../helpers/database.ts';
import { generateAppPrivateKey, testOctokit } from '../helpers/github-app-server.ts';
import type { RecordedRequest } from '../helpers/github-fake-api.ts';
import { createValidationLog, type OpenApiValidationLog } from '../helpers/github-openapi-hook.ts';
import { formatViolations } from '../helpers/github-openapi.ts';
import { deliver, type DeliveryResponse, type WebhookPayload } from '../helpers/github-webhooks.ts';
import {
  bodyText,
  commentsMatching,
  formBody,
  githubRequestCheck,
  INSTALLATION,
  issueComment,
  issueOpened,
  repoConfigYaml,
  REPO_FULL_NAME,
  ROUTES,
  startHarness,
  type Harness,
} from '../helpers/github-workorder-harness.ts';
import { planComment, waitFor } from '../helpers/workorder-fixtures.ts';

const HOSTS: HostEntry[] = [1, 2].map((n) => ({ name: `web-${n}`, address: `10.0.0.${n}`, port: 22, executor: 'ssh' }));
const FORM = formBody({ requirement: 'Ship it', planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' });
const PLAN = planComment({
  environment: 'production',
  version: '1.2.3',
  url: 'https://artifacts.example.com/shop-1.2.3.tar.gz',
  sha256: 'a'.repeat(64),
});
/** Short waits: the tests watch what is retried and in which order, not how long the waits are. */
const RETRY = { firstDelayMs: 50, maxDelayMs: 200, giveUpAfterMs: 120_000 };
const DELIVERIES = 'GET /app/hook/deliveries';
const REDELIVER = 'POST /app/hook/deliveries/{delivery_id}/attempts';

let harness: Harness;
let nextComment = 20_000;

/** A Yardmaster server of the test's own over the harness's database and GitHub stand-in. */
interface OwnApp {
  yardmaster: YardmasterApp;
  server: RunningServer;
  secret: string;
  validation: OpenApiValidationLog;
  close(): Promise<void>;
}

const started: OwnApp[] = [];

/**
 * Like startTestApp, but with Yardmaster's options and Octokit's own retries of a 5xx 1 ms apart instead of 1 s
 * (GitHub answering 502 longer than Octokit retries is what the inbox's retries are for).
 */
async function startOwnApp(options: YardmasterAppOptions): Promise<OwnApp> {
  const validation = createValidationLog();
  const secret = randomBytes(20).toString('hex');
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const yardmaster = createYardmasterApp({ service: harness.deps, publicUrl: harness.publicUrl }, options);
  const probot = createAppProbot({
    appId: 123456,
    privateKey: generateAppPrivateKey(),
    webhookSecret: secret,
    githubApiUrl: harness.fake.baseUrl,
    log,
    Octokit: testOctokit(validation).defaults({ retry: { retryAfterBaseValue: 1 } }),
  });
  const server = await startAppServer({
    probot,
    app: yardmaster.load,
    port: 0,
    host: '127.0.0.1',
    webhookPath: '/api/github/webhooks',
    log,
    closeGraceMs: 2000,
  });
  const own: OwnApp = {
    yardmaster,
    server,
    secret,
    validation,
    async close() {
      await server.close();
      await yardmaster.close();
    },
  };
  started.push(own);
  return own;
}

function post(
  app: OwnApp,
  event: string,
  payload: WebhookPayload,
  id: string = randomUUID(),
): Promise<DeliveryResponse> {
  return deliver(app.server, { event, payload, secret: app.secret, id });
}

async function deliveryRow(id: string): Promise<typeof webhookDeliveries.$inferSelect | undefined> {
  const [row] = await harness.deps.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, id));
  return row;
}

/**
 * The delivery's status, or undefined while the test's own pool still meets the database's refusal: a connection
 * that began to open while connections were off ends refused even after they are on again, and takes the queries
 * queued on it along.
 */
async function statusOnceReachable(id: string): Promise<string | undefined> {
  try {
    return (await deliveryRow(id))?.status;
  } catch (error) {
    const cause = error instanceof Error ? error.cause : undefined;
    const code: unknown = cause instanceof Error && 'code' in cause ? cause.code : undefined;
    if (code === '55000' || code === '57P01') return undefined;
    throw error;
  }
}

/** Bodies of the comments GitHub accepted on issue `number`, in order. */
function acceptedComments(number: number): string[] {
  return harness.fake
    .requestsTo(ROUTES.comments)
    .filter((request) => request.pathParams.issue_number === String(number) && request.status === 201)
    .map(bodyText);
}

/** A session on the maintenance database, to make the test's own database unavailable and available again. */
function databaseSwitch(): { off(): Promise<void>; on(): Promise<void>; end(): Promise<void> } {
  const admin = postgres(MAINTENANCE_URL, { max: 1, onnotice: () => undefined });
  const name = new URL(harness.test.url ?? '').pathname.slice(1);
  if (!/^ym_[0-9a-f]+$/.test(name)) throw new Error(`not a test database: ${name}`);
  return {
    async off() {
      await admin.unsafe(`alter database "${name}" allow_connections false`);
      await admin`select pg_terminate_backend(pid) from pg_stat_activity
                  where datname = ${name} and pid <> pg_backend_pid()`;
    },
    async on() {
      await admin.unsafe(`alter database "${name}" allow_connections true`);
    },
    end: () => admin.end({ timeout: 5 }),
  };
}

/** GitHub's record of one delivery, as `GET /app/hook/deliveries` lists them. */
function hookDelivery(
  id: number,
  guid: string,
  statusCode: number,
  event: string,
  action: string | null,
  deliveredAt: Date,
  redelivery = false,
): Record<string, unknown> {
  return {
    id,
    guid,
    delivered_at: deliveredAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    redelivery,
    duration: 0.27,
    status: statusCode === 0 ? 'failed to connect' : statusCode < 400 ? 'OK' : 'Internal Server Error',
    status_code: statusCode,
    event,
    action,
    installation_id: INSTALLATION.id,
    repository_id: 1296269,
    throttled_at: null,
  };
}

/** What the stand-in lists as the App's deliveries: pages in order (the first without a cursor). */
const hookPages: Record<string, unknown>[][] = [[]];

beforeAll(async () => {
  harness = await startHarness({
    configYaml: repoConfigYaml(HOSTS, 'production: { hosts: [web], approvals: 2, approvers: [team:ops] }'),
    workDir: '/nonexistent',
  });
  harness.fake.handle(DELIVERIES, (request) => {
    const page = Number(request.query.cursor ?? '0');
    const next =
      page + 1 < hookPages.length
        ? `<${harness.fake.baseUrl}/app/hook/deliveries?per_page=${request.query.per_page ?? ''}` +
          `&cursor=${page + 1}>; rel="next"`
        : undefined;
    return { status: 200, body: hookPages[page] ?? [], ...(next === undefined ? {} : { headers: { link: next } }) };
  });
  harness.fake.handle(REDELIVER, () => ({ status: 202, body: {} }));
}, 60_000);

afterAll(async () => {
  for (const app of started) await app.close();
  await harness?.close();
});

afterEach(() => {
  for (const app of started) {
    const refused = app.validation.violations.splice(0);
    expect(refused.map((record) => `${record.method} ${record.url}\n${formatViolations(record.violations)}`)).toEqual(
      [],
    );
  }
});
afterEach(githubRequestCheck(() => harness));

describe('GitHub answering 502, then 200', () => {
  it('tries again until GitHub answers; later deliveries of its issue wait behind, other issues go on', async () => {
    const app = await startOwnApp({ retry: RETRY });
    await post(app, 'issues', issueOpened(80, 'pam', FORM));
    await post(app, 'issues', issueOpened(81, 'pam', FORM));
    await app.yardmaster.idle();
    const original = harness.fake.handlerOf(ROUTES.comments);
    if (original === undefined) throw new Error('no comments handler');
    let failing = true;
    harness.fake.handle(ROUTES.comments, (request) =>
      failing && request.pathParams.issue_number === '80'
        ? { status: 502, body: { message: 'Bad Gateway' } }
        : original(request),
    );
    const status = randomUUID();
    const plan = randomUUID();
    try {
      expect((await post(app, 'issue_comment', issueComment(80, nextComment++, 'pam', '/status'), status)).status).toBe(
        200,
      );
      const retrying = await waitFor('two failed attempts', async () => {
        const row = await deliveryRow(status);
        return row?.status === 'retrying' && row.attempts >= 2 ? row : undefined;
      });
      expect(retrying.error).toMatch(/Bad Gateway|502/);
      expect(retrying.payload).not.toBeNull();
      // The plan comment for the same issue waits, stored, behind the /status; issue 81 goes on.
      expect((await post(app, 'issue_comment', issueComment(80, nextComment++, 'carol', PLAN), plan)).status).toBe(200);
      expect((await post(app, 'issue_comment', issueComment(81, nextComment++, 'pam', '/status'))).status).toBe(200);
      await commentsMatching(harness, 81, /Work order #81: /);
      expect((await deliveryRow(plan))?.status).toBe('received');
      expect(acceptedComments(80).some((body) => /Plan v\d+ checked/.test(body))).toBe(false);
    } finally {
      failing = false;
    }
    await app.yardmaster.idle();
    harness.fake.handle(ROUTES.comments, original);
    const replies = acceptedComments(80);
    const statusAt = replies.findIndex((body) => body.includes('Work order #80: '));
    const planAt = replies.findIndex((body) => /Plan v\d+ checked/.test(body));
    expect(statusAt).toBeGreaterThanOrEqual(0);
    expect(planAt).toBeGreaterThan(statusAt);
    expect(replies.filter((body) => body.includes('Work order #80: '))).toHaveLength(1);
    expect(await deliveryRow(status)).toMatchObject({ status: 'handled', payload: null, nextAttemptAt: null });
    expect((await deliveryRow(status))?.attempts).toBeGreaterThanOrEqual(2);
    expect((await deliveryRow(plan))?.status).toBe('handled');
    expect(
      harness.fake
        .requestsTo(ROUTES.comments)
        .some((request) => request.pathParams.issue_number === '80' && request.status === 502),
    ).toBe(true);
  });
});

describe('retries across a restart', () => {
  it('a stopped process leaves its retry stored; the next takes it up, before the deliveries behind it', async () => {
    const before = await startOwnApp({ retry: RETRY });
    await post(before, 'issues', issueOpened(86, 'pam', FORM));
    await before.yardmaster.idle();
    const original = harness.fake.handlerOf(ROUTES.comments);
    if (original === undefined) throw new Error('no comments handler');
    harness.fake.handle(ROUTES.comments, (request) =>
      request.pathParams.issue_number === '86'
        ? { status: 503, body: { message: 'Service Unavailable' } }
        : original(request),
    );
    const status = randomUUID();
    const plan = randomUUID();
    try {
      expect(
        (await post(before, 'issue_comment', issueComment(86, nextComment++, 'pam', '/status'), status)).status,
      ).toBe(200);
      await waitFor('a retry', async () => ((await deliveryRow(status))?.status === 'retrying' ? true : undefined));
      expect((await post(before, 'issue_comment', issueComment(86, nextComment++, 'carol', PLAN), plan)).status).toBe(
        200,
      );
      await before.close();
      // Stopped: nothing tries the stored retry any more.
      const stored = await deliveryRow(status);
      // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest's asymmetric matchers are typed any
      expect(stored).toMatchObject({ status: 'retrying', payload: expect.anything() });
      expect(stored?.attempts).toBeGreaterThanOrEqual(1);
      expect(stored?.nextAttemptAt).toBeInstanceOf(Date);
      expect((await deliveryRow(plan))?.status).toBe('received');
    } finally {
      harness.fake.handle(ROUTES.comments, original);
    }
    const attemptsBefore = (await deliveryRow(status))?.attempts ?? 0;
    const after = await startOwnApp({ retry: RETRY });
    await after.yardmaster.idle();
    const replies = acceptedComments(86);
    const statusAt = replies.findIndex((body) => body.includes('Work order #86: '));
    const planAt = replies.findIndex((body) => /Plan v\d+ checked/.test(body));
    expect(statusAt).toBeGreaterThanOrEqual(0);
    expect(planAt).toBeGreaterThan(statusAt);
    expect(await deliveryRow(status)).toMatchObject({ status: 'handled', attempts: attemptsBefore });
    expect((await deliveryRow(plan))?.status).toBe('handled');
  });
});

describe('a delivery that keeps failing for a passing reason', () => {
  it('is given up once its time is up, and reported on its issue', async () => {
    const app = await startOwnApp({ retry: { firstDelayMs: 20, maxDelayMs: 50, giveUpAfterMs: 400 } });
    const config = harness.fake.handlerOf(ROUTES.contents);
    if (config === undefined) throw new Error('no contents handler');
    harness.fake.handle(ROUTES.contents, () => ({ status: 503, body: { message: 'Service Unavailable' } }));
    const id = randomUUID();
    try {
      expect((await post(app, 'issues', issueOpened(87, 'pam', FORM), id)).status).toBe(200);
      await app.yardmaster.idle();
    } finally {
      harness.fake.handle(ROUTES.contents, config);
    }
    const row = await deliveryRow(id);
    expect(row?.status).toBe('failed');
    expect(row?.attempts).toBeGreaterThanOrEqual(2);
    expect(row?.error).toMatch(/Service Unavailable|503/);
    expect(await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number: 87 })).toBeUndefined();
    const [report, ...more] = acceptedComments(87);
    expect(more).toEqual([]);
    expect(report).toContain(id);
    expect(report).toMatch(/for as long as it tries, and is given up/);
  });
});

describe('a delivery that fails for a reason retrying cannot fix', () => {
  it('is tried once, marked failed and reported on its issue', async () => {
    const app = await startOwnApp({ retry: RETRY });
    await post(app, 'issues', issueOpened(82, 'pam', FORM));
    await app.yardmaster.idle();
    const original = harness.fake.handlerOf(ROUTES.comments);
    if (original === undefined) throw new Error('no comments handler');
    let refusals = 0;
    harness.fake.handle(ROUTES.comments, (request) => {
      if (request.pathParams.issue_number !== '82' || refusals > 0) return original(request);
      refusals++;
      return { status: 422, body: { message: 'Validation Failed', documentation_url: 'https://docs.github.com/rest' } };
    });
    const id = randomUUID();
    try {
      expect((await post(app, 'issue_comment', issueComment(82, nextComment++, 'pam', '/status'), id)).status).toBe(
        200,
      );
      await app.yardmaster.idle();
    } finally {
      harness.fake.handle(ROUTES.comments, original);
    }
    const row = await deliveryRow(id);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row?.error).toMatch(/Validation Failed/);
    const [report, ...more] = acceptedComments(82).filter((body) => body.includes(id));
    expect(more).toEqual([]);
    expect(report).toMatch(/could not handle GitHub's `issue_comment\.created` event/);
    expect(report).toMatch(/Validation Failed/);
    expect(report).toMatch(/Trying again cannot fix this/);
  });
});

describe('the database unavailable in the middle of handling, and deliveries it could not store', () => {
  it('finishes the delivery once the database is back, and asks GitHub again for the one refused', async () => {
    const sweeps: RedeliverySweepResult[] = [];
    const app = await startOwnApp({
      retry: RETRY,
      redeliveries: { probeIntervalMs: 100, recoveryDelayMs: 0, onSwept: (result) => sweeps.push(result) },
    });
    await waitFor('the sweep at start', () => Promise.resolve(sweeps.length >= 1 ? true : undefined), 10_000);
    expect(sweeps[0]).toMatchObject({ requested: [] });
    // Redelivery as GitHub does it: the same delivery id and payload, sent again.
    const refused = new Map<number, { guid: string; payload: WebhookPayload }>();
    harness.fake.handle(REDELIVER, (request) => {
      const entry = refused.get(Number(request.pathParams.delivery_id));
      if (entry === undefined)
        return {
          status: 422,
          body: { message: 'Validation Failed', documentation_url: 'https://docs.github.com/rest' },
        };
      void post(app, 'issues', entry.payload, entry.guid);
      return { status: 202, body: {} };
    });

    // The handler of issue 84's delivery is held on its config read while the database goes away.
    const config = harness.fake.handlerOf(ROUTES.contents);
    if (config === undefined) throw new Error('no contents handler');
    let arrived = (): void => undefined;
    const held = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    harness.fake.handle(ROUTES.contents, async (request: RecordedRequest) => {
      harness.fake.handle(ROUTES.contents, config);
      arrived();
      await gate;
      return config(request);
    });
    const database = databaseSwitch();
    const guid = randomUUID();
    const during = issueOpened(85, 'pam', FORM);
    try {
      const first = randomUUID();
      expect((await post(app, 'issues', issueOpened(84, 'pam', FORM), first)).status).toBe(200);
      await held;
      await database.off();
      // Stored it cannot be: GitHub gets an error and records the delivery as failed.
      const answer = await post(app, 'issues', during, guid);
      expect(answer.status).toBeGreaterThanOrEqual(500);
      refused.set(7001, { guid, payload: during });
      hookPages[0] = [hookDelivery(7001, guid, answer.status, 'issues', 'opened', new Date())];
      release();
      // The handler meets the database gone; attempts go on failing while it stays away.
      await new Promise((resolve) => setTimeout(resolve, 600));
      await database.on();
      await waitFor(
        'the handled delivery',
        async () => ((await statusOnceReachable(first)) === 'handled' ? true : undefined),
        20_000,
      );
      expect((await deliveryRow(first))?.attempts).toBeGreaterThanOrEqual(1);
    } finally {
      release();
      await database.on();
      await database.end();
    }
    await harness.fake.waitForRequests(REDELIVER, { timeoutMs: 20_000 });
    await waitFor(
      'the redelivered delivery',
      async () => ((await statusOnceReachable(guid)) === 'handled' ? true : undefined),
      20_000,
    );
    await app.yardmaster.idle();
    expect(await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number: 84 })).toMatchObject({
      state: 'requested',
    });
    expect(await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number: 85 })).toMatchObject({
      state: 'requested',
    });
    expect(acceptedComments(84).filter((body) => body.includes('Work order received'))).toHaveLength(1);
    expect(acceptedComments(85).filter((body) => body.includes('Work order received'))).toHaveLength(1);
    const [request, ...again] = harness.fake.requestsTo(REDELIVER);
    expect(again).toEqual([]);
    expect(request?.pathParams.delivery_id).toBe('7001');
    expect(request?.headers.authorization).toMatch(/^bearer [\w-]+\.[\w-]+\.[\w-]+$/i);
    const audited = await harness.deps.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, REDELIVERY_AUDIT_ACTION), sql`${auditLog.data}->>'delivery' = ${guid}`));
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({
      actor: 'yardmaster',
      // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest's asymmetric matchers are typed any
      data: expect.objectContaining({ hookDeliveryId: 7001, event: 'issues', action: 'opened' }),
    });
    hookPages[0] = [];
  });
});
