/**
 * The server end to end over HTTP: real signed deliveries of real example payloads to the real server and Probot,
 * which talks to a recording fake GitHub API; every request it sends is checked against GitHub's REST description.
 * The app here is a minimal one; Yardmaster's own handlers are tested in github-workorders.test.ts.
 */
import type { Probot } from 'probot';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/github-app-server.ts';
import { startFakeGitHubApi, type FakeGitHubApi, type RecordedRequest } from '../helpers/github-fake-api.ts';
import { formatViolations } from '../helpers/github-openapi.ts';
import { deliver, examplePayload, signDelivery, type WebhookPayload } from '../helpers/github-webhooks.ts';

const COMMENTS = 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments';
const TOKENS = 'POST /app/installations/{installation_id}/access_tokens';

let fake: FakeGitHubApi;
let app: TestApp;

/** Answers an issue labelled work-order with one comment, as the installation: enough to see a delivery arrive. */
function echoApp(probot: Probot): void {
  probot.on('issues.labeled', async (context) => {
    if (context.payload.label?.name !== 'work-order') return;
    await context.octokit.rest.issues.createComment(
      context.issue({ body: `Work order received from @${context.payload.sender.login}.` }),
    );
  });
}

beforeAll(async () => {
  fake = await startFakeGitHubApi();
  app = await startTestApp(fake, { app: echoApp });
});

afterAll(async () => {
  await app.close();
  await fake.close();
});

let seen = 0;

afterEach(() => {
  // Every request the App tried to send during the test conforms to GitHub's REST description: none was refused
  // by the validation hook, none arrived at the fake breaking it. Taken per test, so one failure stays one.
  const refused = app.validation.violations.splice(0);
  const arrived = fake.requests.slice(seen).filter((request) => request.violations.length > 0);
  seen = fake.requests.length;
  expect(refused.map((record) => `${record.method} ${record.url}\n${formatViolations(record.violations)}`)).toEqual([]);
  expect(
    arrived.map((request) => `${request.method} ${request.path}\n${formatViolations(request.violations)}`),
  ).toEqual([]);
});

/** Issue `number` of the examples' repository, in installation 4242 (the examples mostly omit `installation`). */
function labeledIssue(number: number, label: string): WebhookPayload {
  return examplePayload('issues', 'labeled', {
    issue: { number, labels: [{ name: label }] },
    label: { name: label },
    installation: { id: 4242, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg==' },
  });
}

function commentOn(number: number, body: string): WebhookPayload {
  return examplePayload('issue_comment', 'created', {
    issue: { number },
    comment: { body },
    installation: { id: 4242, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg==' },
  });
}

/** The comments posted on issue `number`, once there are `count` of them (bounded wait). */
function commentsOnIssue(number: number, count = 1): Promise<RecordedRequest[]> {
  return fake.waitForRequests(COMMENTS, {
    count,
    where: (request) => request.pathParams.issue_number === String(number),
  });
}

let barrierIssue = 200;

/**
 * Delivers a good work-order event and waits for its reply. Used after deliveries that must cause nothing: once the
 * barrier's reply has arrived, whatever they caused would have arrived too.
 * @returns every request GitHub got since `before` (an index into the fake's requests), as `METHOD path`, apart
 *   from the barrier's own installation token (which a cached token makes unnecessary anyway).
 */
async function requestsAfterBarrier(before: number): Promise<{ barrier: number; requests: string[] }> {
  barrierIssue++;
  await deliver(app.server, { event: 'issues', payload: labeledIssue(barrierIssue, 'work-order'), secret: app.secret });
  await commentsOnIssue(barrierIssue);
  const requests = fake.requests
    .slice(before)
    .filter((request) => request.path !== '/app/installations/4242/access_tokens')
    .map((request) => `${request.method} ${request.path}`);
  return { barrier: barrierIssue, requests };
}

function commentPost(issue: number): string {
  return `POST /repos/Codertocat/Hello-World/issues/${issue}/comments`;
}

describe('signed deliveries', () => {
  it('hands a signed delivery to the app, which talks to GitHub as the installation', async () => {
    const response = await deliver(app.server, {
      event: 'issues',
      payload: labeledIssue(101, 'work-order'),
      secret: app.secret,
    });
    expect(response.status).toBe(200);
    const [comment] = await commentsOnIssue(101);
    expect(comment?.path).toBe('/repos/Codertocat/Hello-World/issues/101/comments');
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest's asymmetric matchers are typed any
    expect(comment?.body).toEqual({ body: expect.stringMatching(/^Work order received from @Codertocat\./) });
    const [token] = fake.requestsTo(TOKENS);
    expect(token?.pathParams.installation_id).toBe('4242');
    expect(token?.headers.authorization).toMatch(/^bearer ey/i);
    expect(comment?.headers.authorization).toMatch(/^token ghs_fake/);
    // The validation hook really sits on Probot's clients: the token request and the comment both went through it.
    expect(app.validation.checked).toBeGreaterThanOrEqual(2);
  });

  it('passes on deliveries the app does not act on without a word to GitHub', async () => {
    const before = fake.requests.length;
    expect(
      (await deliver(app.server, { event: 'issues', payload: labeledIssue(103, 'bug'), secret: app.secret })).status,
    ).toBe(200);
    expect(
      (await deliver(app.server, { event: 'issue_comment', payload: commentOn(103, 'LGTM'), secret: app.secret }))
        .status,
    ).toBe(200);
    const { barrier, requests } = await requestsAfterBarrier(before);
    expect(requests).toEqual([commentPost(barrier)]);
  });
});

describe('deliveries that are not from GitHub', () => {
  /** Sends a delivery that must be refused with a 4xx; GitHub must hear nothing of it. */
  async function expectRefused(send: () => Promise<{ status: number }>): Promise<void> {
    const before = fake.requests.length;
    const response = await send();
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    const { barrier, requests } = await requestsAfterBarrier(before);
    expect(requests).toEqual([commentPost(barrier)]);
  }

  it('refuses a forged signature', async () => {
    await expectRefused(() =>
      deliver(app.server, { event: 'issues', payload: labeledIssue(104, 'work-order'), secret: 'not-the-secret' }),
    );
  });

  it('refuses a signature of a different body', async () => {
    const signature = signDelivery(JSON.stringify(labeledIssue(105, 'bug')), app.secret);
    await expectRefused(() =>
      deliver(app.server, { event: 'issues', payload: labeledIssue(105, 'work-order'), signature }),
    );
  });

  it('refuses an unsigned delivery', async () => {
    await expectRefused(() => deliver(app.server, { event: 'issues', payload: labeledIssue(106, 'work-order') }));
  });
});

describe('the server', () => {
  it('answers /healthz and 404s other paths', async () => {
    const health = await fetch(new URL('/healthz', app.server.url));
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('ok\n');
    expect((await fetch(new URL('/nothing', app.server.url))).status).toBe(404);
    expect((await fetch(new URL('/api/github/webhooks', app.server.url))).status).toBe(404);
  });
});
