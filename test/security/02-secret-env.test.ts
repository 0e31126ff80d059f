/**
 * Finding 2 (red team): a repository's `secret_env` and notify webhook keys must never reach the server's own
 * variables. Driven through the real path: signed GitHub deliveries of example payloads to the App (Probot), the
 * work-order service on PostgreSQL, a real release worker deploying to an sshd host, the notification fan-out to a
 * real HTTP receiver, the Slack side against the Web API recorder, and the real `yardmaster secrets` command.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { secretsCommand } from '../../src/cli/commands/secrets-command.ts';
import { rawRows } from '../../src/db/raw-rows.ts';
import { verifyWebhookSignature } from '../../src/notify/webhook-sender.ts';
import { parseSecretsKey } from '../../src/policy/index.ts';
import { logWorkerEvents } from '../../src/runtime/worker-event-log.ts';
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
import { captureIo } from '../helpers/cli-capture.ts';
import { buildPackage, type BuiltPackage } from '../helpers/release-fixtures.ts';
import { startSlackApiRecorder, type SlackApiRecorder } from '../helpers/slack-api-recorder.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';
import { planComment, waitFor } from '../helpers/workorder-fixtures.ts';

const BIN = fileURLToPath(new URL('../../bin/yardmaster.js', import.meta.url));

/** The server's own credentials, as the process running the App and its workers holds them. */
const SERVER_VARIABLES = {
  PRIVATE_KEY: 'server-private-key-canary-7d1e2f',
  DATABASE_URL: 'postgres://yardmaster:server-db-canary-93ab@db.internal/yardmaster',
  SLACK_BOT_TOKEN: 'xoxb-server-slack-canary-55c0',
  API_TOKEN: 'server-api-token-canary-0b9c',
};
/** What the operator puts in the store. */
const STORED_TOKEN = `store-api-token-${randomBytes(12).toString('hex')}`;
const STORED_HOOK_KEY = `store-hook-key-${randomBytes(12).toString('hex')}`;
const KEY_TEXT = randomBytes(32).toString('base64');
/** The operator's audit key: the CLI keys its audit rows like the server's. */
const AUDIT_KEY_TEXT = randomBytes(32).toString('base64url');

function environments(hookUrl: string): string {
  return [
    'production: { hosts: [web], approvals: 1, approvers: [team:ops], secret_env: [PRIVATE_KEY, DATABASE_URL, SLACK_BOT_TOKEN] }',
    `hooked: { hosts: [web], approvals: 1, approvers: [team:ops], notify: { events: [submitted, approved], webhooks: [{ url: "${hookUrl}", secret_env: PRIVATE_KEY }] } }`,
    `staging: { hosts: [web], approvals: 1, approvers: [team:ops], secret_env: [API_TOKEN], notify: { events: [submitted, approved, succeeded], webhooks: [{ url: "${hookUrl}", secret_env: HOOK_KEY }] } }`,
  ].join('\n');
}

/** What the webhook receiver got: the signature header of each delivery and its body. */
const hookDeliveries: { signature: string; body: string }[] = [];
/** The server's log lines about worker events (the real logger sink, recording instead of printing). */
const logLines: string[] = [];

let fleet: SshdFleet;
let work: string;
let harness: Harness;
let recorder: SlackApiRecorder;
let receiver: Server;
let deployTo: string;
let databaseUrl: string;
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
      hookDeliveries.push({
        signature: typeof header === 'string' ? header : '',
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const address = receiver.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  recorder = await startSlackApiRecorder();
  const key = parseSecretsKey(KEY_TEXT);
  if (!key.ok) throw new Error(key.message);
  const record = (level: string) => (fields: object, message: string) =>
    void logLines.push(`${level} ${message} ${JSON.stringify(fields)}`);
  harness = await startHarness({
    configYaml: `${repoConfigYaml(hosts, environments(`http://127.0.0.1:${address.port}/hook`))}slack: { channel: C0OPS, users: { dave: U0DAVE } }\n`,
    fleet,
    workDir: work,
    notify: { env: { ...SERVER_VARIABLES } },
    slack: { apiUrl: recorder.url, signingSecret: randomBytes(16).toString('hex') },
    secretsKey: key.key,
    onWorkerEvent: logWorkerEvents({ debug: record('debug'), info: record('info'), error: record('error') }),
  });
  databaseUrl = harness.test.url ?? '';
  // The worker runs in this process: these are "the server's environment".
  for (const [name, value] of Object.entries(SERVER_VARIABLES)) {
    saved.set(name, process.env[name]);
    process.env[name] = value;
  }
}, 60_000);

afterAll(async () => {
  for (const [name, value] of saved) {
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- unsetting an environment variable takes a delete
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await harness?.close();
  await recorder?.close();
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => {
    if (receiver === undefined) resolve();
    else
      receiver.close(() => {
        resolve();
      });
  });
  await fleet?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

afterEach(githubRequestCheck(() => harness));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `yardmaster secrets …` in this process (faster than a new process each time), `input` as its stdin. */
async function secretsInProcess(args: string[], input?: string): Promise<Run> {
  const captured = captureIo(work, {
    DATABASE_URL: databaseUrl,
    YARDMASTER_SECRETS_KEY: KEY_TEXT,
    YARDMASTER_AUDIT_KEY: AUDIT_KEY_TEXT,
    USER: 'opal',
  });
  const io =
    input === undefined ? captured.io : { ...captured.io, readSecret: () => Promise.resolve(Buffer.from(input)) };
  const code = await secretsCommand(args, io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

/** The real `yardmaster secrets …` as an operator runs it, with `input` on stdin. */
function secretsCli(args: string[], input = ''): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'secrets', ...args], {
      cwd: work,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: work,
        USER: 'opal',
        DATABASE_URL: databaseUrl,
        YARDMASTER_SECRETS_KEY: KEY_TEXT,
        YARDMASTER_AUDIT_KEY: AUDIT_KEY_TEXT,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

async function readIfExists(path: string): Promise<string | null> {
  return existsSync(path) ? readFile(path, 'utf8') : null;
}

async function stateOf(number: number): Promise<WorkOrderState | undefined> {
  return (await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number }))?.state;
}

function settled(number: number, states: readonly WorkOrderState[]): Promise<WorkOrderState> {
  return waitFor(`#${number} to reach ${states.join('|')}`, async () => {
    const state = await stateOf(number);
    return state !== undefined && states.includes(state) ? state : undefined;
  });
}

async function openIssue(number: number): Promise<WorkOrder> {
  await send(
    harness,
    'issues',
    issueOpened(
      number,
      'pam',
      formBody({ requirement: 'Ship', planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' }),
    ),
  );
  await commentsMatching(harness, number, /Work order received/);
  return waitFor(`order #${number}`, () => findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number }));
}

async function comment(number: number, author: string, body: string): Promise<number> {
  const id = nextComment++;
  await send(harness, 'issue_comment', issueComment(number, id, author, body));
  return id;
}

/** Notification jobs not finished yet (created, retrying or active). */
async function pendingNotifications(): Promise<number> {
  const [row] = rawRows(
    await harness.deps.db.execute(
      sql`select count(*)::int as n from pgboss.job where name = 'notify.deliver' and state in ('created', 'retry', 'active')`,
    ),
  );
  return z.object({ n: z.number() }).parse(row).n;
}

async function notificationsDelivered(): Promise<void> {
  await harness.notifications?.drain();
  await waitFor(
    'the notification queue to be empty',
    async () => ((await pendingNotifications()) === 0 ? true : undefined),
    20_000,
  );
}

/** Every table of every schema whose rows, as JSON text, contain `needle`: `schema.table` names. */
async function tablesContaining(needle: string): Promise<string[]> {
  const tables = z
    .array(z.object({ schema: z.string(), name: z.string() }))
    .parse(
      rawRows(
        await harness.deps.db.execute(
          sql`select table_schema as schema, table_name as name from information_schema.tables where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`,
        ),
      ),
    );
  expect(tables.map((table) => table.name)).toEqual(
    expect.arrayContaining(['secrets', 'audit_log', 'stage_output', 'job']),
  );
  const found: string[] = [];
  for (const table of tables) {
    const identifier = sql.raw(`"${table.schema.replaceAll('"', '""')}"."${table.name.replaceAll('"', '""')}"`);
    const [row] = rawRows(
      await harness.deps.db.execute(
        sql`select count(*)::int as n from ${identifier} t where position(${needle} in row_to_json(t)::text) > 0`,
      ),
    );
    if (z.object({ n: z.number() }).parse(row).n > 0) found.push(`${table.schema}.${table.name}`);
  }
  return found;
}

/** Everything that left the server: GitHub request bodies, Slack calls, webhook deliveries, log lines. */
function everythingSent(): string {
  return [
    ...harness.fake.requests.map((request) => JSON.stringify(request.body ?? null)),
    ...recorder.calls.map((call) => JSON.stringify(call.args)),
    ...hookDeliveries.map((delivery) => delivery.body),
    ...logLines,
  ].join('\n');
}

describe('secret_env naming server variables', () => {
  it('is refused at submission, and the server variables never reach the host', async () => {
    await openIssue(1);
    const more = `commands:\n  pre_deploy: ['printf "%s|%s|%s" "$PRIVATE_KEY" "$DATABASE_URL" "$SLACK_BOT_TOKEN" > ../../leak.txt']`;
    await comment(
      1,
      'carol',
      planComment({ environment: 'production', version: '1.0.0', url: pkg.url, sha256: pkg.sha256, more }),
    );
    const [reply] = await commentsMatching(harness, 1, /^@carol |Plan v1/);
    const approval = await comment(1, 'dave', '/approve');
    await reactionOn(harness, approval);
    // Before the fix the approval starts a release: wait for it to end, then look at what the host received.
    await settled(1, ['requested', 'succeeded', 'failed']);
    expect(await readIfExists(join(deployTo, 'leak.txt'))).toBeNull();
    expect(await stateOf(1)).toBe('requested');
    expect(reply).toMatch(/PRIVATE_KEY/);
    expect(reply).toMatch(/DATABASE_URL/);
    expect(reply).toMatch(/SLACK_BOT_TOKEN/);
    expect(reply).toMatch(/apps\.shop\.environments\.production\.secret_env\[1\]/);
    expect(reply).toMatch(/secret store/);
    expect(reply).toMatch(/yardmaster secrets set --repo Codertocat\/Hello-World --env production/);
    for (const value of Object.values(SERVER_VARIABLES)) expect(everythingSent()).not.toContain(value);
    expect(harness.fake.requestsTo(ROUTES.createCheckRun)).toHaveLength(0);
  });
});

describe('a notify webhook naming a server variable as its key', () => {
  it('is refused at submission, and nothing is ever signed with the server variable', async () => {
    await openIssue(2);
    await comment(
      2,
      'carol',
      planComment({ environment: 'hooked', version: '1.0.0', url: pkg.url, sha256: pkg.sha256 }),
    );
    const [reply] = await commentsMatching(harness, 2, /^@carol |Plan v1/);
    await notificationsDelivered();
    const signedWithServerKey = hookDeliveries.filter((delivery) =>
      verifyWebhookSignature(SERVER_VARIABLES.PRIVATE_KEY, delivery.body, delivery.signature),
    );
    expect(signedWithServerKey.map((delivery) => delivery.body)).toEqual([]);
    expect(await stateOf(2)).toBe('requested');
    expect(reply).toMatch(/notify\.webhooks\[0\]\.secret_env/);
    expect(reply).toMatch(/PRIVATE_KEY/);
    expect(reply).toMatch(/secret store/);
  });
});

describe('secrets from the store', () => {
  it('reach the host command masked, sign the webhook, and are sealed everywhere else', async () => {
    const set = await secretsCli(
      ['set', '--repo', 'codertocat/hello-world', '--env', 'staging', 'API_TOKEN'],
      `${STORED_TOKEN}\n`,
    );
    expect(set).toMatchObject({ code: 0, stderr: '' });
    expect(set.stdout).not.toContain(STORED_TOKEN);
    expect(
      (await secretsInProcess(['set', '--repo', REPO_FULL_NAME, '--env', 'staging', 'HOOK_KEY'], STORED_HOOK_KEY)).code,
    ).toBe(0);

    await openIssue(3);
    const more = `commands:\n  pre_deploy: ['printf %s "$API_TOKEN" > ../../token.txt', 'echo "token is $API_TOKEN"']`;
    await comment(
      3,
      'carol',
      planComment({ environment: 'staging', version: '1.0.0', url: pkg.url, sha256: pkg.sha256, more }),
    );
    await commentsMatching(harness, 3, /Plan v1 checked/);
    await comment(3, 'dave', '/approve');
    expect(await settled(3, ['succeeded', 'failed'])).toBe('succeeded');
    await harness.reporter.idle();
    await harness.slack?.idle();
    await notificationsDelivered();

    // The host got the store's value, not the server's variable of the same name.
    expect(await readIfExists(join(deployTo, 'token.txt'))).toBe(STORED_TOKEN);
    // The check run of pre_deploy shows the command's output, masked: made complete when the stage was quick, else
    // made while it ran and updated at its end.
    const checkRunText = [
      ...harness.fake.requestsTo(ROUTES.createCheckRun),
      ...harness.fake.requestsTo(ROUTES.updateCheckRun),
    ]
      .map((request) => JSON.stringify(request.body))
      .join('\n');
    expect(checkRunText).toContain('token is ***');
    // The webhook was signed with the stored key, never with a server variable.
    const staging = hookDeliveries.filter((delivery) => delivery.body.includes('"environment":"staging"'));
    expect(staging.length).toBeGreaterThanOrEqual(3);
    expect(
      staging.every((delivery) => verifyWebhookSignature(STORED_HOOK_KEY, delivery.body, delivery.signature)),
    ).toBe(true);
    expect(recorder.calls.length).toBeGreaterThan(0);
    expect(logLines.length).toBeGreaterThan(0);

    // Plaintext nowhere: no table (the store's own row is sealed), no GitHub request, Slack call, delivery or log line.
    for (const value of [STORED_TOKEN, STORED_HOOK_KEY]) {
      expect(await tablesContaining(value)).toEqual([]);
      expect(everythingSent()).not.toContain(value);
    }
    expect(await tablesContaining('API_TOKEN')).toEqual(expect.arrayContaining(['public.secrets']));

    const list = await secretsInProcess(['list', '--repo', REPO_FULL_NAME, '--env', 'staging']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/staging\s+API_TOKEN\s+\d{4}-\d\d-\d\dT[\d:.]+Z\s+cli:opal/);
    expect(list.stdout).toMatch(/staging\s+HOOK_KEY/);
    expect(list.stdout).not.toContain(STORED_TOKEN);
  }, 180_000);

  it('are checked again when the release starts: a secret deleted after submission refuses the start', async () => {
    await openIssue(4);
    const more = `commands:\n  pre_deploy: ['printf %s "$API_TOKEN" > ../../token-4.txt']`;
    await comment(
      4,
      'carol',
      planComment({ environment: 'staging', version: '1.0.0', url: pkg.url, sha256: pkg.sha256, more }),
    );
    await commentsMatching(harness, 4, /Plan v1 checked/);
    const deleted = await secretsInProcess(['delete', '--repo', REPO_FULL_NAME, '--env', 'staging', 'API_TOKEN']);
    expect(deleted).toMatchObject({
      code: 0,
      stdout: 'deleted secret API_TOKEN of Codertocat/Hello-World (staging)\n',
    });
    await comment(4, 'dave', '/approve');
    expect(await settled(4, ['failed', 'succeeded'])).toBe('failed');
    await harness.reporter.idle();
    expect(await readIfExists(join(deployTo, 'token-4.txt'))).toBeNull();
    // The plan reply shows the command (and so the name API_TOKEN): the failure is the comment that names the secret store.
    const [failure] = await commentsMatching(harness, 4, /secret store/);
    expect(failure).toMatch(/API_TOKEN/);
    expect(failure).toMatch(/secret store/);
  }, 120_000);
});
