/**
 * Notifications end to end: key events of work orders (from the audit log) reach the environment's subscribers —
 * e-mail through a real SMTP server, a signed webhook to a local receiver, a Slack channel through the Web API
 * recorder — each once; a failing webhook is retried until it answers, and holds nothing up meanwhile.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry } from '../../src/config/types.ts';
import { verifyWebhookSignature } from '../../src/notify/webhook-sender.ts';
import { putSecret, SecretsKey } from '../../src/policy/index.ts';
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
import { startMailbox, type Mailbox } from '../helpers/smtp-mailbox.ts';
import { planComment, waitFor } from '../helpers/workorder-fixtures.ts';
import { propertyOf } from '../../src/lib/trust-boundaries.ts';

const HOSTS: HostEntry[] = [{ name: 'web-1', address: '10.0.0.1', port: 22, executor: 'ssh' }];
const HOOK_SECRET = randomBytes(16).toString('hex');
/** The webhook's key is in the secret store (repository + the environment whose notify names it). */
const SECRETS_KEY = new SecretsKey(randomBytes(32));

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  valid: boolean;
  answered: number;
}

let mailbox: Mailbox;
let recorder: SlackApiRecorder;
let receiver: Server;
const received: Received[] = [];
/** How many more deliveries the receiver refuses with 500. */
let failNext = 0;
let harness: Harness;
let nextComment = 40_000;

beforeAll(async () => {
  mailbox = await startMailbox();
  recorder = await startSlackApiRecorder();
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const answered = failNext > 0 ? 500 : 204;
      if (failNext > 0) failNext--;
      received.push({
        headers: request.headers,
        body,
        valid: verifyWebhookSignature(HOOK_SECRET, body, request.headers['x-yardmaster-signature-256']),
        answered,
      });
      response.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const address = receiver.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  const notify = `notify: { events: [submitted, approved, rejected], email: [ops@example.com, lead@example.com], webhooks: [{ url: "http://127.0.0.1:${address.port}/hooks/yardmaster", secret_env: SHOP_HOOK_SECRET }], slack: [C0NOTE] }`;
  // App shop is in project store, whose subscriber hears of approvals in every environment of its apps; ops@ is
  // named by both production and the project, and hears of each event once.
  const withProject = `${repoConfigYaml(
    HOSTS,
    `production: { hosts: [web], approvals: 1, approvers: [team:ops], ${notify} }\nstaging: { hosts: [web], approvals: 1, approvers: [team:ops] }`,
  ).replace(
    '  shop:\n',
    '  shop:\n    project: store\n',
  )}projects:\n  store: { notify: { events: [approved], email: [ops@example.com, store@example.com] } }\n`;
  harness = await startHarness({
    configYaml: withProject,
    workDir: '/nonexistent',
    slack: { apiUrl: recorder.url, signingSecret: randomBytes(8).toString('hex') },
    notify: { env: { SMTP_URL: `smtp://127.0.0.1:${mailbox.port}`, SMTP_FROM: 'Yardmaster <yardmaster@example.com>' } },
    secretsKey: SECRETS_KEY,
  });
  await putSecret(
    harness.deps.db,
    SECRETS_KEY,
    { repo: REPO_FULL_NAME.toLowerCase(), environment: 'production', name: 'SHOP_HOOK_SECRET' },
    HOOK_SECRET,
    'cli:test',
  );
}, 60_000);

afterAll(async () => {
  await harness?.close();
  await mailbox?.close();
  await recorder?.close();
  await new Promise<void>((resolve) =>
    receiver?.close(() => {
      resolve();
    }),
  );
});

afterEach(githubRequestCheck(() => harness));

const PLAN = (environment: string, version: string): string =>
  planComment({
    environment,
    version,
    url: `https://artifacts.example.com/shop-${version}.tar.gz`,
    sha256: 'c'.repeat(64),
  });

function kindsFor(number: number): string[] {
  return received
    .filter((entry) => entry.answered === 204 && entry.body.includes(`"number":${number}`))
    .map((entry) => String(propertyOf(JSON.parse(entry.body), 'event')));
}

describe('key events', () => {
  it('reach every subscriber once: e-mail, a signed webhook and Slack, retried while the webhook fails', async () => {
    failNext = 2;
    await send(
      harness,
      'issues',
      issueOpened(
        301,
        'pam',
        formBody({ requirement: 'Ship', planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' }),
      ),
    );
    await send(harness, 'issue_comment', issueComment(301, nextComment++, 'carol', PLAN('production', '3.0.0')));
    // The failing webhook holds nothing up: the order is approved while it still refuses.
    await send(harness, 'issue_comment', issueComment(301, nextComment++, 'dave', '/approve'));
    expect((await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number: 301 }))?.state).toBe(
      'approved',
    );
    await harness.notifications?.drain();

    await waitFor(
      'both events at the webhook',
      () => Promise.resolve(kindsFor(301).length >= 2 ? true : undefined),
      20_000,
    );
    // Both first attempts failed; the retries run concurrently (each first reads its key from the secret store), so
    // they may arrive in either order.
    expect(kindsFor(301).sort()).toEqual(['approved', 'submitted']);
    expect(received.filter((entry) => entry.answered === 500)).toHaveLength(2);
    expect(received.every((entry) => entry.valid)).toBe(true);
    const approved = received.find((entry) => entry.answered === 204 && entry.body.includes('"event":"approved"'));
    expect(approved?.headers['x-yardmaster-event']).toBe('approved');
    expect(JSON.parse(approved?.body ?? '{}')).toMatchObject({
      event: 'approved',
      app: 'shop',
      environment: 'production',
      version: '3.0.0',
      actor: 'dave',
      work_order: { repo: REPO_FULL_NAME, number: 301 },
    });

    await waitFor('five e-mails', () => Promise.resolve(mailbox.messages.length >= 5 ? true : undefined), 20_000);
    const mails = mailbox.messages.map((message) => ({
      to: message.to,
      subject: /^Subject: (.*(?:\r\n[ \t].*)*)/m.exec(message.raw)?.[1]?.replace(/\r\n[ \t]+/g, ' '),
    }));
    expect(mails.map((mail) => mail.to.join(',')).sort()).toEqual([
      'lead@example.com',
      'lead@example.com',
      'ops@example.com',
      'ops@example.com',
      'store@example.com',
    ]);
    expect(mails.map((mail) => mail.subject)).toContain(
      `[Yardmaster] shop 3.0.0 to production: approved (${REPO_FULL_NAME}#301)`,
    );

    const slack = await recorder.waitFor('chat.postMessage', {
      count: 2,
      where: (call) => call.args.channel === 'C0NOTE',
      timeoutMs: 20_000,
    });
    expect(slack.map((call) => String(call.args.text).split('\n')[0])).toEqual([
      `[Yardmaster] shop 3.0.0 to production: submitted (${REPO_FULL_NAME}#301)`,
      `[Yardmaster] shop 3.0.0 to production: approved (${REPO_FULL_NAME}#301)`,
    ]);
    // Once each, even after more passes of the fan-out.
    await harness.notifications?.drain();
    expect(kindsFor(301).sort()).toEqual(['approved', 'submitted']);
  });

  it("are sent for an environment without subscribers only to its project's", async () => {
    const before = { hooks: received.length, mails: mailbox.messages.length };
    await send(
      harness,
      'issues',
      issueOpened(
        302,
        'pam',
        formBody({ requirement: 'Ship', planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' }),
      ),
    );
    await send(harness, 'issue_comment', issueComment(302, nextComment++, 'carol', PLAN('staging', '3.1.0')));
    await send(harness, 'issue_comment', issueComment(302, nextComment++, 'dave', '/approve'));
    await harness.notifications?.drain();
    // Barrier: an event that is delivered shows the earlier ones would have arrived by now.
    await send(
      harness,
      'issues',
      issueOpened(
        303,
        'pam',
        formBody({ requirement: 'Ship', planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' }),
      ),
    );
    await send(harness, 'issue_comment', issueComment(303, nextComment++, 'carol', PLAN('production', '3.2.0')));
    await harness.notifications?.drain();
    await waitFor('the barrier event', () => Promise.resolve(kindsFor(303).length >= 1 ? true : undefined), 20_000);
    expect(kindsFor(302)).toEqual([]);
    expect(received.slice(before.hooks).every((entry) => !entry.body.includes('"number":302'))).toBe(true);
    // The project's subscribers hear of its approval in staging too (ops@ and store@), nothing else of it.
    const about302 = () => mailbox.messages.slice(before.mails).filter((message) => message.raw.includes('#302'));
    await waitFor(
      'the project mails of #302',
      () => Promise.resolve(about302().length >= 2 ? true : undefined),
      20_000,
    );
    expect(
      about302()
        .map((message) => message.to.join(','))
        .sort(),
    ).toEqual(['ops@example.com', 'store@example.com']);
    expect(about302().every((message) => message.raw.includes('approved'))).toBe(true);
  });
});
