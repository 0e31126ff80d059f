/**
 * Named people end to end: the plan author, deployer and acceptor a work order names (issue form, or `/deploy <env>`
 * options) are the only holders of their role who act at their step; another holder acts only with
 * `--override-named "<reason>"`, audited with the person named. Each is called at their step: an @mention in the
 * order's comment and a Slack DM (the local Slack API stand-in) or e-mail (a local SMTP server) where the repo config
 * maps them. Signed deliveries of real example payloads to the real App; a release worker deploys to an sshd host;
 * every GitHub request is validated against GitHub's REST description.
 */
import { and, asc, eq } from 'drizzle-orm';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, planVersions } from '../../src/db/schema.ts';
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
  bodyText,
  send,
  startHarness,
  type Harness,
} from '../helpers/github-workorder-harness.ts';
import { buildPackage, type BuiltPackage } from '../helpers/release-fixtures.ts';
import { startSlackApiRecorder, type SlackApiRecorder } from '../helpers/slack-api-recorder.ts';
import { startMailbox, type Mailbox } from '../helpers/smtp-mailbox.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';
import { planComment, waitFor } from '../helpers/workorder-fixtures.ts';

const USERS = { dave: 'U0DAVE', pam: 'U0PAM' };
const EMAILS = { carol: 'carol@example.com', pam: 'pam@example.com' };
/** Far ahead: an approved order waits, scheduled, for its deployer. */
const LATER = '2099-01-01T00:00:00Z';

let fleet: SshdFleet;
let work: string;
let pkg: BuiltPackage;
let mailbox: Mailbox;
let recorder: SlackApiRecorder;
let harness: Harness;
let nextComment = 60_000;

beforeAll(async () => {
  fleet = await startSshdFleet(1);
  work = await mkdtemp(join(tmpdir(), 'ym-named-'));
  pkg = await buildPackage(join(work, 'pkgs'), '1.0.0');
  mailbox = await startMailbox();
  recorder = await startSlackApiRecorder();
  // erin holds the acceptor role too, so that the acceptor rule (not the role) is what refuses her.
  const config = repoConfigYaml(
    fleet.hostEntries(),
    'production: { hosts: [web], approvals: 1, approvers: [team:ops] }',
  ).replace('  acceptor: [pam]', '  acceptor: [pam, erin]');
  harness = await startHarness({
    configYaml:
      `${config}slack: { channel: C0OPS, users: ${JSON.stringify(USERS)} }\n` +
      `email: { users: ${JSON.stringify(EMAILS)} }\n`,
    fleet,
    workDir: work,
    slack: { apiUrl: recorder.url, signingSecret: randomBytes(8).toString('hex') },
    notify: { env: { SMTP_URL: `smtp://127.0.0.1:${mailbox.port}`, SMTP_FROM: 'Yardmaster <yardmaster@example.com>' } },
  });
}, 60_000);

afterAll(async () => {
  await harness?.close();
  await mailbox?.close();
  await recorder?.close();
  await fleet?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

afterEach(githubRequestCheck(() => harness));

const FORM = { requirement: 'Ship it', planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' };

async function orderOf(number: number): Promise<WorkOrder> {
  return waitFor(`work order of #${number}`, () =>
    findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number }),
  );
}

function waitForState(number: number, states: readonly WorkOrderState[]): Promise<WorkOrderState> {
  return waitFor(`#${number} to reach ${states.join('|')}`, async () => {
    const order = await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number });
    return order !== undefined && states.includes(order.state) ? order.state : undefined;
  });
}

async function comment(number: number, author: string, body: string, pullRequest = false): Promise<number> {
  const id = nextComment++;
  const response = await send(harness, 'issue_comment', issueComment(number, id, author, body, 'created', pullRequest));
  expect(response.status).toBeLessThan(300);
  return id;
}

function plan(more?: string): string {
  return planComment({
    environment: 'production',
    version: '1.0.0',
    url: pkg.url,
    sha256: pkg.sha256,
    ...(more === undefined ? {} : { more }),
  });
}

function commentsOn(number: number, pattern: RegExp): string[] {
  return harness.fake
    .requestsTo(ROUTES.comments)
    .filter((request) => request.pathParams.issue_number === String(number))
    .map(bodyText)
    .filter((body) => pattern.test(body));
}

async function overrides(order: WorkOrder): Promise<{ actor: string; reason: string | null; data: unknown }[]> {
  const rows = await harness.deps.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.workOrderId, order.id), eq(auditLog.action, 'named.override')))
    .orderBy(asc(auditLog.id));
  return rows.map((row) => ({ actor: row.actor, reason: row.reason, data: row.data }));
}

async function openIssue(number: number, scheduled?: string): Promise<WorkOrder> {
  const body = formBody({ ...FORM, ...(scheduled === undefined ? {} : { scheduled }) });
  const payload = issueOpened(number, 'pam', body);
  expect((await send(harness, 'issues', payload)).status).toBeLessThan(300);
  await commentsMatching(harness, number, /Work order received/);
  return orderOf(number);
}

function mailsTo(address: string): { subject: string; raw: string }[] {
  return mailbox.messages
    .filter((message) => message.to.includes(address))
    .map((message) => ({
      subject: /^Subject: (.*(?:\r\n[ \t].*)*)/m.exec(message.raw)?.[1]?.replace(/\r\n[ \t]+/g, ' ') ?? '',
      // The body is quoted-printable: soft line breaks undone.
      raw: message.raw.replace(/=\r\n/g, ''),
    }));
}

describe('the named plan author', () => {
  it('is called when the order opens, and another developer is refused unless overriding with a reason', async () => {
    const payload = issueOpened(601, 'pam', formBody(FORM));
    await send(harness, 'issues', payload, 'named-601');
    const [received] = await commentsMatching(harness, 601, /Work order received/);
    expect(received).toContain('@carol, the plan author this work order names, posts the deployment plan');
    expect(received).toContain('Named: deployer @dave, acceptor @pam.');
    const order = await orderOf(601);
    // A redelivery of the same event calls nobody again.
    await send(harness, 'issues', payload, 'named-601');
    await harness.notifications?.drain();
    const mails = await waitFor('the plan author’s e-mail', () =>
      Promise.resolve(mailsTo(EMAILS.carol).length > 0 ? mailsTo(EMAILS.carol) : undefined),
    );
    expect(mails[0]?.subject).toBe(
      `[Yardmaster] Your turn as plan author: work order ${order.id} requested (${REPO_FULL_NAME}#601)`,
    );
    expect(mails[0]?.raw).toContain(
      `@carol, as the plan author of ${REPO_FULL_NAME}#601: please post the deployment plan.`,
    );

    // dev is a developer, but not the one named.
    await comment(601, 'dev', plan());
    const [refusal] = await commentsMatching(harness, 601, /@dev This plan was refused/);
    expect(refusal).toContain('this work order names @carol as its plan author');
    expect(refusal).toContain('--override-named "<reason>"');
    expect(await harness.deps.db.select().from(planVersions).where(eq(planVersions.workOrderId, order.id))).toEqual([]);

    await comment(601, 'dev', `--override-named "carol is on leave this week"\n\n${plan()}`);
    const [summary] = await commentsMatching(harness, 601, /Plan v1 checked/);
    expect(summary).toContain(
      'Written instead of @carol, the plan author this work order names: carol is on leave this week (recorded).',
    );
    expect(await overrides(order)).toEqual([
      {
        actor: 'dev',
        reason: 'carol is on leave this week',
        data: { command: 'write-plan', role: 'plan_author', named: 'carol', seq: 1 },
      },
    ]);
    expect(commentsOn(601, /Work order received/)).toHaveLength(1);
    expect(mailsTo(EMAILS.carol)).toHaveLength(1);
  });

  it('writes the plan without an override', async () => {
    const order = await openIssue(602);
    await comment(602, 'carol', plan());
    await commentsMatching(harness, 602, /Plan v1 checked/);
    expect(await overrides(order)).toEqual([]);
  });
});

describe('the named deployer', () => {
  it('alone starts or aborts; another deployer needs a reason, which is audited; a non-deployer is refused', async () => {
    const order = await openIssue(603, LATER);
    await comment(603, 'carol', plan());
    await commentsMatching(harness, 603, /Plan v1 checked/);
    await comment(603, 'erin', '/approve');
    const [scheduled] = await commentsMatching(harness, 603, /Scheduled for/);
    expect(scheduled).toContain('@dave, the deployer this work order names: /deploy starts it now, /abort stops it.');
    expect(await waitForState(603, ['scheduled'])).toBe('scheduled');
    await harness.notifications?.drain();
    const [dm] = await recorder.waitFor('chat.postMessage', {
      where: (call) => call.args.channel === USERS.dave,
      timeoutMs: 20_000,
    });
    expect(String(dm?.args.text)).toBe(
      `@dave, as the deployer of ${REPO_FULL_NAME}#603: the release is yours to start or stop (/deploy, /abort).\n` +
        `${harness.publicUrl}/orders/${order.id}`,
    );

    for (const command of ['/deploy', '/abort']) {
      const refused = await comment(603, 'erin', command);
      expect(await reactionOn(harness, refused)).toBe('confused');
    }
    const refusals = await commentsMatching(harness, 603, /@erin `\/(deploy|abort)` was refused/, 2);
    for (const text of refusals) {
      expect(text).toContain('this work order names @dave as its deployer');
      expect(text).toMatch(/another deployer may act instead with \/(deploy|abort) --override-named "<reason>"/);
    }
    // pam holds no deployer role: refused for the role, override or not.
    await comment(603, 'pam', '/deploy --override-named "I am in a hurry"');
    await commentsMatching(harness, 603, /@pam `\/deploy` was refused: @pam is not a deployer/);
    expect(await overrides(order)).toEqual([]);
    expect((await orderOf(603)).state).toBe('scheduled');

    const start = await comment(603, 'erin', '/deploy --override-named "dave is offline, INC-9"');
    expect(await reactionOn(harness, start)).toBe('+1');
    const [started] = await commentsMatching(harness, 603, /@erin Starting shop/);
    expect(started).toContain(
      'Done instead of @dave, the deployer this work order names: dave is offline, INC-9 (recorded).',
    );
    expect(await overrides(order)).toEqual([
      { actor: 'erin', reason: 'dave is offline, INC-9', data: { command: 'deploy', role: 'deployer', named: 'dave' } },
    ]);
    expect(await waitForState(603, ['succeeded', 'failed', 'aborted'])).toBe('succeeded');
    await harness.reporter.idle();
    const [release] = await commentsMatching(harness, 603, /The release started/);
    expect(release).toContain('@dave, the deployer this work order names: `/abort` stops it');
  });

  it('aborts a scheduled order himself', async () => {
    const order = await openIssue(604, LATER);
    await comment(604, 'carol', plan());
    await commentsMatching(harness, 604, /Plan v1 checked/);
    await comment(604, 'erin', '/approve');
    expect(await waitForState(604, ['scheduled'])).toBe('scheduled');
    const abort = await comment(604, 'dave', '/abort not this week');
    expect(await reactionOn(harness, abort)).toBe('+1');
    expect(await waitForState(604, ['aborted'])).toBe('aborted');
    expect(await overrides(order)).toEqual([]);
  });
});

// Order #603 of the test before has succeeded: its acceptor is called now.
describe('the named acceptor', () => {
  it('is called when the release succeeds; another acceptor accepts only with a reason', async () => {
    const order = await orderOf(603);
    const [succeeded] = await commentsMatching(harness, 603, /succeeded\*\*/);
    expect(succeeded).toContain(
      '@pam, the result acceptor this work order names: please check the result and accept it with `/accept`.',
    );
    await harness.notifications?.drain();
    const [dm] = await recorder.waitFor('chat.postMessage', {
      where: (call) => call.args.channel === USERS.pam,
      timeoutMs: 20_000,
    });
    expect(String(dm?.args.text)).toContain(
      `@pam, as the result acceptor of ${REPO_FULL_NAME}#603: please check the result`,
    );
    const mails = await waitFor('the acceptor’s e-mail', () =>
      Promise.resolve(mailsTo(EMAILS.pam).length > 0 ? mailsTo(EMAILS.pam) : undefined),
    );
    expect(mails.map((mail) => mail.subject)).toEqual([
      `[Yardmaster] Your turn as result acceptor: shop 1.0.0 to production succeeded (${REPO_FULL_NAME}#603)`,
    ]);

    const refused = await comment(603, 'erin', '/accept looks fine');
    expect(await reactionOn(harness, refused)).toBe('confused');
    const [refusal] = await commentsMatching(harness, 603, /@erin `\/accept` was refused/);
    expect(refusal).toContain('this work order names @pam as its acceptor');
    // dave holds no acceptor role at all.
    await comment(603, 'dave', '/accept --override-named "pam asked me to"');
    await commentsMatching(harness, 603, /@dave `\/accept` was refused: @dave is not an acceptor/);
    expect((await orderOf(603)).state).toBe('succeeded');

    const accepted = await comment(603, 'erin', '/accept --override-named "pam is on holiday; checked the dashboards"');
    expect(await reactionOn(harness, accepted)).toBe('+1');
    await commentsMatching(
      harness,
      603,
      /@erin Accepted by @erin\. Done instead of @pam, the acceptor this work order names/,
    );
    expect(await waitForState(603, ['accepted'])).toBe('accepted');
    expect((await overrides(order)).at(-1)).toEqual({
      actor: 'erin',
      reason: 'pam is on holiday; checked the dashboards',
      data: { command: 'accept', role: 'acceptor', named: 'pam' },
    });
    // One call per step: one DM to each of dave and pam, however often the fan-out ran.
    await harness.notifications?.drain();
    expect(recorder.callsTo('chat.postMessage').filter((call) => call.args.channel === USERS.pam)).toHaveLength(1);
    expect(
      recorder
        .callsTo('chat.postMessage')
        .filter((call) => call.args.channel === USERS.dave && String(call.args.text).includes('#603'))
        .map((call) => String(call.args.text).split(':')[0]),
    ).toEqual([`@dave, as the deployer of ${REPO_FULL_NAME}#603`, `@dave, as the deployer of ${REPO_FULL_NAME}#603`]);
  });
});

describe('/deploy <env> with people', () => {
  it('names them on a pull-request deployment, and the named plan author alone writes the plan', async () => {
    const opened = await comment(605, 'pam', '/deploy production plan-author=@carol deployer=dave acceptor=@pam', true);
    expect(await reactionOn(harness, opened)).toBe('+1');
    const [reply] = await commentsMatching(harness, 605, /Deployment work order \d+ opened/);
    expect(reply).toContain('@carol, the plan author this work order names, posts the deployment plan');
    expect(await orderOf(605)).toMatchObject({ planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' });
    await comment(605, 'dev', plan(), true);
    await commentsMatching(harness, 605, /@dev This plan was refused.*names @carol as its plan author/);

    const bad = await comment(606, 'pam', '/deploy production deployer=@-x', true);
    expect(await reactionOn(harness, bad)).toBe('confused');
    await commentsMatching(harness, 606, /"deployer=@-x": deployer needs a GitHub login/);
  });
});
