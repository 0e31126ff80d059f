/**
 * Several real servers (`node src/main.ts`) on one PostgreSQL database, as behind a load balancer: the deliveries of
 * several issues (real example payloads, signed) sent round-robin to one, two and three servers with no gap, so that
 * consecutive deliveries of one issue reach different servers. Every order ends as with one server, no reply says
 * "there is no work order here" or "no plan yet", and no delivery is handled twice. Then a server is SIGKILLed while it
 * holds subjects: the others take them over once its lease ran out and finish them. Every request to the fake GitHub
 * API is validated against GitHub's REST description.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestPostgres, type TestPostgres } from '../helpers/database.ts';
import { startFakeGitHubApi, type FakeGitHubApi, type FakeRouteHandler } from '../helpers/github-fake-api.ts';
import { formatViolations } from '../helpers/github-openapi.ts';
import {
  bodyText,
  formBody,
  issueComment,
  issueOpened,
  repoConfigYaml,
  ROUTES,
  serveRepository,
} from '../helpers/github-workorder-harness.ts';
import { deliver, type WebhookPayload } from '../helpers/github-webhooks.ts';
import { serverGroup, type ServerGroup } from '../helpers/server-processes.ts';
import { planComment, waitFor } from '../helpers/workorder-fixtures.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SECRET = 'servers-test-secret';
const CONFIG = repoConfigYaml(
  [{ name: 'web-1', address: '127.0.0.1', port: 22, user: 'deploy', executor: 'ssh' }],
  'staging: { hosts: [web], approvals: 2, approvers: [team:ops] }',
);
const PLAN = planComment({
  environment: 'staging',
  version: '1.4.2',
  url: 'https://artifacts.example.com/shop-1.4.2.tar.gz',
  sha256: 'a'.repeat(64),
});
/** Replies that mean a delivery was handled before the one it followed. */
const TOO_EARLY = /there is no work order here|no plan yet/;

let fake: FakeGitHubApi;
let work: string;
const databases: TestPostgres[] = [];
let groups: ServerGroup[] = [];
let seen = 0;
let nextComment = 90_000;

beforeAll(async () => {
  fake = await startFakeGitHubApi();
  serveRepository(fake, { yaml: CONFIG });
  // The config read takes a while, as GitHub's does: a server handling an issue's first delivery is still at it when
  // the next delivery of the issue reaches another server.
  const config = fake.handlerOf(ROUTES.contents);
  if (config === undefined) throw new Error('the fake serves no contents');
  fake.handle(ROUTES.contents, async (request) => {
    await delay(60);
    return config(request);
  });
  work = await mkdtemp(join(tmpdir(), 'ym-servers-'));
  await copyFile(join(ROOT, 'app.yml'), join(work, 'app.yml'));
  await copyFile(join(ROOT, 'package.json'), join(work, 'package.json'));
});

afterAll(async () => {
  for (const group of groups) await group.kill();
  await fake?.close();
  for (const database of databases) await database.drop();
  if (work) await rm(work, { recursive: true, force: true });
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') for (const group of groups) console.log(group.outputs());
  for (const group of groups) await group.kill();
  groups = [];
  const arrived = fake.requests.slice(seen).filter((request) => request.violations.length > 0);
  seen = fake.requests.length;
  expect(
    arrived.map((request) => `${request.method} ${request.path}\n${formatViolations(request.violations)}`),
  ).toEqual([]);
});

async function newDatabase(): Promise<TestPostgres> {
  const database = await createTestPostgres();
  databases.push(database);
  return database;
}

/** `count` servers on a new database (started side by side: migrations take a lock). */
async function startServers(
  count: number,
  env: Record<string, string> = {},
): Promise<{ group: ServerGroup; url: string }> {
  const database = await newDatabase();
  const group = serverGroup({ databaseUrl: database.url, githubApiUrl: fake.baseUrl, cwd: work, secret: SECRET, env });
  groups.push(group);
  await Promise.all(Array.from({ length: count }, () => group.start()));
  return { group, url: database.url };
}

/** One delivery of the script: the event and its payload. */
interface ScriptedDelivery {
  event: string;
  payload: WebhookPayload;
  /** The comment's id, for a comment. */
  commentId?: number;
}

/** An issue's life: opened as a work order, a plan, two approvals of ops. */
function script(issue: number): ScriptedDelivery[] {
  const body = formBody({ requirement: `Ship ${issue}`, planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' });
  // An installation per issue: GitHub's write budget (Octokit's throttling in each server) is per installation.
  const installation = { installation: { id: 7000 + issue, node_id: `I${issue}` } };
  const comment = (author: string, text: string): ScriptedDelivery => {
    const commentId = nextComment++;
    return {
      event: 'issue_comment',
      payload: { ...issueComment(issue, commentId, author, text), ...installation },
      commentId,
    };
  };
  return [
    { event: 'issues', payload: { ...issueOpened(issue, 'pam', body), ...installation } },
    comment('carol', PLAN),
    comment('dave', '/approve'),
    comment('erin', '/approve looks right'),
  ];
}

/** Sends each delivery to the next server in turn, as soon as the one before was answered. */
async function sendRoundRobin(group: ServerGroup, deliveries: readonly ScriptedDelivery[], first = 0): Promise<void> {
  let turn = first;
  for (const delivery of deliveries) {
    const server = group.servers[turn % group.servers.length];
    turn++;
    if (server === undefined) throw new Error('no server');
    const response = await deliver(
      { url: server.url },
      { event: delivery.event, payload: delivery.payload, secret: SECRET },
    );
    expect(response.status).toBe(200);
  }
}

/** What an issue's order came to, with what the App said on it. */
interface Outcome {
  state: string;
  approvers: string[];
  planVersions: number;
  replies: { received: number; planChecked: number; tooEarly: string[] };
  reactions: string[];
}

function commentsOn(issue: number): string[] {
  return fake
    .requestsTo(ROUTES.comments)
    .filter((request) => request.pathParams.issue_number === String(issue))
    .map(bodyText);
}

function reactionsOn(commentId: number): string[] {
  return fake
    .requestsTo(ROUTES.reactions)
    .filter((request) => request.pathParams.comment_id === String(commentId))
    .map((request) =>
      typeof request.body === 'object' && request.body !== null && 'content' in request.body
        ? String(request.body.content)
        : '',
    );
}

/** Waits until every delivery stored is handled; then each issue's outcome. */
async function outcomes(
  databaseUrl: string,
  scripts: ReadonlyMap<number, ScriptedDelivery[]>,
): Promise<Map<number, Outcome>> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    const total = [...scripts.values()].flat().length;
    await waitFor(
      `${total} deliveries handled`,
      async () => {
        const [row] = await sql<{ handled: number }[]>`
          select count(*)::int as handled from webhook_deliveries where status = 'handled'`;
        return row?.handled === total ? true : undefined;
      },
      90_000,
    );
    const result = new Map<number, Outcome>();
    for (const [issue, deliveries] of scripts) {
      const [order] = await sql<{ id: number; state: string }[]>`
        select id::int, state from work_orders where number = ${issue}`;
      const approvers = order
        ? (
            await sql<{ actor: string }[]>`
              select actor from approvals where work_order_id = ${order.id} and verdict = 'approved' order by actor`
          ).map((row) => row.actor)
        : [];
      const [versions] = order
        ? await sql<{ n: number }[]>`select count(*)::int as n from plan_versions where work_order_id = ${order.id}`
        : [];
      const comments = commentsOn(issue);
      result.set(issue, {
        state: order?.state ?? 'none',
        approvers,
        planVersions: versions?.n ?? 0,
        replies: {
          received: comments.filter((text) => text.includes('Work order received')).length,
          planChecked: comments.filter((text) => /Plan v\d+ checked/.test(text)).length,
          tooEarly: comments.filter((text) => TOO_EARLY.test(text)),
        },
        reactions: deliveries.flatMap((delivery) =>
          delivery.commentId === undefined ? [] : [reactionsOn(delivery.commentId).join(',')],
        ),
      });
    }
    return result;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Claims of subjects still in the database (none once every server let its subjects go). */
async function claimsLeft(databaseUrl: string): Promise<number> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from delivery_subject_claims`;
    return row?.n ?? -1;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

let issueBase = 1000;
/** Scripts for `count` new issues (new numbers, so the fake's records of each run stay apart). */
function newScripts(count: number): Map<number, ScriptedDelivery[]> {
  const scripts = new Map<number, ScriptedDelivery[]>();
  for (let index = 0; index < count; index++) {
    const issue = issueBase++;
    scripts.set(issue, script(issue));
  }
  issueBase += 100 - count;
  return scripts;
}

/** The outcome every issue of the script has with one server (measured by the first run). */
let oneServer: Outcome | undefined;

describe.each([1, 2, 3])('%i server(s) on one database', (count) => {
  it('handle each issue in order whichever server stored its deliveries, each delivery once', {
    timeout: 180_000,
  }, async () => {
    const { group, url } = await startServers(count);
    const scripts = newScripts(6);
    // Issue after issue: consecutive deliveries of one issue go to different servers, back to back.
    await sendRoundRobin(group, [...scripts.values()].flat());
    const results = await outcomes(url, scripts);
    for (const [issue, outcome] of results) {
      expect(outcome.replies.tooEarly, `#${issue}`).toEqual([]);
      expect(outcome, `#${issue}`).toEqual({
        state: 'approved',
        approvers: ['dave', 'erin'],
        planVersions: 1,
        replies: { received: 1, planChecked: 1, tooEarly: [] },
        // Each approval got one reaction, the plan none: no delivery was handled twice.
        reactions: ['', '+1', '+1'],
      });
      if (count === 1) oneServer ??= outcome;
      else expect(outcome).toEqual(oneServer);
    }
    expect(await claimsLeft(url)).toBe(0);
  });
});

describe('a server killed while it holds subjects', () => {
  it('leaves them to the others once its lease ran out, who finish them', { timeout: 180_000 }, async () => {
    const { group, url } = await startServers(3, { YARDMASTER_LEASE_SECONDS: '2' });
    const [doomed] = group.servers;
    if (doomed === undefined) throw new Error('no server');
    // GitHub does not answer the config reads for now: the first server takes up the issues and stays on them.
    const config = fake.handlerOf(ROUTES.contents);
    if (config === undefined) throw new Error('the fake serves no contents');
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let held = 0;
    const holding: FakeRouteHandler = async (request) => {
      held++;
      await gate;
      return config(request);
    };
    fake.handle(ROUTES.contents, holding);
    const scripts = newScripts(3);
    const issues = [...scripts.keys()];
    try {
      for (const deliveries of scripts.values()) await sendRoundRobin(group, deliveries.slice(0, 1), 0);
      await waitFor('the first server at the config of every issue', () =>
        Promise.resolve(held >= 3 ? true : undefined),
      );
      const sql = postgres(url, { max: 1, onnotice: () => undefined });
      try {
        const claims = await sql<{ subject_key: string; holder: string }[]>`
          select subject_key, holder from delivery_subject_claims order by subject_key`;
        expect(claims.map((claim) => claim.subject_key)).toEqual(
          issues.map((issue) => `Codertocat/Hello-World#${issue}`),
        );
        expect(claims.every((claim) => claim.holder.includes(`:${doomed.pid}:`))).toBe(true);
      } finally {
        await sql.end({ timeout: 5 });
      }
      // The rest of each issue goes to the two other servers, which store it and must not handle it before.
      const rest = [...scripts.values()].flatMap((deliveries) => deliveries.slice(1));
      const others = { ...group, servers: group.servers.slice(1) };
      await sendRoundRobin(others, rest);
      doomed.process.child.kill('SIGKILL');
      await doomed.process.exited();
    } finally {
      fake.handle(ROUTES.contents, config);
      open();
    }
    const results = await outcomes(url, scripts);
    for (const [issue, outcome] of results) {
      expect(outcome, `#${issue}`).toMatchObject({
        approvers: ['dave', 'erin'],
        planVersions: 1,
        replies: { received: 1, planChecked: 1, tooEarly: [] },
        reactions: ['', '+1', '+1'],
      });
      if (oneServer !== undefined) expect(outcome).toEqual(oneServer);
    }
    expect(await claimsLeft(url)).toBe(0);
    const output = group.outputs();
    expect(output).toContain('taking up a subject no server holds');
  });
});
