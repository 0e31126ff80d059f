/**
 * Slack approvals over HTTP: signed interaction requests to the running server's `/slack/events` (Bolt's receiver),
 * Bolt's Web API client pointed at a local recorder; the same work-order service as GitHub decides. Plans and
 * GitHub approvals come as signed webhook deliveries of real example payloads; GitHub requests are validated.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry } from '../../src/config/types.ts';
import { approvals } from '../../src/db/schema.ts';
import { findWorkOrder, type WorkOrder } from '../../src/workorders/service/index.ts';
import { recordPreflightResult } from '../../src/workorders/service/preflight-store.ts';
import {
  bodyText,
  commentsMatching,
  formBody,
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
import { startSlackApiRecorder, type SlackApiRecorder, type SlackCall } from '../helpers/slack-api-recorder.ts';
import { expectValidBlocks, expectValidModal } from '../helpers/slack-block-kit.ts';
import { buttonClick, postEvent, postInteraction, rejectSubmissionPayload } from '../helpers/slack-requests.ts';
import { planComment } from '../helpers/workorder-fixtures.ts';

const HOSTS: HostEntry[] = [1, 2, 3].map((n) => ({
  name: `web-${n}`,
  address: `10.0.0.${n}`,
  port: 22,
  executor: 'ssh',
}));
const USERS = { carol: 'U0CAROL', dave: 'U0DAVE', erin: 'U0ERIN', pam: 'U0PAM' };
const SECRET = randomBytes(16).toString('hex');
let recorder: SlackApiRecorder;
let harness: Harness;
let events: string;
let nextComment = 20_000;

beforeAll(async () => {
  recorder = await startSlackApiRecorder();
  const environments = [
    'production: { hosts: [web], approvals: 2, approvers: [team:ops], slack_channel: C0OPS }',
    'guarded: { hosts: [web], approvals: 1, approvers: [team:ops], slack_channel: C0OPS, preflight: required }',
  ].join('\n');
  const yaml = `${repoConfigYaml(HOSTS, environments)}slack: { channel: C0ALL, users: ${JSON.stringify(USERS)} }\n`;
  harness = await startHarness({
    configYaml: yaml,
    workDir: '/nonexistent',
    slack: { apiUrl: recorder.url, signingSecret: SECRET },
  });
  events = new URL('/slack/events', harness.app.server.url).toString();
}, 60_000);

afterAll(async () => {
  await harness?.close();
  await recorder?.close();
});

afterEach(githubRequestCheck(() => harness));

const PLAN = (version: string): string =>
  planComment({
    environment: 'production',
    version,
    url: `https://artifacts.example.com/shop-${version}.tar.gz`,
    sha256: 'b'.repeat(64),
  });

async function orderOf(number: number): Promise<WorkOrder> {
  const order = await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number });
  if (order === undefined) throw new Error(`no order #${number}`);
  return order;
}

/** Opens issue `number` and posts a plan; returns the order and its approval message. */
async function planned(
  number: number,
  version: string,
  plan = PLAN(version),
): Promise<{ order: WorkOrder; message: SlackCall }> {
  await send(
    harness,
    'issues',
    issueOpened(
      number,
      'pam',
      formBody({ requirement: 'Ship', planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' }),
    ),
  );
  await send(harness, 'issue_comment', issueComment(number, nextComment++, 'carol', plan));
  const order = await orderOf(number);
  const [message] = await recorder.waitFor('chat.postMessage', {
    where: (call) => JSON.stringify(call.args.blocks ?? '').includes(`"${order.id}:`),
  });
  if (message === undefined) throw new Error('no approval message');
  return { order, message };
}

function buttonValue(call: SlackCall): string {
  const found = /"value":"(\d+:[0-9a-f]{64})"/.exec(JSON.stringify(call.args.blocks));
  return found?.[1] ?? '';
}

async function click(user: string, actionId: string, value: string, ts: string, actionTs?: string): Promise<Response> {
  const response = await postInteraction(
    events,
    SECRET,
    buttonClick({
      user,
      actionId,
      value,
      channel: 'C0OPS',
      messageTs: ts,
      ...(actionTs === undefined ? {} : { actionTs }),
    }),
  );
  await harness.slack?.idle();
  return response;
}

function updatesOf(ts: string): SlackCall[] {
  return recorder.callsTo('chat.update').filter((call) => call.args.ts === ts);
}

describe('the approval message', () => {
  it('is posted to the environment channel with what is released where and the buttons, as valid Block Kit', async () => {
    const { order, message } = await planned(101, '1.0.0');
    expect(message.args.channel).toBe('C0OPS');
    expect(message.authorization).toBe('Bearer xoxb-test-token');
    expectValidBlocks(message.args.blocks);
    const text = JSON.stringify(message.args.blocks);
    for (const expected of [
      'shop 1.0.0 → production',
      '1. web-1 (10.0.0.1)\\n2. web-2 (10.0.0.2)\\n3. web-3 (10.0.0.3)',
      '0 of 2 approvals',
      `${REPO_FULL_NAME}#101`,
      'yardmaster_approve',
      'yardmaster_reject',
      `https://yardmaster.example.com/orders/${order.id}`,
      `https://github.com/${REPO_FULL_NAME}/issues/101`,
    ]) {
      expect(text).toContain(expected);
    }
  });
});

describe('the pre-flight line', () => {
  it('shows pending, refuses the Approve button while a required pre-flight has not passed, and follows the result', async () => {
    const plan = planComment({
      environment: 'guarded',
      version: '2.0.0',
      url: 'https://artifacts.example.com/shop-2.0.0.tar.gz',
      sha256: 'b'.repeat(64),
    });
    const { order, message } = await planned(110, '2.0.0', plan);
    expectValidBlocks(message.args.blocks);
    expect(JSON.stringify(message.args.blocks)).toContain('*Pre-flight* (required before approvals): ⏳ pending');
    const value = buttonValue(message);
    const ts = String(message.answer.ts);
    expect((await click(USERS.dave, 'yardmaster_approve', value, ts)).status).toBe(200);
    const [ephemeral] = await recorder.waitFor('chat.postEphemeral', {
      where: (call) => call.args.user === USERS.dave && String(call.args.text).includes('pre-flight'),
    });
    expect(String(ephemeral?.args.text)).toContain('takes approvals only after the pre-flight of plan v1 has passed');
    expect(await harness.deps.db.select().from(approvals).where(eq(approvals.workOrderId, order.id))).toEqual([]);

    // The worker's result, as it stores and reports it (this harness runs no worker).
    const digest = value.split(':')[1] ?? '';
    const failing = {
      ok: false,
      packageBytes: 100,
      hosts: [
        { host: 'web-1', ok: true, checks: { connect: { ok: true, detail: 'connected' } } },
        { host: 'web-2', ok: false, checks: { tools: { ok: false, detail: 'missing: tar' } } },
      ],
    };
    const failed = await recordPreflightResult(harness.deps.db, {
      workOrderId: order.id,
      digest,
      attempt: 1,
      report: failing,
    });
    if (failed === undefined) throw new Error('the result was not stored');
    harness.slack?.report({ type: 'preflight', workOrderId: order.id, preflight: failed });
    await harness.slack?.idle();
    const shown = JSON.stringify(updatesOf(ts).at(-1)?.args.blocks);
    expect(shown).toContain('❌ failed on web-2');
    expect(shown).toContain('• *web-2*: tools: missing: tar');
    expectValidBlocks(updatesOf(ts).at(-1)?.args.blocks);
  });
});

describe('Slack approvals', () => {
  it('refuse unmapped members, the plan author and non-approvers; count an ops approval once; reach the quorum with a GitHub one', async () => {
    const { order, message } = await planned(102, '1.1.0');
    const value = buttonValue(message);
    const messageTs = String(message.answer.ts);

    for (const [user, why] of [
      ['U0STRANGER', /not mapped to a GitHub login/],
      [USERS.carol, /wrote this plan/],
      [USERS.pam, /not|approver/],
    ] as const) {
      expect((await click(user, 'yardmaster_approve', value, messageTs)).status).toBe(200);
      const [ephemeral] = await recorder.waitFor('chat.postEphemeral', { where: (call) => call.args.user === user });
      expect(String(ephemeral?.args.text)).toMatch(why);
    }
    expect(await harness.deps.db.select().from(approvals).where(eq(approvals.workOrderId, order.id))).toEqual([]);

    const actionTs = '1700000123.456789';
    expect((await click(USERS.dave, 'yardmaster_approve', value, messageTs, actionTs)).status).toBe(200);
    // A replay of the same click (same request) counts once.
    expect((await click(USERS.dave, 'yardmaster_approve', value, messageTs, actionTs)).status).toBe(200);
    const rows = await harness.deps.db.select().from(approvals).where(eq(approvals.workOrderId, order.id));
    expect(rows.map((row) => [row.actor, row.source, row.verdict])).toEqual([['dave', 'slack', 'approved']]);
    await commentsMatching(harness, 102, /@dave approved this plan from Slack/);
    expect(
      harness.fake
        .requestsTo(ROUTES.comments)
        .filter((request) => bodyText(request).includes('from Slack') && request.pathParams.issue_number === '102'),
    ).toHaveLength(1);
    const updated = updatesOf(messageTs).at(-1);
    expect(JSON.stringify(updated?.args.blocks)).toContain('1 of 2 approvals: dave');

    await send(harness, 'issue_comment', issueComment(102, nextComment++, 'erin', '/approve'));
    expect((await orderOf(102)).state).toBe('approved');
    const last = updatesOf(messageTs).at(-1);
    expectValidBlocks(last?.args.blocks);
    expect(JSON.stringify(last?.args.blocks)).toContain('2 of 2 approvals: dave, erin');
    expect(JSON.stringify(last?.args.blocks)).not.toContain('yardmaster_approve');
  });

  it('queues the Deployment on GitHub when a Slack click completes the quorum', async () => {
    const { order, message } = await planned(106, '1.6.0');
    await send(harness, 'issue_comment', issueComment(106, nextComment++, 'erin', '/approve'));
    expect((await orderOf(106)).state).toBe('planned');
    expect(
      (await click(USERS.dave, 'yardmaster_approve', buttonValue(message), String(message.answer.ts))).status,
    ).toBe(200);
    expect((await orderOf(106)).state).toBe('approved');
    const created = harness.fake
      .requestsTo(ROUTES.deployments)
      .filter((request) => JSON.stringify(request.body).includes(`"workOrderId":${order.id}`));
    expect(created).toHaveLength(1);
    const statuses = harness.fake.requestsTo(ROUTES.deploymentStatuses).map((request) => request.body);
    expect(statuses).toContainEqual(
      expect.objectContaining({ state: 'queued', description: '1.6.0 approved, waiting for a worker' }),
    );
  });

  it('counts only for the plan the message showed: an edited plan replaces the message and its buttons', async () => {
    const { order, message } = await planned(103, '1.2.0');
    const oldValue = buttonValue(message);
    const oldTs = String(message.answer.ts);
    await send(harness, 'issue_comment', issueComment(103, nextComment++, 'carol', PLAN('1.2.1')));
    const replaced = updatesOf(oldTs).at(-1);
    expect(JSON.stringify(replaced?.args.blocks)).toContain('replaced by plan v2');
    expect(JSON.stringify(replaced?.args.blocks)).not.toContain('yardmaster_approve');
    const [fresh] = await recorder.waitFor('chat.postMessage', {
      where: (call) => JSON.stringify(call.args.blocks ?? '').includes('1.2.1'),
    });
    expect(buttonValue(fresh ?? message)).not.toBe(oldValue);

    expect((await click(USERS.dave, 'yardmaster_approve', oldValue, oldTs)).status).toBe(200);
    const [ephemeral] = await recorder.waitFor('chat.postEphemeral', {
      where: (call) => call.args.user === USERS.dave,
    });
    expect(String(ephemeral?.args.text)).toMatch(/digest|changed|plan/i);
    expect(await harness.deps.db.select().from(approvals).where(eq(approvals.workOrderId, order.id))).toEqual([]);
  });

  it('rejects with the reason asked for in a modal', async () => {
    const { message } = await planned(104, '1.3.0');
    const value = buttonValue(message);
    const ts = String(message.answer.ts);
    expect((await click(USERS.erin, 'yardmaster_reject', value, ts)).status).toBe(200);
    const [opened] = await recorder.waitFor('views.open', {
      where: (call) => JSON.stringify(call.args.view).includes(value),
    });
    const view = opened?.args.view;
    expect(view).toMatchObject({ type: 'modal', callback_id: 'yardmaster_reject_modal', private_metadata: value });
    expectValidModal(view);
    const response = await postInteraction(
      events,
      SECRET,
      rejectSubmissionPayload({ user: USERS.erin, viewId: 'V0104', value, reason: 'the migration is not reviewed' }),
    );
    expect(response.status).toBe(200);
    await harness.slack?.idle();
    expect((await orderOf(104)).state).toBe('rejected');
    await commentsMatching(harness, 104, /@erin rejected this plan from Slack: the migration is not reviewed/);
    expect(JSON.stringify(updatesOf(ts).at(-1)?.args.blocks)).toContain('Rejected');
  });
});

describe('signed requests', () => {
  it('refuse a forged signature, a missing one and a stale timestamp with 401, and change nothing', async () => {
    const { order, message } = await planned(105, '1.4.0');
    const value = buttonValue(message);
    const payload = buttonClick({
      user: USERS.dave,
      actionId: 'yardmaster_approve',
      value,
      channel: 'C0OPS',
      messageTs: '1',
    });
    const before = recorder.calls.length;
    expect((await postInteraction(events, 'not-the-secret', payload)).status).toBe(401);
    expect((await postInteraction(events, SECRET, payload, { signature: null })).status).toBe(401);
    expect(
      (await postInteraction(events, SECRET, payload, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })).status,
    ).toBe(401);
    await harness.slack?.idle();
    expect(await harness.deps.db.select().from(approvals).where(eq(approvals.workOrderId, order.id))).toEqual([]);
    expect(recorder.calls.slice(before).filter((call) => call.method !== 'auth.test')).toEqual([]);
  });

  it('answers the Request URL check (a signed JSON event) with its challenge, and refuses it unsigned', async () => {
    const challenge = { token: 'legacy-verification-token', challenge: 'c0ffee-challenge', type: 'url_verification' };
    const answered = await postEvent(events, SECRET, challenge);
    expect(answered.status).toBe(200);
    expect(await answered.text()).toContain('c0ffee-challenge');
    expect((await postEvent(events, SECRET, challenge, { signature: null })).status).toBe(401);
  });
});
