/**
 * Finding 5 (red team): an approval counts only for the plan version that existed when it was given. GitHub may
 * deliver an `/approve` comment or a review after the plan changed (a slow delivery, a redelivery, a plan edited in
 * the same minute); the approver saw the plan current at the comment's `created_at` / the review's `submitted_at`
 * (GitHub's clock on both sides). `/approve <digest-prefix>` binds explicitly. Signed deliveries of the real example
 * payloads go through Probot to the work-order service on PostgreSQL.
 */
import { asc, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry } from '../../src/config/types.ts';
import { planVersions } from '../../src/db/schema.ts';
import { findWorkOrder, type WorkOrder } from '../../src/workorders/service/index.ts';
import {
  commentsMatching,
  formBody,
  githubRequestCheck,
  issueComment,
  issueOpened,
  nextGitHubTime,
  PR_SHA,
  reactionOn,
  repoConfigYaml,
  REPO_FULL_NAME,
  review,
  send,
  startHarness,
  type Harness,
} from '../helpers/github-workorder-harness.ts';
import { planComment, waitFor } from '../helpers/workorder-fixtures.ts';

const SHA = 'b'.repeat(64);
const HOSTS: HostEntry[] = [{ name: 'web-1', address: '127.0.0.1', port: 22, executor: 'ssh' }];

let harness: Harness;
let nextComment = 9_500;

beforeAll(async () => {
  harness = await startHarness({
    configYaml: repoConfigYaml(HOSTS, 'production: { hosts: [web], approvals: 1, approvers: [team:ops] }'),
    workDir: '/tmp',
  });
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

afterEach(githubRequestCheck(() => harness));

async function orderOf(number: number): Promise<WorkOrder> {
  return waitFor(`order #${number}`, () => findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number }));
}

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
  return orderOf(number);
}

function plan(version: string): string {
  return planComment({
    environment: 'production',
    version,
    url: `https://artifacts.example.com/shop-${version}.tgz`,
    sha256: SHA,
  });
}

async function digests(order: WorkOrder): Promise<string[]> {
  const rows = await harness.deps.db
    .select()
    .from(planVersions)
    .where(eq(planVersions.workOrderId, order.id))
    .orderBy(asc(planVersions.seq));
  return rows.map((row) => row.digest);
}

describe('finding 5: an approval binds to the plan version the approver saw', () => {
  it('refuses an /approve given before the current plan version, naming both versions', async () => {
    const order = await openIssue(521);
    const planId = nextComment++;
    await send(harness, 'issue_comment', issueComment(521, planId, 'dev', plan('1.0.0')));
    await commentsMatching(harness, 521, /Plan v1 checked/);

    // dave approves while v1 is current; dev edits the plan a second later; GitHub delivers the approval last.
    const approvedAt = nextGitHubTime();
    await send(harness, 'issue_comment', issueComment(521, planId, 'dev', plan('6.6.6'), 'edited'));
    await commentsMatching(harness, 521, /Plan v2 checked.*6\.6\.6/);
    const approveId = nextComment++;
    await send(
      harness,
      'issue_comment',
      issueComment(521, approveId, 'dave', '/approve', 'created', false, { createdAt: approvedAt }),
    );

    expect(await reactionOn(harness, approveId)).toBe('confused');
    const [refusal] = await commentsMatching(harness, 521, /@dave .*\/approve.* was refused/);
    const [v1, v2] = await digests(order);
    expect(refusal).toContain(`given at ${approvedAt.replace('Z', '')}`);
    expect(refusal).toContain(`plan v1 (digest ${v1?.slice(0, 12)}`);
    expect(refusal).toContain(`now v2 (digest ${v2?.slice(0, 12)}`);
    expect((await orderOf(521)).state).toBe('planned');

    // An approval given after v2 counts.
    const again = nextComment++;
    await send(harness, 'issue_comment', issueComment(521, again, 'dave', '/approve'));
    expect(await reactionOn(harness, again)).toBe('+1');
    expect((await orderOf(521)).state).toBe('approved');
  });

  it('binds /approve <digest-prefix> to that digest', async () => {
    const order = await openIssue(522);
    const planId = nextComment++;
    await send(harness, 'issue_comment', issueComment(522, planId, 'dev', plan('1.0.0')));
    await commentsMatching(harness, 522, /Plan v1 checked/);
    await send(harness, 'issue_comment', issueComment(522, planId, 'dev', plan('6.6.6'), 'edited'));
    await commentsMatching(harness, 522, /Plan v2 checked/);
    const [v1 = '', v2 = ''] = await digests(order);

    // erin names the digest she reviewed (v1's): refused, though her comment is newer than v2.
    const old = nextComment++;
    await send(harness, 'issue_comment', issueComment(522, old, 'erin', `/approve ${v1.slice(0, 10)} looks good`));
    expect(await reactionOn(harness, old)).toBe('confused');
    const [refusal] = await commentsMatching(harness, 522, /@erin .*\/approve.* was refused/);
    expect(refusal).toContain(`digest ${v1.slice(0, 10)}`);
    expect(refusal).toContain(`now v2 (digest ${v2.slice(0, 12)}`);
    expect((await orderOf(522)).state).toBe('planned');

    const current = nextComment++;
    await send(
      harness,
      'issue_comment',
      issueComment(522, current, 'erin', `/approve ${v2.slice(0, 7).toUpperCase()}`),
    );
    expect(await reactionOn(harness, current)).toBe('+1');
    expect((await orderOf(522)).state).toBe('approved');
  });

  it('refuses a review submitted before the plan was edited at the same commit', async () => {
    await send(
      harness,
      'issue_comment',
      issueComment(523, nextComment++, 'pam', '/deploy production', 'created', true),
    );
    await commentsMatching(harness, 523, /Deployment work order \d+ opened/);
    const planId = nextComment++;
    await send(harness, 'issue_comment', issueComment(523, planId, 'dev', plan('1.0.0'), 'created', true));
    await commentsMatching(harness, 523, /Plan v1 checked/);

    const approval = review(523, 77_001, 'dave', 'approved', PR_SHA);
    await send(harness, 'issue_comment', issueComment(523, planId, 'dev', plan('6.6.6'), 'edited', true));
    await commentsMatching(harness, 523, /Plan v2 checked/);
    await send(harness, 'pull_request_review', approval);

    const [refusal] = await commentsMatching(harness, 523, /@dave The review verdict was refused/);
    expect(refusal).toMatch(/plan v1 .*now v2/);
    expect((await orderOf(523)).state).toBe('planned');
  });
});
