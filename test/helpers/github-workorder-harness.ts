/**
 * The GitHub adapter end to end in-process: PostgreSQL, the job queue, the real App server (Probot) with Yardmaster's
 * handlers over the work-order service, a fake GitHub API that serves the repo config, branches, teams and pull
 * requests and validates every request, and optionally a release worker deploying to sshd hosts whose events go to
 * the GitHub reporter.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import { formatViolations } from './github-openapi.ts';
import type { HostEntry } from '../../src/config/types.ts';
import { openQueue } from '../../src/dispatch/queue.ts';
import { NOTIFY_QUEUE } from '../../src/notify/notify-queue.ts';
import { startNotifications, type Notifications } from '../../src/notify/start-notifications.ts';
import { RUNTIME_QUEUES, type RuntimeQueue } from '../../src/runtime/runtime-queues.ts';
import { startReleaseWorker, type ReleaseWorker } from '../../src/dispatch/release-worker.ts';
import { createYardmasterApp, type YardmasterApp } from '../../src/app.ts';
import { startSlack, type RunningSlack } from '../../src/slack/start-slack.ts';
import { fanOut } from '../../src/runtime/worker-event-log.ts';
import { laneInstances } from '../../src/db/schema.ts';
import type { LaneCatalog } from '../../src/lanes/catalog.ts';
import type { LaneDeps } from '../../src/lanes/lane-tasks.ts';
import { createProcessRuntime } from '../../src/lanes/process-runtime.ts';
import { startLanesServer, type LanesServer } from '../../src/lanes/start-lanes-server.ts';
import type { OctokitSlice } from '../../src/github/octokit-slice.ts';
import { storeSecretSource, type SecretsKey } from '../../src/policy/index.ts';
import type { WorkerEvent } from '../../src/dispatch/worker-events.ts';
import { createGitHubConfigLoader } from '../../src/github/repo-config.ts';
import { createGitHubReporter, type GitHubReporter } from '../../src/github/report-worker-events.ts';
import { defaultPolicySource, type PolicySource } from '../../src/policy/index.ts';
import type { ServiceDeps } from '../../src/workorders/service/index.ts';
import { openTestDatabase, type TestDatabase } from './database.ts';
import { startTestApp, type TestApp } from './github-app-server.ts';
import { startFakeGitHubApi, type FakeGitHubApi, type RecordedRequest } from './github-fake-api.ts';
import { deliver, examplePayload, type DeliveryResponse, type WebhookPayload } from './github-webhooks.ts';
import { connectWith } from './release-fixtures.ts';
import type { SshdFleet } from './sshd.ts';

/** The examples' repository and installation. */
export const OWNER = 'Codertocat';
export const REPO = 'Hello-World';
export const REPO_FULL_NAME = `${OWNER}/${REPO}`;
export const DEFAULT_BRANCH = 'master';
export const INSTALLATION = { id: 4242, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg==' };
/** The default branch head and a pull request's head. */
export const MAIN_SHA = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
export const PR_SHA = '34c5c7793cb3b279e22454cb6750c80560547b3a';
/** Members of team `ops` in the org. */
export const OPS = ['carol', 'dave', 'erin'];

export const ROUTES = {
  comments: 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
  reactions: 'POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions',
  addLabels: 'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
  removeLabel: 'DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}',
  createCheckRun: 'POST /repos/{owner}/{repo}/check-runs',
  updateCheckRun: 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}',
  deployments: 'POST /repos/{owner}/{repo}/deployments',
  deploymentStatuses: 'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
  contents: 'GET /repos/{owner}/{repo}/contents/{path}',
} as const;

function yamlString(value: string): string {
  return JSON.stringify(value);
}

/** `.github/yardmaster.yml` for app `shop` over the fleet's hosts (group `web`). */
export function repoConfigYaml(hosts: readonly HostEntry[], environments: string): string {
  const hostLines = hosts.map(
    (host) =>
      `    - { name: ${host.name}, address: ${host.address}, port: ${host.port}${host.user === undefined ? '' : `, user: ${host.user}`}` +
      `${host.hostKey === undefined ? '' : `, host_key: ${yamlString(host.hostKey)}`}${host.deployTo === undefined ? '' : `, deploy_to: ${yamlString(host.deployTo)}`} }`,
  );
  return [
    'apps:',
    '  shop:',
    '    deploy_to: /srv/shop',
    '    environments:',
    ...environments.split('\n').map((line) => `      ${line}`),
    'hosts:',
    '  web:',
    ...hostLines,
    'roles:',
    '  project_manager: [pam]',
    '  developer: [dev, carol]',
    '  ops: [team:ops]',
    '  deployer: [team:ops]',
    '  acceptor: [pam]',
    '',
  ].join('\n');
}

export interface Harness {
  fake: FakeGitHubApi;
  app: TestApp;
  /** Yardmaster's app in the server: its inbox can be waited on. */
  yardmaster: YardmasterApp;
  test: TestDatabase;
  queue: RuntimeQueue;
  notifications: Notifications | undefined;
  lanes: { deps: LaneDeps; server: LanesServer } | undefined;
  deps: ServiceDeps;
  reporter: GitHubReporter;
  worker: ReleaseWorker | undefined;
  slack: RunningSlack | undefined;
  /** The repo config the fake serves from the default branch (tests may change it). */
  config: { yaml: string };
  publicUrl: string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  configYaml: string;
  /** Runs the Slack app on the same server, its Web API client pointed at this URL. */
  slack?: { apiUrl: string; signingSecret: string; appToken?: string };
  /** Runs the notification fan-out and delivery with this environment (SMTP_URL, SMTP_FROM). */
  notify?: { env: Record<string, string> };
  /** Opens the secret store for the worker (`secret_env`) and the notifications (webhook keys); none by default. */
  secretsKey?: SecretsKey;
  /** Also sees every worker event (what the server logs). */
  onWorkerEvent?: (event: WorkerEvent) => void;
  /**
   * Runs the lane library and router (process runtime over this catalog) for pull-request lanes; `limitsFor` is
   * each repository's lane limits (default: the built-in ones).
   */
  lanes?: { catalog: LaneCatalog; limitsFor?: (repoFullName: string) => { maxTtlMs: number; maxInstances: number } };
  /** Starts a release worker deploying to these hosts. */
  fleet?: SshdFleet;
  /** The worker also runs pre-flights of plans (as the runtime's workers do); off by default. */
  preflight?: boolean;
  /** The operator's policy for plan submission and the worker; default the built-in defaults over `workDir`. */
  policy?: PolicySource;
  workDir: string;
  /** Keeps Octokit's real request throttling on for the App (GitHub's write budget); off by default. */
  throttled?: boolean;
  /** The reporter's least time between two output refreshes of a check run (default 200 ms). */
  refreshIntervalMs?: number;
}

/** Serves the examples' repository, its default branch, the config `config.yaml`, team ops and issue labels. */
export function serveRepository(fake: FakeGitHubApi, config: { yaml: string }): void {
  fake.handle('GET /repos/{owner}/{repo}', () => ({
    status: 200,
    body: {
      id: 1296269,
      name: REPO,
      full_name: REPO_FULL_NAME,
      default_branch: DEFAULT_BRANCH,
      owner: { login: OWNER },
    },
  }));
  fake.handle('GET /repos/{owner}/{repo}/branches/{branch}', (request) =>
    request.pathParams.branch === DEFAULT_BRANCH
      ? { status: 200, body: { name: DEFAULT_BRANCH, commit: { sha: MAIN_SHA }, protected: false } }
      : { status: 404, body: { message: 'Branch not found' } },
  );
  fake.handle(ROUTES.contents, (request) => {
    // The config counts only from the default branch.
    if (request.query.ref !== DEFAULT_BRANCH || !decodeURIComponent(request.path).endsWith('/.github/yardmaster.yml'))
      return { status: 404, body: { message: 'Not Found' } };
    return {
      status: 200,
      body: {
        type: 'file',
        encoding: 'base64',
        name: 'yardmaster.yml',
        path: '.github/yardmaster.yml',
        sha: 'f'.repeat(40),
        size: config.yaml.length,
        content: Buffer.from(config.yaml).toString('base64'),
      },
    };
  });
  fake.handle('GET /orgs/{org}/teams/{team_slug}/memberships/{username}', (request) =>
    request.pathParams.org === OWNER &&
    request.pathParams.team_slug === 'ops' &&
    OPS.includes(request.pathParams.username ?? '')
      ? { status: 200, body: { url: 'https://api.github.com/x', role: 'member', state: 'active' } }
      : { status: 404, body: { message: 'Not Found' } },
  );
  // An issue's labels: what the App added and did not remove since (the examples' issues start without any).
  fake.handle('GET /repos/{owner}/{repo}/issues/{issue_number}/labels', (request) => {
    const labels = new Set<string>();
    for (const sent of fake.requests) {
      if (sent.pathParams.issue_number !== request.pathParams.issue_number || sent.status >= 300) continue;
      if (sent.route === '/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}' && sent.method === 'DELETE')
        labels.delete(decodeURIComponent(sent.pathParams.name ?? ''));
      const added =
        typeof sent.body === 'object' && sent.body !== null && 'labels' in sent.body && Array.isArray(sent.body.labels)
          ? sent.body.labels
          : [];
      if (sent.route === '/repos/{owner}/{repo}/issues/{issue_number}/labels' && sent.method === 'POST')
        for (const name of added) labels.add(String(name));
    }
    return {
      status: 200,
      body: [...labels].map((name, index) => ({
        id: index + 1,
        node_id: `L${index}`,
        url: '',
        name,
        color: 'ededed',
        default: false,
        description: null,
      })),
    };
  });
  fake.handle('GET /repos/{owner}/{repo}/pulls/{pull_number}', (request) => ({
    status: 200,
    body: {
      number: Number(request.pathParams.pull_number),
      state: 'open',
      head: { sha: PR_SHA, ref: 'feature' },
      base: { ref: DEFAULT_BRANCH },
    },
  }));
}

/** Starts PostgreSQL, the queue, the fake, the App and (with a fleet) a worker reporting to GitHub. */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const fake = await startFakeGitHubApi();
  const config = { yaml: options.configYaml };
  serveRepository(fake, config);
  const test = await openTestDatabase('postgres');
  // Notification retries 1 s apart instead of minutes: the tests watch a failing subscriber recover.
  const queues = {
    ...RUNTIME_QUEUES,
    [NOTIFY_QUEUE]: { ...RUNTIME_QUEUES[NOTIFY_QUEUE], retryDelaySeconds: 1, retryBackoff: false },
  };
  const queue: RuntimeQueue = await openQueue(test.database, {
    queues,
    onError: (error) => {
      console.error('pg-boss:', error);
    },
  });
  const policy = options.policy ?? defaultPolicySource({ artifactsDir: options.workDir });
  const deps: ServiceDeps = { db: test.database.db, queue, policy };
  const publicUrl = 'https://yardmaster.example.com';
  const secrets = storeSecretSource(test.database.db, options.secretsKey);
  // Logs of the Slack side and the notifications: quiet (a test fails on what they would have said).
  const quiet = { info: () => undefined, warn: () => undefined };
  // The Slack side needs the App's clients before the server starts: the App's Probot is made first.
  // eslint-disable-next-line prefer-const -- githubFor closes over it before the App is started and assigns it
  let probot: TestApp['probot'] | undefined;
  const githubFor = async (installationId: number): Promise<OctokitSlice> => {
    if (probot === undefined) throw new Error('the App is not started yet');
    return probot.auth(installationId);
  };
  const slack =
    options.slack === undefined
      ? undefined
      : await startSlack(
          {
            enabled: true,
            botToken: 'xoxb-test-token',
            signingSecret: options.slack.signingSecret,
            appToken: options.slack.appToken,
            apiUrl: options.slack.apiUrl,
          },
          {
            service: deps,
            githubFor,
            loadConfig: createGitHubConfigLoader(githubFor),
            publicUrl,
            githubWebUrl: 'https://github.com',
            log: quiet,
          },
        );
  const notifications =
    options.notify === undefined
      ? undefined
      : await startNotifications({
          db: test.database.db,
          queue,
          loadConfig: createGitHubConfigLoader(githubFor),
          publicUrl,
          env: options.notify.env,
          secrets,
          log: quiet,
          intervalMs: 200,
          pollingIntervalSeconds: 0.5,
          ...(slack === undefined ? {} : { slack: slack.client }),
        });
  const onOrderChanged = (workOrderId: number): void => {
    slack?.onOrderChanged(workOrderId);
    notifications?.kick();
  };
  let lanes: { deps: LaneDeps; server: LanesServer } | undefined;
  if (options.lanes !== undefined) {
    let routerUrl = '';
    const laneDeps: LaneDeps = {
      db: test.database.db,
      runtime: createProcessRuntime({ catalog: options.lanes.catalog, routerUrl: () => routerUrl }),
      actor: 'yardmaster',
    };
    const server = await startLanesServer({
      database: test.database,
      deps: laneDeps,
      routerPort: 0,
      apiPort: 0,
      token: 'harness-lanes-token-0123456789',
      log: quiet,
    });
    routerUrl = server.routerUrl;
    lanes = { deps: laneDeps, server };
  }
  const limitsFor = options.lanes?.limitsFor;
  const appLanes =
    lanes === undefined
      ? undefined
      : { deps: lanes.deps, routerUrl: lanes.server.routerUrl, ...(limitsFor === undefined ? {} : { limitsFor }) };
  const yardmaster = createYardmasterApp({
    service: deps,
    publicUrl,
    onOrderChanged,
    ...(appLanes === undefined ? {} : { lanes: appLanes }),
  });
  const app = await startTestApp(fake, {
    app: yardmaster.load,
    throttled: options.throttled ?? false,
    ...(slack === undefined ? {} : { routes: slack.routes }),
  });
  probot = app.probot;
  // Without Octokit's throttling there is no write budget to pace by.
  const pacing = options.throttled === true ? {} : { writeIntervalMs: 0, liveAfterMs: 0, noteDelayMs: 0 };
  const reporter = createGitHubReporter({
    githubFor,
    database: test.database,
    publicUrl,
    flushIntervalMs: options.refreshIntervalMs ?? 200,
    ...pacing,
  });
  const fleet = options.fleet;
  const worker =
    fleet === undefined
      ? undefined
      : await startReleaseWorker({
          database: test.database,
          queue,
          connect: connectWith(fleet.privateKey, fleet.user),
          loadConfig: createGitHubConfigLoader(githubFor),
          policy,
          artifactsDir: options.workDir,
          cacheDir: join(options.workDir, 'cache'),
          onEvent: fanOut(...[reporter, slack?.report, options.onWorkerEvent].filter((sink) => sink !== undefined)),
          secrets,
          pollingIntervalSeconds: 0.5,
          waitRetryMs: 300,
          sweepIntervalMs: 0,
          ...(options.preflight === true ? { preflightConcurrency: 2 } : {}),
        });
  return {
    fake,
    app,
    yardmaster,
    test,
    queue,
    deps,
    reporter,
    worker,
    slack,
    notifications,
    lanes,
    config,
    publicUrl,
    async close() {
      await worker?.stop();
      await notifications?.stop();
      await slack?.stop();
      if (lanes !== undefined) {
        for (const row of await test.database.db.select().from(laneInstances))
          if (row.runtimeRef !== null) await lanes.deps.runtime.stop(row.runtimeRef);
        await lanes.server.close();
      }
      await queue.stop({ timeoutMs: 5_000 });
      await reporter.idle();
      await app.close();
      await yardmaster.close();
      await fake.close();
      await test.cleanup();
    },
  };
}

/** Deliveries of real example payloads, changed only where a field must differ. */
export function issueOpened(
  number: number,
  author: string,
  body: string,
  labels: string[] = ['work-order'],
): WebhookPayload {
  return examplePayload('issues', 'opened', {
    issue: {
      number,
      title: `Work order ${number}`,
      body,
      user: { login: author },
      labels: labels.map((name) => ({ name, color: 'ededed', default: false })),
    },
    sender: { login: author },
    installation: INSTALLATION,
  });
}

/**
 * GitHub's clock for the payloads made here: the current second, and always a later one than the last payload's, as
 * real events have. Plan versions and approvals are compared by these times; a version Yardmaster makes itself has
 * the server's time, which GitHub's clock follows (both NTP-synchronised).
 */
let githubSecond = 0;
export function nextGitHubTime(): string {
  githubSecond = Math.max(githubSecond + 1, Math.ceil(Date.now() / 1000));
  return new Date(githubSecond * 1000).toISOString().replace('.000Z', 'Z');
}

/** Who sent an event and when, where they differ from the comment's author and the next GitHub second. */
export interface CommentEventOptions {
  /** Who sent the event (edited the comment); default the author. */
  sender?: string;
  createdAt?: string;
  updatedAt?: string;
}

export function issueComment(
  number: number,
  commentId: number,
  author: string,
  body: string,
  action: 'created' | 'edited' = 'created',
  pullRequest = false,
  options: CommentEventOptions = {},
): WebhookPayload {
  const createdAt = options.createdAt ?? nextGitHubTime();
  const updatedAt = options.updatedAt ?? (action === 'created' ? createdAt : nextGitHubTime());
  return examplePayload('issue_comment', action, {
    issue: {
      number,
      pull_request: pullRequest ? { url: `https://api.github.com/repos/${REPO_FULL_NAME}/pulls/${number}` } : undefined,
    },
    comment: {
      id: commentId,
      body,
      user: { login: author, type: 'User' },
      created_at: createdAt,
      updated_at: updatedAt,
    },
    sender: { login: options.sender ?? author, type: 'User' },
    installation: INSTALLATION,
  });
}

export function checkRunAction(
  checkRunId: number,
  externalId: string,
  identifier: string,
  sender: string,
): WebhookPayload {
  return examplePayload('check_run', 'requested_action', {
    check_run: { id: checkRunId, external_id: externalId },
    requested_action: { identifier },
    // The check_run examples come from another repository: the work order's instead.
    repository: repository(),
    sender: { login: sender },
    installation: INSTALLATION,
  });
}

/** The examples' repository (some events' examples come from other repositories). */
function repository(): WebhookPayload {
  const repo = examplePayload('issues', 'opened').repository;
  if (typeof repo !== 'object' || repo === null || Array.isArray(repo))
    throw new Error('the issues example has no repository');
  return { ...repo };
}

export function review(
  number: number,
  reviewId: number,
  reviewer: string,
  state: string,
  commitId: string,
  action: 'submitted' | 'dismissed' = 'submitted',
): WebhookPayload {
  return examplePayload('pull_request_review', action, {
    review: {
      id: reviewId,
      state,
      commit_id: commitId,
      body: null,
      user: { login: reviewer, type: 'User' },
      submitted_at: nextGitHubTime(),
    },
    pull_request: { number },
    repository: repository(),
    sender: { login: reviewer, type: 'User' },
    installation: INSTALLATION,
  });
}

export function pullRequestEvent(
  number: number,
  action: 'synchronize' | 'closed',
  headSha: string,
  sender: string,
): WebhookPayload {
  return examplePayload('pull_request', action, {
    number,
    pull_request: { number, head: { sha: headSha }, updated_at: nextGitHubTime() },
    repository: repository(),
    sender: { login: sender, type: 'User' },
    installation: INSTALLATION,
  });
}

/** The form body as GitHub renders the issue form. */
export function formBody(fields: {
  requirement: string;
  scheduled?: string;
  planAuthor: string;
  deployer: string;
  acceptor: string;
}): string {
  return [
    '### Requirement',
    '',
    fields.requirement,
    '',
    '### Scheduled time',
    '',
    fields.scheduled ?? '_No response_',
    '',
    '### Plan author',
    '',
    `@${fields.planAuthor}`,
    '',
    '### Deployer',
    '',
    `@${fields.deployer}`,
    '',
    '### Result acceptor',
    '',
    `@${fields.acceptor}`,
  ].join('\n');
}

/** Sends a signed delivery and waits until the inbox has handled it (and whatever came before). */
export async function send(
  harness: Harness,
  event: string,
  payload: WebhookPayload,
  id?: string,
): Promise<DeliveryResponse> {
  const response = await deliver(harness.app.server, {
    event,
    payload,
    secret: harness.app.secret,
    ...(id === undefined ? {} : { id }),
  });
  await harness.yardmaster.idle();
  await harness.slack?.idle();
  return response;
}

/** Comments on issue `number` whose body matches, once there are `count` (bounded wait). */
export async function commentsMatching(
  harness: Harness,
  number: number,
  pattern: RegExp,
  count = 1,
  timeoutMs = 15_000,
): Promise<string[]> {
  const found = await harness.fake.waitForRequests(ROUTES.comments, {
    count,
    timeoutMs,
    where: (request) => request.pathParams.issue_number === String(number) && pattern.test(bodyText(request)),
  });
  return found.map(bodyText);
}

export function bodyText(request: RecordedRequest): string {
  const body = request.body;
  if (typeof body === 'object' && body !== null && 'body' in body && typeof body.body === 'string') return body.body;
  return '';
}

/** The reaction on comment `commentId` (bounded wait). */
export async function reactionOn(harness: Harness, commentId: number): Promise<string> {
  const [request] = await harness.fake.waitForRequests(ROUTES.reactions, {
    where: (r) => r.pathParams.comment_id === String(commentId),
    timeoutMs: 15_000,
  });
  const body = request?.body;
  return typeof body === 'object' && body !== null && 'content' in body && typeof body.content === 'string'
    ? body.content
    : '';
}

/**
 * For an `afterEach`: fails when a request the App tried to send during the test breaks GitHub's REST description
 * (refused by the validation hook, or arriving at the fake so). Taken per test, so one failure stays one.
 */
export function githubRequestCheck(harness: () => Harness): () => void {
  let seen = 0;
  return () => {
    const { app, fake } = harness();
    const refused = app.validation.violations.splice(0);
    const arrived = fake.requests.slice(seen).filter((request) => request.violations.length > 0);
    seen = fake.requests.length;
    expect(refused.map((record) => `${record.method} ${record.url}\n${formatViolations(record.violations)}`)).toEqual(
      [],
    );
    expect(
      arrived.map((request) => `${request.method} ${request.path}\n${formatViolations(request.violations)}`),
    ).toEqual([]);
  };
}
