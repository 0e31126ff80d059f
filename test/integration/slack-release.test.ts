/**
 * Slack end to end with a real release: a plan, a Slack approval by a mapped ops member and a GitHub `/approve` by
 * another make the quorum; a real worker releases to three sshd hosts; the approval message follows the order and
 * its thread gets one reply per stage and the outcome. A release that fails in part offers Rollback to deployers.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { STAGES } from '../../src/deploy/types.ts';
import { findWorkOrder, type WorkOrder } from '../../src/workorders/service/index.ts';
import type { WorkOrderState } from '../../src/workorders/types.ts';
import {
  commentsMatching,
  formBody,
  githubRequestCheck,
  issueComment,
  issueOpened,
  PR_SHA,
  repoConfigYaml,
  REPO_FULL_NAME,
  review,
  send,
  startHarness,
  type Harness,
} from '../helpers/github-workorder-harness.ts';
import { liveTarget } from '../helpers/host-files.ts';
import { buildPackage, type BuiltPackage } from '../helpers/release-fixtures.ts';
import { startSlackApiRecorder, type SlackApiRecorder, type SlackCall } from '../helpers/slack-api-recorder.ts';
import { expectValidBlocks } from '../helpers/slack-block-kit.ts';
import { buttonClick, postInteraction, postSlashCommand } from '../helpers/slack-requests.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';
import { planComment, waitFor } from '../helpers/workorder-fixtures.ts';

const USERS = { carol: 'U0CAROL', dave: 'U0DAVE', erin: 'U0ERIN', pam: 'U0PAM' };
const SECRET = randomBytes(16).toString('hex');
const HEALTH =
  'commands:\n  health: { command: "test ! -e ../../FAIL_HEALTH && test -f VERSION", retries: 1, interval: 100ms }';
let fleet: SshdFleet;
let work: string;
let recorder: SlackApiRecorder;
let harness: Harness;
let events: string;
const packages: Record<string, BuiltPackage> = {};
let nextComment = 30_000;

beforeAll(async () => {
  fleet = await startSshdFleet(3);
  work = await mkdtemp(join(tmpdir(), 'ym-slack-'));
  for (const version of ['1.0.0', '2.0.0']) packages[version] = await buildPackage(join(work, 'pkgs'), version);
  recorder = await startSlackApiRecorder();
  const yaml = `${repoConfigYaml(fleet.hostEntries(), 'production: { hosts: [web], approvals: 2, approvers: [team:ops] }')}slack: { team: TTEAM, channel: C0OPS, users: ${JSON.stringify(USERS)} }\n`;
  harness = await startHarness({
    configYaml: yaml,
    fleet,
    workDir: work,
    slack: { apiUrl: recorder.url, signingSecret: SECRET },
  });
  events = new URL('/slack/events', harness.app.server.url).toString();
}, 60_000);

afterAll(async () => {
  await harness?.close();
  await recorder?.close();
  await fleet?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

afterEach(githubRequestCheck(() => harness));

function pkg(version: string): BuiltPackage {
  const found = packages[version];
  if (found === undefined) throw new Error(`no package ${version}`);
  return found;
}

async function waitForState(number: number, states: readonly WorkOrderState[]): Promise<WorkOrder> {
  return waitFor(`#${number} to reach ${states.join('|')}`, async () => {
    const order = await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number });
    return order !== undefined && states.includes(order.state) ? order : undefined;
  });
}

/**
 * A work order with a plan, approved by dave in Slack and by erin on GitHub: on a pull request (`/deploy`, erin's
 * review) or on an issue (erin's `/approve`). Returns the approval message.
 */
async function approved(
  number: number,
  version: string,
  more: string,
  on: 'pull request' | 'issue' = 'issue',
): Promise<SlackCall> {
  const pr = on === 'pull request';
  if (pr)
    await send(
      harness,
      'issue_comment',
      issueComment(number, nextComment++, 'pam', '/deploy production', 'created', true),
    );
  else
    await send(
      harness,
      'issues',
      issueOpened(
        number,
        'pam',
        formBody({ requirement: 'Ship', planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' }),
      ),
    );
  const { url, sha256 } = pkg(version);
  await send(
    harness,
    'issue_comment',
    issueComment(
      number,
      nextComment++,
      'carol',
      planComment({ environment: 'production', version, url, sha256, more }),
      'created',
      pr,
    ),
  );
  const [message] = await recorder.waitFor('chat.postMessage', {
    where: (call) => call.args.thread_ts === undefined && JSON.stringify(call.args.blocks ?? '').includes(`#${number}`),
  });
  if (message === undefined) throw new Error('no approval message');
  const value = /"value":"(\d+:[0-9a-f]{64})"/.exec(JSON.stringify(message.args.blocks))?.[1] ?? '';
  await postInteraction(
    events,
    SECRET,
    buttonClick({
      user: USERS.dave,
      actionId: 'yardmaster_approve',
      value,
      channel: 'C0OPS',
      messageTs: String(message.answer.ts),
    }),
  );
  await harness.slack?.idle();
  if (pr) await send(harness, 'pull_request_review', review(number, 9000 + number, 'erin', 'approved', PR_SHA));
  else await send(harness, 'issue_comment', issueComment(number, nextComment++, 'erin', '/approve'));
  return message;
}

function thread(message: SlackCall): SlackCall[] {
  return recorder.callsTo('chat.postMessage').filter((call) => call.args.thread_ts === message.answer.ts);
}

function text(call: SlackCall | undefined): string {
  const text = call?.args.text;
  return `${typeof text === 'string' ? text : ''} ${JSON.stringify(call?.args.blocks ?? '')}`;
}

describe('a release approved from Slack and GitHub', () => {
  it('releases a pull request to the hosts, with the stages in the thread and the message following the order', async () => {
    const message = await approved(201, '1.0.0', HEALTH, 'pull request');
    const order = await waitForState(201, ['succeeded', 'failed', 'aborted']);
    expect(order.state).toBe('succeeded');
    await harness.reporter.idle();
    await harness.slack?.idle();
    for (const host of fleet.hostEntries()) expect(await liveTarget(host.deployTo ?? '')).toBe('releases/1.0.0');

    const replies = thread(message);
    expect(replies[0]?.args.text).toMatch(/Releasing 1\.0\.0 to production/);
    // One reply per stage across hosts, each finally updated to show every host done.
    const stageReplies = replies.filter((call) => /^\S+ \*\w+\*:/.test(String(call.args.text)));
    expect(stageReplies.map((call) => /\*(\w+)\*/.exec(String(call.args.text))?.[1])).toEqual([...STAGES]);
    for (const reply of stageReplies) {
      const updates = recorder.callsTo('chat.update').filter((call) => call.args.ts === reply.answer.ts);
      const last = text(updates.at(-1) ?? reply);
      // Done on every host: ok, or skipped where the plan has nothing for the stage.
      for (const host of fleet.hostEntries()) expect(last).toMatch(new RegExp(`${host.name} (✅|⏭️)`, 'u'));
      expect(last).not.toMatch(/⏳|❌/u);
    }
    expect(text(replies.at(-1))).toMatch(/Released\*? 1\.0\.0 to production\* on 3 hosts/);
    expect(text(replies.at(-1))).not.toContain('yardmaster_rollback');

    const updates = recorder.callsTo('chat.update').filter((call) => call.args.ts === message.answer.ts);
    for (const update of updates) expectValidBlocks(update.args.blocks);
    const states = updates.map(
      (call) =>
        /\*(Waiting for approval|✅ Approved: queued to start|🚀 Releasing|✅ Released)\*/u.exec(
          JSON.stringify(call.args.blocks),
        )?.[1],
    );
    expect(states).toContain('🚀 Releasing');
    expect(states.at(-1)).toBe('✅ Released');
    await commentsMatching(harness, 201, /@dave approved this plan from Slack/);
    // No token or secret in any message or comment (the token goes to Slack only as the credential of each call).
    const messages = recorder.calls.filter((call) => /^(chat|views)\./.test(call.method)).map((call) => call.args);
    const sent = JSON.stringify([messages, harness.fake.requests.map((request) => request.body)]);
    expect(sent).not.toContain('xoxb-test-token');
    expect(sent).not.toContain(SECRET);
  });

  it('offers Rollback after a release that failed in part, for deployers only', async () => {
    const broken = fleet.hostEntries()[2]?.deployTo ?? '';
    await writeFile(join(broken, 'FAIL_HEALTH'), '');
    let message: SlackCall;
    try {
      message = await approved(202, '2.0.0', `strategy: { mode: serial, max_failures: 1 }\n${HEALTH}`);
      expect((await waitForState(202, ['succeeded', 'failed', 'aborted'])).state).toBe('failed');
      await harness.reporter.idle();
      await harness.slack?.idle();
    } finally {
      await rm(join(broken, 'FAIL_HEALTH'));
    }
    const outcome = thread(message).at(-1);
    expect(text(outcome)).toMatch(/failed\* in part/);
    expect(text(outcome)).toContain(fleet.hostEntries()[2]?.name ?? '?');
    expectValidBlocks(outcome?.args.blocks);
    const order = await waitForState(202, ['failed']);
    expect(text(outcome)).toContain(
      `"action_id":"yardmaster_rollback","text":{"type":"plain_text","text":"Rollback"},"style":"danger","value":"${order.id}"`,
    );

    const click = (user: string, actionTs: string) =>
      postInteraction(
        events,
        SECRET,
        buttonClick({
          user,
          actionId: 'yardmaster_rollback',
          value: String(order.id),
          channel: 'C0OPS',
          messageTs: String(outcome?.answer.ts),
          actionTs,
        }),
      );
    expect((await click(USERS.pam, '1700000300.000001')).status).toBe(200);
    await harness.slack?.idle();
    const [refusal] = await recorder.waitFor('chat.postEphemeral', { where: (call) => call.args.user === USERS.pam });
    expect(String(refusal?.args.text)).toMatch(/Refused for @pam/);
    expect((await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number: 202 }))?.state).toBe('failed');

    // erin is a deployer too, but the order names dave: her click is refused, naming him.
    expect((await click(USERS.erin, '1700000300.000002')).status).toBe(200);
    await harness.slack?.idle();
    const [named] = await recorder.waitFor('chat.postEphemeral', { where: (call) => call.args.user === USERS.erin });
    expect(String(named?.args.text)).toContain('Refused for @erin: this work order names @dave as its deployer');
    expect((await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number: 202 }))?.state).toBe('failed');

    expect((await click(USERS.dave, '1700000301.000001')).status).toBe(200);
    await harness.slack?.idle();
    await waitFor('the rollback to finish', async () => {
      const rolled = await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number: 202 });
      return rolled?.state === 'failed' &&
        (await liveTarget(fleet.hostEntries()[0]?.deployTo ?? '')) === 'releases/1.0.0'
        ? rolled
        : undefined;
    });
    for (const host of fleet.hostEntries()) expect(await liveTarget(host.deployTo ?? '')).toBe('releases/1.0.0');
    await commentsMatching(harness, 202, /@dave asked for a rollback from Slack/);
  });
});

describe('/yardmaster status', () => {
  it('says what is live where, what runs and waits, and which environments are locked, to the member only', async () => {
    const status = async (text: string): Promise<{ response_type?: string; text?: string; blocks?: unknown }> => {
      const response = await postSlashCommand(events, SECRET, { user: USERS.pam, channel: 'C0OPS', text });
      expect(response.status).toBe(200);
      return (await response.json()) as { response_type?: string; text?: string; blocks?: unknown };
    };
    const all = await status('status');
    expect(all.response_type).toBe('ephemeral');
    expectValidBlocks(all.blocks);
    // After the rollback above, what is live is the release the hosts went back to.
    expect(JSON.stringify(all.blocks)).toContain(`${REPO_FULL_NAME} shop/production: \`1.0.0\``);
    expect(JSON.stringify(all.blocks)).toContain('no release running');

    await send(
      harness,
      'issue_comment',
      issueComment(201, nextComment++, 'dave', '/lock database migration', 'created', true),
    );
    const locked = await status('status shop production');
    expect(JSON.stringify(locked.blocks)).toContain('@dave (manual) — database migration');
    expect(JSON.stringify((await status('status shop staging')).blocks)).toContain('nothing released yet');
    expect((await status('deploy everything')).text).toMatch(/Usage: `\/yardmaster status \[app\] \[environment\]`/);
    await send(harness, 'issue_comment', issueComment(201, nextComment++, 'dave', '/unlock', 'created', true));
  });
});
