/**
 * The webhook inbox over HTTP: GitHub's answer waits only for the delivery to be stored; the handling follows, in
 * order per issue and side by side across issues; deliveries left unhandled by a stopped process are handled by the
 * next; a failed one is handled again when GitHub redelivers it. Real Probot, PostgreSQL and example payloads.
 */
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createYardmasterApp } from '../../src/app.ts';
import type { HostEntry } from '../../src/config/types.ts';
import { webhookDeliveries } from '../../src/db/schema.ts';
import { claimDelivery, storeDelivery } from '../../src/github/delivery-log.ts';
import { subjectKeyOf } from '../../src/github/delivery-subject.ts';
import { findWorkOrder } from '../../src/workorders/service/index.ts';
import { startTestApp } from '../helpers/github-app-server.ts';
import type { FakeRouteHandler, RecordedRequest } from '../helpers/github-fake-api.ts';
import { deliver, type WebhookPayload } from '../helpers/github-webhooks.ts';
import {
  bodyText,
  commentsMatching,
  formBody,
  INSTALLATION,
  issueComment,
  issueOpened,
  repoConfigYaml,
  REPO_FULL_NAME,
  ROUTES,
  send,
  githubRequestCheck,
  startHarness,
  type Harness,
} from '../helpers/github-workorder-harness.ts';
import { planComment, waitFor } from '../helpers/workorder-fixtures.ts';

const HOSTS: HostEntry[] = [1, 2, 3].map((n) => ({
  name: `web-${n}`,
  address: `10.0.0.${n}`,
  port: 22,
  executor: 'ssh',
}));
let harness: Harness;
let nextComment = 9000;

beforeAll(async () => {
  harness = await startHarness({
    configYaml: repoConfigYaml(HOSTS, 'production: { hosts: [web], approvals: 2, approvers: [team:ops] }'),
    workDir: '/nonexistent',
  });
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

afterEach(githubRequestCheck(() => harness));

const FORM = formBody({ requirement: 'Ship it', planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' });
const PLAN = planComment({
  environment: 'production',
  version: '1.2.3',
  url: 'https://artifacts.example.com/shop-1.2.3.tar.gz',
  sha256: 'a'.repeat(64),
});

/** Sends a signed delivery without waiting for its handling (as GitHub sees it). */
function post(event: string, payload: WebhookPayload, id?: string): ReturnType<typeof deliver> {
  return deliver(harness.app.server, {
    event,
    payload,
    secret: harness.app.secret,
    ...(id === undefined ? {} : { id }),
  });
}

async function deliveryRow(id: string): Promise<typeof webhookDeliveries.$inferSelect | undefined> {
  const [row] = await harness.deps.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, id));
  return row;
}

/**
 * Holds the requests to `route` that `hold` picks until the returned release is called; the rest pass. Puts the
 * route's handler back on release.
 */
function holdRequests(
  route: string,
  hold: (request: RecordedRequest) => boolean,
): { held: Promise<void>; release(): void } {
  const original: FakeRouteHandler | undefined = harness.fake.handlerOf(route);
  if (original === undefined) throw new Error(`no handler for ${route}`);
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let arrived = (): void => undefined;
  const held = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  harness.fake.handle(route, async (request) => {
    if (hold(request)) {
      arrived();
      await gate;
    }
    return original(request);
  });
  return {
    held,
    release() {
      harness.fake.handle(route, original);
      release();
    },
  };
}

function commentsOn(number: number): string[] {
  return harness.fake
    .requestsTo(ROUTES.comments)
    .filter((request) => request.pathParams.issue_number === String(number))
    .map(bodyText);
}

describe('the webhook answer', () => {
  it('comes once the delivery is stored, before the handler has talked to GitHub', async () => {
    const id = 'a0000000-0000-4000-8000-000000000070';
    const config = holdRequests(ROUTES.contents, () => true);
    try {
      const response = await post('issues', issueOpened(70, 'pam', FORM), id);
      expect(response.status).toBe(200);
      // The handler has asked GitHub for the repo config and waits for it: nothing is decided yet.
      await config.held;
      expect((await deliveryRow(id))?.status).toBe('handling');
      expect(await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number: 70 })).toBeUndefined();
      expect(commentsOn(70)).toEqual([]);
    } finally {
      config.release();
    }
    await harness.yardmaster.idle();
    expect(await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number: 70 })).toMatchObject({
      requester: 'pam',
      state: 'requested',
    });
    expect(commentsOn(70).join('\n')).toMatch(/Work order received/);
    const row = await deliveryRow(id);
    expect(row).toMatchObject({
      status: 'handled',
      event: 'issues',
      action: 'opened',
      installationId: INSTALLATION.id,
      subjectKey: `${REPO_FULL_NAME}#70`,
      payload: null,
    });
  });
});

describe('order of handling', () => {
  it('handles the deliveries of one issue in the order sent, while another issue goes on', async () => {
    await send(harness, 'issues', issueOpened(71, 'pam', FORM));
    await send(harness, 'issues', issueOpened(72, 'pam', FORM));
    // The plan's handler is held on its config read; the approvals sent after it must wait for it.
    let first = true;
    const plan = holdRequests(ROUTES.contents, () => {
      const hold = first;
      first = false;
      return hold;
    });
    try {
      expect((await post('issue_comment', issueComment(71, nextComment++, 'carol', PLAN))).status).toBe(200);
      await plan.held;
      const approvals = [nextComment++, nextComment++];
      expect((await post('issue_comment', issueComment(71, approvals[0] ?? 0, 'dave', '/approve'))).status).toBe(200);
      expect((await post('issue_comment', issueComment(71, approvals[1] ?? 0, 'erin', '/approve'))).status).toBe(200);
      // Another issue is not held up by the first one's wait.
      expect((await post('issue_comment', issueComment(72, nextComment++, 'pam', '/status'))).status).toBe(200);
      await commentsMatching(harness, 72, /Work order #72: /);
      expect(commentsOn(71).some((body) => /Plan v\d+ checked/.test(body))).toBe(false);
    } finally {
      plan.release();
    }
    await harness.yardmaster.idle();
    const replies = commentsOn(71);
    const planAt = replies.findIndex((body) => /Plan v\d+ checked/.test(body));
    expect(planAt).toBeGreaterThanOrEqual(0);
    expect(replies.slice(planAt + 1).join('\n')).not.toMatch(/refused/);
    const order = await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number: 71 });
    expect(order?.state).toBe('approved');
  });
});

describe('deliveries left behind', () => {
  it('are handled by the next process: stored but not taken, and taken by a process that stopped', async () => {
    const waiting = issueOpened(73, 'pam', FORM);
    const cutOff = issueOpened(74, 'pam', FORM);
    const store = (id: string, payload: WebhookPayload): Promise<number | undefined> =>
      storeDelivery(harness.deps.db, {
        id,
        event: 'issues',
        action: 'opened',
        installationId: INSTALLATION.id,
        subjectKey: subjectKeyOf(payload),
        payload,
      });
    await store('b0000000-0000-4000-8000-000000000073', waiting);
    const taken = await store('b0000000-0000-4000-8000-000000000074', cutOff);
    expect(taken).toBeDefined();
    expect(await claimDelivery(harness.deps.db, taken ?? 0)).toBeDefined();

    const next = createYardmasterApp({ service: harness.deps, publicUrl: harness.publicUrl });
    const app = await startTestApp(harness.fake, { app: next.load });
    try {
      await next.idle();
      expect(commentsOn(73).join('\n')).toMatch(/Work order received/);
      expect(commentsOn(74).join('\n')).toMatch(/Work order received/);
      expect((await deliveryRow('b0000000-0000-4000-8000-000000000073'))?.status).toBe('handled');
      expect((await deliveryRow('b0000000-0000-4000-8000-000000000074'))?.status).toBe('handled');
      expect(app.validation.violations).toEqual([]);
    } finally {
      await app.close();
      await next.close();
    }
  });
});

describe('a delivery whose handling failed', () => {
  it('is recorded as failed and handled when GitHub redelivers it', async () => {
    await send(harness, 'issues', issueOpened(75, 'pam', FORM));
    const id = 'c0000000-0000-4000-8000-000000000075';
    const payload = issueComment(75, nextComment++, 'pam', '/status');
    const original = harness.fake.handlerOf(ROUTES.comments);
    if (original === undefined) throw new Error('no comments handler');
    harness.fake.handle(ROUTES.comments, (request) =>
      request.pathParams.issue_number === '75'
        ? { status: 422, body: { message: 'Validation Failed', documentation_url: 'https://docs.github.com' } }
        : original(request),
    );
    try {
      expect((await send(harness, 'issue_comment', payload, id)).status).toBe(200);
      const failed = await deliveryRow(id);
      expect(failed?.status).toBe('failed');
      expect(failed?.error).toMatch(/Validation Failed/);
      expect(failed?.payload).not.toBeNull();
    } finally {
      harness.fake.handle(ROUTES.comments, original);
    }
    expect((await send(harness, 'issue_comment', payload, id)).status).toBe(200);
    expect((await deliveryRow(id))?.status).toBe('handled');
    await waitFor(
      'the /status answer',
      () => Promise.resolve(commentsOn(75).some((body) => body.includes('Work order #75: ')) ? true : undefined),
      5_000,
    );
  });
});
