/**
 * Config changes end to end: signed `push` and `pull_request` deliveries of real example payloads to the real App
 * (Probot) over PostgreSQL; the fake GitHub API serves `.github/yardmaster.yml` per commit and validates every request
 * against GitHub's REST description. A changed config gets the `yardmaster / config` check run (annotations at the
 * lines of its problems, or what it changes against the default branch); a change landing on the default branch
 * syncs the `apps` / `environments` rows and tells the project managers (Slack DM through the Web API recorder) and
 * the environment's subscribers (e-mail through a real SMTP server) that the environment is set, once.
 */
import { randomBytes } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ENVIRONMENT_SET_AUDIT_ACTION } from '../../src/config/types.ts';
import { apps, auditLog, environments, webhookDeliveries } from '../../src/db/schema.ts';
import {
  DEFAULT_BRANCH,
  githubRequestCheck,
  INSTALLATION,
  REPO_FULL_NAME,
  ROUTES,
  send,
  startHarness,
  type Harness,
} from '../helpers/github-workorder-harness.ts';
import type { RecordedRequest } from '../helpers/github-fake-api.ts';
import { examplePayload, type WebhookPayload } from '../helpers/github-webhooks.ts';
import { startSlackApiRecorder, type SlackApiRecorder } from '../helpers/slack-api-recorder.ts';
import { startMailbox, type Mailbox } from '../helpers/smtp-mailbox.ts';
import { waitFor } from '../helpers/workorder-fixtures.ts';

const CONFIG_PATH = '.github/yardmaster.yml';
const LIST_FILES = 'GET /repos/{owner}/{repo}/pulls/{pull_number}/files';

/** The config in force before the tests: one app, one environment; pam manages, mapped to a Slack member. */
const BASE = `apps:
  shop:
    deploy_to: /srv/shop
    environments:
      production: { hosts: [web], approvals: 2, approvers: [team:ops] }
hosts:
  web:
    - { name: web-1, address: 10.0.0.1 }
roles:
  project_manager: [pam, team:leads, quinn]
  ops: [team:ops]
slack:
  users: { pam: U0PAM }
email:
  users: { Quinn: quinn@example.com }
`;

/** BASE with a staging environment (whose subscribers take environment_set) and production needing 3 approvals. */
const WITH_STAGING = `apps:
  shop:
    deploy_to: /srv/shop
    environments:
      production: { hosts: [web], approvals: 3, approvers: [team:ops] }
      staging:
        hosts: [web]
        approvals: 1
        notify: { events: [environment_set, failed], email: [qa@example.com] }
hosts:
  web:
    - { name: web-1, address: 10.0.0.1 }
roles:
  project_manager: [pam, team:leads, quinn]
  ops: [team:ops]
slack:
  users: { pam: U0PAM }
email:
  users: { Quinn: quinn@example.com }
`;

/** Two problems: approvals on line 5, a port on line 9. */
const BROKEN = `apps:
  shop:
    deploy_to: /srv/shop
    environments:
      production: { hosts: [web], approvals: two }
hosts:
  web:
    - { name: web-1, address: 10.0.0.1 }
    - { name: web-2, address: 10.0.0.2, port: 99999 }
`;

/** Seventy environments, each with a negative approvals count: problem n on line 4 + n. */
const MANY_PROBLEMS = [
  'apps:',
  '  shop:',
  '    deploy_to: /srv/shop',
  '    environments:',
  ...Array.from({ length: 70 }, (_, index) => `      env${index}: { hosts: [web], approvals: -1 }`),
  'hosts:',
  '  web: [{ name: web-1, address: 10.0.0.1 }]',
  '',
].join('\n');

let harness: Harness;
let mailbox: Mailbox;
let recorder: SlackApiRecorder;
/** The config at each commit (and branch name) the fake serves. */
const configAt = new Map<string, string>();
/** The files of each pull request the fake lists. */
const pullFiles = new Map<number, string[]>();
let nextSha = 1;
/** The default branch's head, as the pushes here move it. */
let defaultHead = '0'.repeat(40);

/** A fresh commit SHA. */
function sha(): string {
  return (nextSha++).toString(16).padStart(40, 'a');
}

beforeAll(async () => {
  mailbox = await startMailbox();
  recorder = await startSlackApiRecorder();
  harness = await startHarness({
    configYaml: BASE,
    workDir: '/nonexistent',
    slack: { apiUrl: recorder.url, signingSecret: randomBytes(8).toString('hex') },
    notify: { env: { SMTP_URL: `smtp://127.0.0.1:${mailbox.port}`, SMTP_FROM: 'Yardmaster <yardmaster@example.com>' } },
  });
  // The config per ref: commits from the map, the default branch as the harness has it now.
  harness.fake.handle(ROUTES.contents, (request) => {
    const ref = request.query.ref ?? DEFAULT_BRANCH;
    const yaml = ref === DEFAULT_BRANCH ? harness.config.yaml : configAt.get(ref);
    if (yaml === undefined || !decodeURIComponent(request.path).endsWith(`/${CONFIG_PATH}`))
      return { status: 404, body: { message: 'Not Found' } };
    return {
      status: 200,
      body: {
        type: 'file',
        encoding: 'base64',
        name: 'yardmaster.yml',
        path: CONFIG_PATH,
        sha: 'f'.repeat(40),
        size: Buffer.byteLength(yaml),
        url: `https://api.github.com/repos/${REPO_FULL_NAME}/contents/${CONFIG_PATH}`,
        git_url: null,
        html_url: null,
        download_url: null,
        content: Buffer.from(yaml).toString('base64'),
        _links: { self: '', git: null, html: null },
      },
    };
  });
  harness.fake.handle(LIST_FILES, (request) => {
    const files = pullFiles.get(Number(request.pathParams.pull_number)) ?? [];
    const page = Number(request.query.page ?? '1');
    return {
      status: 200,
      body: page > 1 ? [] : files.map((filename) => ({ sha: 'b'.repeat(40), filename, status: 'modified' })),
    };
  });
}, 60_000);

afterAll(async () => {
  await harness?.close();
  await mailbox?.close();
  await recorder?.close();
});

afterEach(githubRequestCheck(() => harness));

/** A commit of the push payload as GitHub lists it. */
function commit(id: string, files: { added?: string[]; modified?: string[]; removed?: string[] }): WebhookPayload {
  const author = { name: 'Pam', email: 'pam@example.com', username: 'pam' };
  return {
    id,
    tree_id: 'c'.repeat(40),
    distinct: true,
    message: 'Change things',
    timestamp: '2026-12-07T08:00:00Z',
    url: `https://github.com/${REPO_FULL_NAME}/commit/${id}`,
    author,
    committer: author,
    added: files.added ?? [],
    removed: files.removed ?? [],
    modified: files.modified ?? [],
  };
}

/** A push of one commit `after` onto `before` on `branch` (the examples' push, patched). */
function push(
  branch: string,
  before: string,
  after: string,
  files: { added?: string[]; modified?: string[]; removed?: string[] },
): WebhookPayload {
  const head = commit(after, files);
  return examplePayload('push', undefined, {
    ref: `refs/heads/${branch}`,
    before,
    after,
    created: false,
    deleted: false,
    forced: false,
    base_ref: null,
    compare: `https://github.com/${REPO_FULL_NAME}/compare/${before.slice(0, 12)}...${after.slice(0, 12)}`,
    commits: [head],
    head_commit: head,
    pusher: { name: 'pam', email: 'pam@example.com' },
    sender: { login: 'pam', type: 'User' },
    installation: INSTALLATION,
  });
}

function pullRequest(number: number, action: 'opened' | 'synchronize', headSha: string, headRepo: string) {
  return examplePayload('pull_request', 'opened', {
    action,
    number,
    pull_request: {
      number,
      head: { sha: headSha, ref: 'config-change', repo: { full_name: headRepo } },
    },
    sender: { login: 'outsider', type: 'User' },
    installation: INSTALLATION,
  });
}

const annotationSchema = z.object({
  path: z.string(),
  start_line: z.number(),
  end_line: z.number(),
  annotation_level: z.string(),
  title: z.string().optional(),
  message: z.string(),
});

const checkRunBodySchema = z.object({
  name: z.string().optional(),
  head_sha: z.string().optional(),
  status: z.string().optional(),
  conclusion: z.string().optional(),
  output: z.object({ title: z.string(), summary: z.string(), annotations: z.array(annotationSchema).optional() }),
});
type CheckRunBody = z.infer<typeof checkRunBodySchema>;

function bodyOf(request: RecordedRequest): CheckRunBody {
  return checkRunBodySchema.parse(request.body);
}

function checkRunsOn(headSha: string): CheckRunBody[] {
  return harness.fake
    .requestsTo(ROUTES.createCheckRun)
    .map(bodyOf)
    .filter((body) => body.head_sha === headSha);
}

async function environmentRows(): Promise<string[]> {
  const rows = await harness.deps.db
    .select()
    .from(environments)
    .where(eq(environments.repoFullName, REPO_FULL_NAME))
    .orderBy(asc(environments.app), asc(environments.name));
  return rows.map((row) => `${row.app}/${row.name} approvals=${row.approvalsNeeded} hosts=${row.hosts.join(',')}`);
}

async function environmentSetRows(commitSha: string): Promise<string[]> {
  const rows = await harness.deps.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, ENVIRONMENT_SET_AUDIT_ACTION), eq(auditLog.repo, REPO_FULL_NAME)))
    .orderBy(asc(auditLog.id));
  return rows
    .filter((row) => JSON.stringify(row.data).includes(commitSha))
    .map((row) => `${row.actor}: ${row.reason ?? ''}`);
}

describe('the config check run', () => {
  it('is not made for a push that leaves the config alone', async () => {
    const before = harness.fake.requests.length;
    const after = sha();
    configAt.set(after, BROKEN);
    const response = await send(harness, 'push', push('feature', sha(), after, { modified: ['README.md'] }));
    expect(response.status).toBe(200);
    // The delivery was stored and handled, and GitHub heard nothing of it (but for the installation's token).
    const [row] = await harness.deps.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.deliveryId, response.id));
    expect(row?.status).toBe('handled');
    expect(
      harness.fake.requests
        .slice(before)
        .map((request) => `${request.method} ${request.route ?? request.path}`)
        .filter((request) => !request.endsWith('/access_tokens')),
    ).toEqual([]);
    expect(checkRunsOn(after)).toEqual([]);
  });

  it('fails a broken config with each problem annotated at its line', async () => {
    const after = sha();
    configAt.set(after, BROKEN);
    await send(harness, 'push', push('broken', sha(), after, { modified: [CONFIG_PATH] }));
    const [run] = checkRunsOn(after);
    expect(run).toMatchObject({
      name: 'yardmaster / config',
      status: 'completed',
      conclusion: 'failure',
      output: { title: '2 problems in the config' },
    });
    expect(run?.output.annotations).toEqual([
      {
        path: CONFIG_PATH,
        start_line: 5,
        end_line: 5,
        annotation_level: 'failure',
        title: 'apps.shop.environments.production.approvals',
        message: 'expected a whole number',
      },
      {
        path: CONFIG_PATH,
        start_line: 9,
        end_line: 9,
        annotation_level: 'failure',
        title: 'hosts.web[1].port',
        message: 'expected at most 65535',
      },
    ]);
    expect(run?.output.summary).toContain('line 5, column 35, apps.shop.environments.production.approvals');
    // A broken config on a branch changes nothing in force.
    expect(await environmentRows()).toEqual([]);
  });

  it('sends more than 50 annotations in further updates of the same check run', async () => {
    const after = sha();
    configAt.set(after, MANY_PROBLEMS);
    const updatesBefore = harness.fake.requestsTo(ROUTES.updateCheckRun).length;
    await send(harness, 'push', push('many', sha(), after, { modified: [CONFIG_PATH] }));
    const [run] = checkRunsOn(after);
    expect(run?.output.annotations).toHaveLength(50);
    const updates = harness.fake.requestsTo(ROUTES.updateCheckRun).slice(updatesBefore).map(bodyOf);
    expect(updates.map((update) => update.output.annotations?.length)).toEqual([20]);
    const lines = [...(run?.output.annotations ?? []), ...(updates[0]?.output.annotations ?? [])].map(
      (annotation) => annotation.start_line,
    );
    expect(lines).toEqual(Array.from({ length: 70 }, (_, index) => 5 + index));
  });

  it("shows a fork's pull request what it changes against the default branch", async () => {
    const head = sha();
    configAt.set(head, WITH_STAGING);
    pullFiles.set(77, ['README.md', CONFIG_PATH]);
    await send(harness, 'pull_request', pullRequest(77, 'opened', head, 'outsider/Hello-World'));
    const [run] = checkRunsOn(head);
    expect(run).toMatchObject({ conclusion: 'success', output: { title: 'Valid config: 2 change(s)' } });
    expect(run?.output.summary).toBe(
      [
        `Against the config on the default branch (${DEFAULT_BRANCH}):`,
        '',
        '**Environments**',
        '',
        '- environment shop/staging: added',
        '',
        '**Approvals needed**',
        '',
        '- environment shop/production: approvals 2 → 3',
      ].join('\n'),
    );
    expect(harness.fake.requestsTo(LIST_FILES).at(-1)?.query).toMatchObject({ per_page: '100', page: '1' });
  });

  it("leaves a same-repository pull request to its branch's push, and one without config changes alone", async () => {
    const sameRepo = sha();
    configAt.set(sameRepo, WITH_STAGING);
    pullFiles.set(78, [CONFIG_PATH]);
    await send(harness, 'pull_request', pullRequest(78, 'synchronize', sameRepo, REPO_FULL_NAME));
    const fork = sha();
    configAt.set(fork, WITH_STAGING);
    pullFiles.set(79, ['README.md']);
    await send(harness, 'pull_request', pullRequest(79, 'opened', fork, 'outsider/Hello-World'));
    expect([...checkRunsOn(sameRepo), ...checkRunsOn(fork)]).toEqual([]);
  });
});

describe('a config change landing on the default branch', () => {
  it('syncs the apps and environments and tells the project managers and subscribers once', async () => {
    // The config as it was: the first push onto the default branch sets production.
    const first = sha();
    configAt.set(first, BASE);
    await send(harness, 'push', push(DEFAULT_BRANCH, defaultHead, first, { added: [CONFIG_PATH] }));
    expect(await environmentRows()).toEqual(['shop/production approvals=2 hosts=web']);
    expect(await environmentSetRows(first)).toEqual([`pam: environment shop/production added by ${first.slice(0, 7)}`]);

    // The change lands: staging added, production changed.
    const landed = sha();
    configAt.set(landed, WITH_STAGING);
    harness.config.yaml = WITH_STAGING;
    const payload = push(DEFAULT_BRANCH, first, landed, { modified: [CONFIG_PATH] });
    const response = await send(harness, 'push', payload);
    const [run] = checkRunsOn(landed);
    expect(run?.conclusion).toBe('success');
    expect(run?.output.summary).toContain(
      `Against the config on ${DEFAULT_BRANCH} before this push (${first.slice(0, 7)}):`,
    );
    expect(run?.output.summary).toContain('- environment shop/staging: added');
    expect(await environmentRows()).toEqual([
      'shop/production approvals=3 hosts=web',
      'shop/staging approvals=1 hosts=web',
    ]);
    const [app] = await harness.deps.db.select().from(apps).where(eq(apps.repoFullName, REPO_FULL_NAME));
    expect(app).toMatchObject({ name: 'shop', deployTo: '/srv/shop' });
    expect(await environmentSetRows(landed)).toEqual([
      `pam: environment shop/production changed by ${landed.slice(0, 7)}`,
      `pam: environment shop/staging added by ${landed.slice(0, 7)}`,
    ]);

    await harness.notifications?.drain();
    // pam is mapped to a Slack member: a DM per environment set (team:leads cannot be reached; quinn only by e-mail).
    const dms = await recorder.waitFor('chat.postMessage', {
      count: 3,
      where: (call) => call.args.channel === 'U0PAM',
      timeoutMs: 20_000,
    });
    expect(dms.map((call) => String(call.args.text).split('\n')[0]).sort()).toEqual([
      `[Yardmaster] environment shop/production is set (${REPO_FULL_NAME})`,
      `[Yardmaster] environment shop/production is set (${REPO_FULL_NAME})`,
      `[Yardmaster] environment shop/staging is set (${REPO_FULL_NAME})`,
    ]);
    // staging's subscriber takes environment_set: one e-mail, for staging only.
    const mail = await waitFor(
      'the e-mail to qa@example.com',
      () => Promise.resolve(mailbox.messages.find((message) => message.to.includes('qa@example.com'))),
      20_000,
    );
    const subject = /^Subject: (.*(?:\r\n[ \t].*)*)/m.exec(mail.raw)?.[1]?.replace(/\r\n[ \t]+/g, ' ');
    expect(subject).toBe(`[Yardmaster] environment shop/staging is set (${REPO_FULL_NAME})`);
    expect(mail.raw).toContain(`Commit: ${landed}`);
    // quinn is not on Slack but has an address in email.users (its login matched as GitHub does, case aside).
    const mailsTo = (address: string): string[] =>
      mailbox.messages
        .filter((message) => message.to.includes(address))
        .map((message) => /^Subject: (.*(?:\r\n[ \t].*)*)/m.exec(message.raw)?.[1]?.replace(/\r\n[ \t]+/g, ' ') ?? '')
        .sort();
    await waitFor(
      'three e-mails to quinn',
      () => Promise.resolve(mailsTo('quinn@example.com').length >= 3 ? true : undefined),
      20_000,
    );
    expect(mailsTo('quinn@example.com')).toEqual(dms.map((call) => String(call.args.text).split('\n')[0]).sort());

    // The same delivery again (GitHub's redelivery keeps its id), then the same push as a new delivery (a retry):
    // neither audits nor notifies again.
    expect((await send(harness, 'push', payload, response.id)).status).toBe(200);
    await send(harness, 'push', payload);
    expect(await environmentSetRows(landed)).toHaveLength(2);
    // A later change's notice is the barrier: once it is out, a second notice of the first would be too.
    const later = sha();
    const stagingTwoApprovals = WITH_STAGING.replace('approvals: 1', 'approvals: 2');
    configAt.set(later, stagingTwoApprovals);
    harness.config.yaml = stagingTwoApprovals;
    await send(harness, 'push', push(DEFAULT_BRANCH, landed, later, { modified: [CONFIG_PATH] }));
    defaultHead = later;
    await harness.notifications?.drain();
    await waitFor(
      'the second e-mail to qa@example.com',
      () =>
        Promise.resolve(
          mailbox.messages.filter((message) => message.to.includes('qa@example.com')).length >= 2 ? true : undefined,
        ),
      20_000,
    );
    await recorder.waitFor('chat.postMessage', {
      count: 4,
      where: (call) => call.args.channel === 'U0PAM',
      timeoutMs: 20_000,
    });
    expect(mailbox.messages.filter((message) => message.to.includes('qa@example.com'))).toHaveLength(2);
    await waitFor(
      'the fourth e-mail to quinn',
      () => Promise.resolve(mailsTo('quinn@example.com').length >= 4 ? true : undefined),
      20_000,
    );
    expect(mailsTo('quinn@example.com')).toHaveLength(4);
    expect(recorder.callsTo('chat.postMessage').filter((call) => call.args.channel === 'U0PAM')).toHaveLength(4);
  });

  it('is a notice when the config is removed, and the environments go with it', async () => {
    const removed = sha();
    const [previous] = await harness.deps.db.select().from(apps).where(eq(apps.repoFullName, REPO_FULL_NAME));
    expect(previous).toBeDefined();
    await send(harness, 'push', push(DEFAULT_BRANCH, defaultHead, removed, { removed: [CONFIG_PATH] }));
    const [run] = checkRunsOn(removed);
    expect(run).toMatchObject({ conclusion: 'neutral', output: { title: 'Config removed' } });
    expect(await environmentRows()).toEqual([]);
    expect(await harness.deps.db.select().from(apps).where(eq(apps.repoFullName, REPO_FULL_NAME))).toEqual([]);
  });
});
