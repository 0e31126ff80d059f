/**
 * Finding 2 (red team): a repository's `secret_env` must never export the server's own variables to plan commands.
 * Driven through the real path: signed GitHub deliveries of example payloads to the App (Probot), the work-order
 * service on PostgreSQL, a real release worker deploying to an sshd host.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../src/notify/webhook-sender.ts';
import { findWorkOrder, type WorkOrder } from '../../src/workorders/service/index.ts';
import type { WorkOrderState } from '../../src/workorders/types.ts';
import {
  commentsMatching,
  formBody,
  githubRequestCheck,
  issueComment,
  issueOpened,
  reactionOn,
  repoConfigYaml,
  REPO_FULL_NAME,
  ROUTES,
  send,
  startHarness,
  type Harness,
} from '../helpers/github-workorder-harness.ts';
import { buildPackage, type BuiltPackage } from '../helpers/release-fixtures.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';
import { planComment, waitFor } from '../helpers/workorder-fixtures.ts';

/** The server's own credentials, as the process running the App and its workers holds them. */
const SERVER_VARIABLES = {
  PRIVATE_KEY: 'server-private-key-canary-7d1e2f',
  DATABASE_URL: 'postgres://yardmaster:server-db-canary-93ab@db.internal/yardmaster',
  SLACK_BOT_TOKEN: 'xoxb-server-slack-canary-55c0',
};

function environments(hookUrl: string): string {
  return [
    'production: { hosts: [web], approvals: 1, approvers: [team:ops], secret_env: [PRIVATE_KEY, DATABASE_URL, SLACK_BOT_TOKEN] }',
    `hooked: { hosts: [web], approvals: 1, approvers: [team:ops], notify: { events: [submitted, approved], webhooks: [{ url: "${hookUrl}", secret_env: PRIVATE_KEY }] } }`,
  ].join('\n');
}

/** What the webhook receiver got: the signature header of each delivery and its body. */
const hookDeliveries: { signature: string; body: string }[] = [];
let receiver: Server;

let fleet: SshdFleet;
let work: string;
let harness: Harness;
let deployTo: string;
let pkg: BuiltPackage;
let nextComment = 40_000;
const saved = new Map<string, string | undefined>();

beforeAll(async () => {
  fleet = await startSshdFleet(1);
  work = await mkdtemp(join(tmpdir(), 'ym-sec-02-'));
  pkg = await buildPackage(join(work, 'pkgs'), '1.0.0');
  const hosts = fleet.hostEntries();
  deployTo = hosts[0]?.deployTo ?? '';
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const header = request.headers['x-yardmaster-signature-256'];
      hookDeliveries.push({ signature: typeof header === 'string' ? header : '', body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const address = receiver.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const hookUrl = `http://127.0.0.1:${address.port}/hook`;
  harness = await startHarness({ configYaml: repoConfigYaml(hosts, environments(hookUrl)), fleet, workDir: work, notify: { env: { ...SERVER_VARIABLES } } });
  // The worker runs in this process: these are "the server's environment".
  for (const [name, value] of Object.entries(SERVER_VARIABLES)) {
    saved.set(name, process.env[name]);
    process.env[name] = value;
  }
}, 60_000);

afterAll(async () => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await harness?.close();
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => (receiver === undefined ? resolve() : receiver.close(() => resolve())));
  await fleet?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

afterEach(githubRequestCheck(() => harness));

async function readIfExists(path: string): Promise<string | null> {
  return existsSync(path) ? readFile(path, 'utf8') : null;
}

async function stateOf(number: number): Promise<WorkOrderState | undefined> {
  return (await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number }))?.state;
}

async function openIssue(number: number): Promise<WorkOrder> {
  await send(harness, 'issues', issueOpened(number, 'pam', formBody({ requirement: 'Ship', planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' })));
  await commentsMatching(harness, number, /Work order received/);
  return waitFor(`order #${number}`, () => findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number }));
}

async function comment(number: number, author: string, body: string): Promise<number> {
  const id = nextComment++;
  await send(harness, 'issue_comment', issueComment(number, id, author, body));
  return id;
}

describe('secret_env naming server variables', () => {
  it('is refused at submission, and the server variables never reach the host', async () => {
    await openIssue(1);
    const more = `commands:\n  pre_deploy: ['printf "%s|%s|%s" "$PRIVATE_KEY" "$DATABASE_URL" "$SLACK_BOT_TOKEN" > ../../leak.txt']`;
    await comment(1, 'carol', planComment({ environment: 'production', version: '1.0.0', url: pkg.url, sha256: pkg.sha256, more }));
    const [reply] = await commentsMatching(harness, 1, /@carol|Plan v1/);
    const approval = await comment(1, 'dave', '/approve');
    await reactionOn(harness, approval);
    // Before the fix the approval starts a release: wait for it to end, then look at what the host received.
    await waitFor('#1 to settle', async () => {
      const state = await stateOf(1);
      return state === 'requested' || state === 'succeeded' || state === 'failed' ? state : undefined;
    });
    expect(await readIfExists(join(deployTo, 'leak.txt'))).toBeNull();
    expect(await stateOf(1)).toBe('requested');
    expect(reply).toMatch(/PRIVATE_KEY/);
    expect(reply).toMatch(/DATABASE_URL/);
    expect(reply).toMatch(/SLACK_BOT_TOKEN/);
    expect(reply).toMatch(/secret store/);
    expect(reply).toMatch(/yardmaster secrets set --repo Codertocat\/Hello-World --env production/);
    // Nothing the bot said carries a server value.
    for (const request of harness.fake.requests) {
      for (const value of Object.values(SERVER_VARIABLES)) expect(JSON.stringify(request.body ?? null)).not.toContain(value);
    }
    expect(harness.fake.requestsTo(ROUTES.createCheckRun)).toHaveLength(0);
  });
});

describe('a notify webhook naming a server variable as its key', () => {
  it('is refused at submission, and nothing is ever signed with the server variable', async () => {
    await openIssue(2);
    await comment(2, 'carol', planComment({ environment: 'hooked', version: '1.0.0', url: pkg.url, sha256: pkg.sha256 }));
    const [reply] = await commentsMatching(harness, 2, /@carol|Plan v1/);
    await harness.notifications?.drain();
    // The fan-out has queued whatever the plan caused; give its deliveries the time a retry takes to arrive.
    await waitFor('the notification queue to be empty', async () => ((await pendingNotifications()) === 0 ? true : undefined), 20_000);
    const signedWithServerKey = hookDeliveries.filter((delivery) => verifyWebhookSignature(SERVER_VARIABLES.PRIVATE_KEY, delivery.body, delivery.signature));
    expect(signedWithServerKey.map((delivery) => delivery.body)).toEqual([]);
    expect(await stateOf(2)).toBe('requested');
    expect(reply).toMatch(/notify\.webhooks\[0\]\.secret_env/);
    expect(reply).toMatch(/PRIVATE_KEY/);
    expect(reply).toMatch(/secret store/);
  });
});

/** Notification jobs not finished yet (created, retrying or active). */
async function pendingNotifications(): Promise<number> {
  const { sql } = await import('drizzle-orm');
  const { rawRows } = await import('../../src/db/raw-rows.ts');
  const [row] = rawRows(await harness.deps.db.execute(sql`select count(*)::int as n from pgboss.job where name = 'notify.deliver' and state in ('created', 'retry', 'active')`));
  return typeof row?.['n'] === 'number' ? row['n'] : -1;
}
