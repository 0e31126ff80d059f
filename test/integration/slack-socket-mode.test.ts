/**
 * Slack in Socket Mode (`SLACK_APP_TOKEN`): the app opens its connection through `apps.connections.open` (the Web
 * API recorder) to a local Socket Mode endpoint, takes an Approve click as an `interactive` envelope, acks it, and
 * the approval counts as over HTTP.
 */
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry } from '../../src/config/types.ts';
import { approvals } from '../../src/db/schema.ts';
import { findWorkOrder } from '../../src/workorders/service/index.ts';
import {
  formBody,
  githubRequestCheck,
  issueComment,
  issueOpened,
  repoConfigYaml,
  REPO_FULL_NAME,
  send,
  startHarness,
  type Harness,
} from '../helpers/github-workorder-harness.ts';
import { startSlackApiRecorder, type SlackApiRecorder } from '../helpers/slack-api-recorder.ts';
import { buttonClick } from '../helpers/slack-requests.ts';
import { startSocketModeServer, type SocketModeServer } from '../helpers/socket-mode-server.ts';
import { planComment, waitFor } from '../helpers/workorder-fixtures.ts';

const HOSTS: HostEntry[] = [{ name: 'web-1', address: '10.0.0.1', port: 22, executor: 'ssh' }];
let recorder: SlackApiRecorder;
let socket: SocketModeServer;
let harness: Harness;

beforeAll(async () => {
  recorder = await startSlackApiRecorder();
  socket = await startSocketModeServer();
  recorder.answer('apps.connections.open', () => ({ ok: true, url: socket.url }));
  const yaml = `${repoConfigYaml(HOSTS, 'production: { hosts: [web], approvals: 1, approvers: [team:ops] }')}slack: { channel: C0OPS, users: { dave: U0DAVE } }\n`;
  harness = await startHarness({
    configYaml: yaml,
    workDir: '/nonexistent',
    slack: { apiUrl: recorder.url, signingSecret: '', appToken: 'xapp-test-token' },
  });
  await socket.connected();
}, 60_000);

afterAll(async () => {
  await harness?.close();
  await socket?.close();
  await recorder?.close();
});

afterEach(githubRequestCheck(() => harness));

describe('Socket Mode', () => {
  it('connects with the app token, takes a click as an envelope, acks it, and counts the approval', async () => {
    const opened = recorder.callsTo('apps.connections.open');
    expect(opened.length).toBeGreaterThan(0);
    expect(opened[0]?.authorization).toBe('Bearer xapp-test-token');
    expect(harness.slack?.routes.size).toBe(0);

    await send(
      harness,
      'issues',
      issueOpened(
        401,
        'pam',
        formBody({ requirement: 'Ship', planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' }),
      ),
    );
    const plan = planComment({
      environment: 'production',
      version: '4.0.0',
      url: 'https://artifacts.example.com/shop-4.0.0.tar.gz',
      sha256: 'd'.repeat(64),
    });
    await send(harness, 'issue_comment', issueComment(401, 41_000, 'carol', plan));
    const [message] = await recorder.waitFor('chat.postMessage', {
      where: (call) => JSON.stringify(call.args.blocks ?? '').includes('#401'),
    });
    const value = /"value":"(\d+:[0-9a-f]{64})"/.exec(JSON.stringify(message?.args.blocks))?.[1] ?? '';

    socket.send({
      envelope_id: 'env-401',
      type: 'interactive',
      accepts_response_payload: false,
      payload: buttonClick({
        user: 'U0DAVE',
        actionId: 'yardmaster_approve',
        value,
        channel: 'C0OPS',
        messageTs: String(message?.answer.ts),
      }),
    });
    await socket.waitFor((received) => received.envelope_id === 'env-401');
    const order = await waitFor('the approval', async () => {
      const found = await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number: 401 });
      return found?.state === 'approved' ? found : undefined;
    });
    const rows = await harness.deps.db.select().from(approvals).where(eq(approvals.workOrderId, order.id));
    expect(rows.map((row) => [row.actor, row.source])).toEqual([['dave', 'slack']]);
  });
});
