/**
 * Work orders on GitHub end to end: signed deliveries of real example payloads to the real App (Probot) over the
 * work-order service on PostgreSQL; a real release worker deploys to three sshd hosts and reports through the GitHub
 * reporter; every request to the fake GitHub API is validated against GitHub's REST description.
 */
import { eq } from 'drizzle-orm';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry } from '../../src/config/types.ts';
import { webhookDeliveries } from '../../src/db/schema.ts';
import { findWorkOrder, getWorkOrder, type WorkOrder } from '../../src/workorders/service/index.ts';
import type { WorkOrderState } from '../../src/workorders/types.ts';
import { formatViolations } from '../helpers/github-openapi.ts';
import { signDelivery, deliver } from '../helpers/github-webhooks.ts';
import {
  bodyText,
  checkRunAction,
  commentsMatching,
  formBody,
  issueComment,
  issueOpened,
  MAIN_SHA,
  PR_SHA,
  pullRequestEvent,
  review,
  reactionOn,
  repoConfigYaml,
  REPO_FULL_NAME,
  ROUTES,
  send,
  startHarness,
  type Harness,
} from '../helpers/github-workorder-harness.ts';
import { liveTarget } from '../helpers/host-files.ts';
import { buildPackage, type BuiltPackage } from '../helpers/release-fixtures.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';
import { planComment, waitFor } from '../helpers/workorder-fixtures.ts';

const ENVIRONMENTS = [
  'production: { hosts: [web], approvals: 2, approvers: [team:ops], production: true }',
  'frozen: { hosts: [web], approvals: 1, approvers: [team:ops], freeze: ["Mon-Sun"] }',
].join('\n');

const HEALTH =
  'commands:\n  health: { command: "test ! -e ../../FAIL_HEALTH && test -f VERSION", retries: 1, interval: 100ms }';

let fleet: SshdFleet;
let work: string;
let harness: Harness;
let hosts: HostEntry[];
const packages: Record<string, BuiltPackage> = {};
let nextComment = 5000;
let seen = 0;

beforeAll(async () => {
  fleet = await startSshdFleet(3);
  work = await mkdtemp(join(tmpdir(), 'ym-github-'));
  for (const version of ['2.0.0', '3.0.0', '4.0.0', '5.0.0', '6.0.0', '7.0.0', '8.0.0', '9.0.0'])
    packages[version] = await buildPackage(join(work, 'pkgs'), version);
  hosts = fleet.hostEntries();
  harness = await startHarness({ configYaml: repoConfigYaml(hosts, ENVIRONMENTS), fleet, workDir: work });
}, 60_000);

afterAll(async () => {
  await harness?.close();
  await fleet?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

afterEach((context) => {
  if (context.task.result?.state === 'fail') {
    for (const request of harness.fake.requestsTo(ROUTES.comments))
      console.log(`#${request.pathParams.issue_number}: ${bodyText(request)}`);
  }
  const refused = harness.app.validation.violations.splice(0);
  const arrived = harness.fake.requests.slice(seen).filter((request) => request.violations.length > 0);
  seen = harness.fake.requests.length;
  expect(refused.map((record) => `${record.method} ${record.url}\n${formatViolations(record.violations)}`)).toEqual([]);
  expect(
    arrived.map((request) => `${request.method} ${request.path}\n${formatViolations(request.violations)}`),
  ).toEqual([]);
});

function packageOf(version: string): BuiltPackage {
  const pkg = packages[version];
  if (pkg === undefined) throw new Error(`no package ${version}`);
  return pkg;
}

async function orderOf(number: number): Promise<WorkOrder> {
  return waitFor(
    `work order of #${number}`,
    () => findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number }),
    15_000,
  );
}

function waitForState(number: number, states: readonly WorkOrderState[]): Promise<WorkOrderState> {
  return waitFor(`#${number} to reach ${states.join('|')}`, async () => {
    const order = await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number });
    return order !== undefined && states.includes(order.state) ? order.state : undefined;
  });
}

/** Posts a comment; returns its id. */
async function comment(number: number, author: string, body: string): Promise<number> {
  const id = nextComment++;
  const response = await send(harness, 'issue_comment', issueComment(number, id, author, body));
  expect(response.status).toBeLessThan(300);
  return id;
}

async function openIssue(number: number): Promise<WorkOrder> {
  const body = formBody({
    requirement: 'Ship the new checkout',
    planAuthor: 'carol',
    deployer: 'dave',
    acceptor: 'pam',
  });
  const response = await send(harness, 'issues', issueOpened(number, 'pam', body));
  expect(response.status).toBeLessThan(300);
  await commentsMatching(harness, number, /Work order received/);
  return orderOf(number);
}

async function postPlan(number: number, version: string, environment = 'production', more = HEALTH): Promise<number> {
  const pkg = packageOf(version);
  const id = await comment(
    number,
    'carol',
    planComment({ environment, version, url: pkg.url, sha256: pkg.sha256, more }),
  );
  await commentsMatching(harness, number, new RegExp(`Plan v\\d+ checked.*${version.replace(/\./g, '\\.')}`));
  return id;
}

function checkRunsOf(order: WorkOrder): {
  create: Record<string, unknown>[];
  updates: Map<number, Record<string, unknown>[]>;
} {
  const creates = harness.fake
    .requestsTo(ROUTES.createCheckRun)
    .filter((request) => isRecord(request.body) && request.body.external_id === `yardmaster-order-${order.id}`);
  const ids = new Set<number>();
  const create: Record<string, unknown>[] = [];
  for (const request of creates) {
    if (isRecord(request.body)) create.push(request.body);
  }
  // The fake answers with a fresh id per created check run, in order; updates name it in the path.
  const updates = new Map<number, Record<string, unknown>[]>();
  for (const request of harness.fake.requestsTo(ROUTES.updateCheckRun)) {
    const id = Number(request.pathParams.check_run_id);
    ids.add(id);
    if (isRecord(request.body)) updates.set(id, [...(updates.get(id) ?? []), request.body]);
  }
  return { create, updates };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The final state of each of the order's check runs, by stage name: its last PATCH, else how it was created (a check
 * run is made when its stage starts, or completed at the end for a stage that never started).
 */
function finalCheckRuns(order: WorkOrder, createdIds: Map<string, number>): Map<string, Record<string, unknown>> {
  const { create, updates } = checkRunsOf(order);
  const finals = new Map<string, Record<string, unknown>>();
  for (const [name, id] of createdIds) {
    const last = updates.get(id)?.at(-1) ?? create.findLast((body) => body.name === `yardmaster / ${name}`);
    if (last !== undefined) finals.set(name, last);
  }
  return finals;
}

/** Every state the order's check runs were sent with: creations and updates. */
function checkRunBodies(order: WorkOrder): Record<string, unknown>[] {
  const { create, updates } = checkRunsOf(order);
  return [...create, ...[...updates.values()].flat()];
}

/**
 * Waits until a check run of the order offered the `identifier` button while `stage` ran (made so, or updated so);
 * its id.
 */
async function checkRunOffering(order: WorkOrder, identifier: string, stage: string): Promise<number> {
  const offers = (body: Record<string, unknown>): boolean =>
    JSON.stringify(body.actions ?? []).includes(`"${identifier}"`) && JSON.stringify(body.output ?? '').includes(stage);
  return waitFor(
    `a check run offering ${identifier} in ${stage}`,
    async () => {
      const updated = harness.fake
        .requestsTo(ROUTES.updateCheckRun)
        .find((request) => isRecord(request.body) && offers(request.body));
      if (updated !== undefined) return Number(updated.pathParams.check_run_id);
      if (!checkRunsOf(order).create.some((body) => body.name === `yardmaster / ${stage}` && offers(body)))
        return undefined;
      return (await checkRunIds(order)).get(stage);
    },
    30_000,
  );
}

/** Check-run ids by name for the order, read from the fake's answers (recorded in github_reports too). */
async function checkRunIds(order: WorkOrder): Promise<Map<string, number>> {
  const { githubReports } = await import('../../src/db/schema.ts');
  const rows = await harness.deps.db.select().from(githubReports).where(eq(githubReports.workOrderId, order.id));
  return new Map(
    rows.flatMap((row) =>
      row.kind === 'check_run' && row.githubId !== null ? [[row.name, row.githubId] as const] : [],
    ),
  );
}

function labelsAdded(number: number): string[] {
  return harness.fake
    .requestsTo(ROUTES.addLabels)
    .filter((request) => request.pathParams.issue_number === String(number))
    .flatMap((request) =>
      isRecord(request.body) && Array.isArray(request.body.labels) ? request.body.labels.map(String) : [],
    );
}

function deploymentStates(deploymentIds: readonly number[]): string[] {
  return harness.fake
    .requestsTo(ROUTES.deploymentStatuses)
    .filter((request) => deploymentIds.includes(Number(request.pathParams.deployment_id)))
    .map((request) => (isRecord(request.body) ? String(request.body.state) : ''));
}

async function deploymentIdsOf(order: WorkOrder): Promise<number[]> {
  const { githubReports } = await import('../../src/db/schema.ts');
  const rows = await harness.deps.db.select().from(githubReports).where(eq(githubReports.workOrderId, order.id));
  return rows.flatMap((row) => (row.kind === 'deployment' && row.githubId !== null ? [row.githubId] : []));
}

describe('a work order from issue to accepted release', () => {
  it('opens, takes the plan, refuses the author, releases after two ops approvals, and is accepted', async () => {
    const order = await openIssue(1);
    expect(order).toMatchObject({
      requester: 'pam',
      planAuthor: 'carol',
      deployer: 'dave',
      acceptor: 'pam',
      requirement: 'Ship the new checkout',
      headSha: MAIN_SHA,
    });
    await postPlan(1, '2.0.0');

    const own = await comment(1, 'carol', '/approve');
    expect(await reactionOn(harness, own)).toBe('confused');
    await commentsMatching(harness, 1, /@carol .*\/approve.* was refused/);

    const first = await comment(1, 'dave', '/approve');
    expect(await reactionOn(harness, first)).toBe('+1');
    const second = await comment(1, 'erin', '/approve LGTM');
    expect(await reactionOn(harness, second)).toBe('+1');

    expect(await waitForState(1, ['succeeded', 'failed', 'aborted'])).toBe('succeeded');
    await harness.reporter.idle();
    for (const host of hosts) expect(await liveTarget(host.deployTo ?? '')).toBe('releases/2.0.0');

    const ids = await checkRunIds(order);
    expect([...ids.keys()].sort()).toEqual([
      'check',
      'done',
      'fetch',
      'health',
      'monitor',
      'post_deploy',
      'pre_deploy',
      'release',
      'switch',
    ]);
    const creates = checkRunsOf(order).create;
    expect(creates).toHaveLength(9);
    expect(creates.every((body) => body.head_sha === MAIN_SHA)).toBe(true);
    const finals = finalCheckRuns(order, ids);
    expect([...finals.values()].map((body) => [body.status, body.conclusion])).toEqual(
      Array(9).fill(['completed', 'success']),
    );
    const healthOutput = finals.get('health')?.output;
    expect(JSON.stringify(healthOutput)).toContain('host-3');
    // While the release ran, the running stage offered Abort and Rollback.
    const offered = checkRunBodies(order).some((body) => JSON.stringify(body.actions ?? []).includes('"abort"'));
    expect(offered).toBe(true);

    const deployments = await deploymentIdsOf(order);
    expect(deployments).toHaveLength(1);
    expect(deploymentStates(deployments)).toEqual(['queued', 'in_progress', 'success']);
    const deployment = harness.fake.requestsTo(ROUTES.deployments).at(-1)?.body;
    expect(deployment).toMatchObject({
      ref: MAIN_SHA,
      environment: 'production',
      production_environment: true,
      auto_merge: false,
      required_contexts: [],
    });
    const status = harness.fake.requestsTo(ROUTES.deploymentStatuses).at(-1)?.body;
    expect(status).toMatchObject({ log_url: `${harness.publicUrl}/orders/${order.id}` });

    await commentsMatching(harness, 1, /succeeded\*\* on 3 hosts/);
    expect(labelsAdded(1)).toEqual(['deploying', 'deployed']);

    const refusedAccept = await comment(1, 'dave', '/accept');
    expect(await reactionOn(harness, refusedAccept)).toBe('confused');
    const accept = await comment(1, 'pam', '/accept works for me');
    expect(await reactionOn(harness, accept)).toBe('+1');
    expect(await waitForState(1, ['accepted'])).toBe('accepted');
  });

  it('rolls back when a health check fails, naming the failed host in the check run and the comment', async () => {
    await writeFile(join(hosts[1]?.deployTo ?? '', 'FAIL_HEALTH'), '');
    const order = await openIssue(2);
    await postPlan(2, '3.0.0');
    await comment(2, 'dave', '/approve');
    await comment(2, 'erin', '/approve');
    expect(await waitForState(2, ['succeeded', 'failed', 'aborted'])).toBe('failed');
    await harness.reporter.idle();
    for (const host of hosts) expect(await liveTarget(host.deployTo ?? '')).toBe('releases/2.0.0');

    const finals = finalCheckRuns(order, await checkRunIds(order));
    const health = finals.get('health');
    expect(health).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(JSON.stringify(health?.output)).toContain('host-2');
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest's asymmetric matchers are typed any
    expect(finals.get('check')).toMatchObject({ conclusion: expect.stringMatching(/success|cancelled/) });

    expect(finals.get('done')).toMatchObject({
      status: 'completed',
      // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest's asymmetric matchers are typed any
      conclusion: expect.stringMatching(/cancelled|skipped/),
    });
    expect(deploymentStates(await deploymentIdsOf(order))).toEqual(['queued', 'in_progress', 'failure']);
    const [final] = await commentsMatching(harness, 2, /failed\*\*/);
    expect(final).toContain('Failed host: **host-2**');
    expect(final).toContain('Rolled back');
    expect(labelsAdded(2)).toEqual(['deploying', 'failed', 'rolled-back']);
    await rm(join(hosts[1]?.deployTo ?? '', 'FAIL_HEALTH'));
  });
});

describe('refusals', () => {
  it('refuses each command to those without its role, and says why', async () => {
    await openIssue(10);
    await postPlan(10, '4.0.0');
    const cases: [string, string][] = [
      ['pam', '/approve'],
      ['dev', '/reject not now'],
      ['dev', '/deploy'],
      ['pam', '/abort'],
      ['dev', '/rollback'],
      ['dev', '/retry-failed'],
      ['dave', '/accept'],
      ['dev', '/lock maintenance'],
      ['dev', '/unlock'],
    ];
    for (const [actor, text] of cases) {
      const id = await comment(10, actor, text);
      expect(await reactionOn(harness, id), `${actor} ${text}`).toBe('confused');
      const word = text.split(' ')[0] ?? '';
      await commentsMatching(harness, 10, new RegExp(`@${actor} \`${word}\` was refused`));
    }
    // Opening a work order is for project managers only.
    await send(
      harness,
      'issues',
      issueOpened(11, 'dev', formBody({ requirement: 'x', planAuthor: 'dev', deployer: 'dave', acceptor: 'pam' })),
    );
    await commentsMatching(harness, 11, /@dev Opening this work order was refused/);
    expect(await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number: 11 })).toBeUndefined();
    // The check run's Abort button, for deployers only.
    const order = await orderOf(10);
    const pressed = await send(
      harness,
      'check_run',
      checkRunAction(99, `yardmaster-order-${order.id}`, 'abort', 'pam'),
    );
    expect(pressed.status, pressed.body).toBeLessThan(300);
    await commentsMatching(harness, 10, /@pam The `Abort` button was refused/);
  });

  it('answers a plan with a bad batch_size with its line, column and field, and keeps the order waiting for a plan', async () => {
    await openIssue(13);
    const pkg = packageOf('4.0.0');
    const bad = planComment({
      environment: 'production',
      version: '4.0.0',
      url: pkg.url,
      sha256: pkg.sha256,
      more: 'strategy: { mode: batches, batch_size: lots }',
    });
    const id = await comment(13, 'carol', bad);
    const [reply] = await commentsMatching(harness, 13, /strategy\.batch_size/);
    expect(reply).toMatch(/line \d+, column \d+, strategy\.batch_size: expected a count or a percentage like 25%/);
    expect(reply).not.toMatch(/\n\s+at /);
    expect(id).toBeGreaterThan(0);
    expect((await orderOf(13)).state).toBe('requested');
  });

  it('drops an approval when the plan is edited after it', async () => {
    await openIssue(12);
    const planId = await postPlan(12, '4.0.0');
    await comment(12, 'dave', '/approve');
    await commentsMatching(harness, 12, /@dave /);
    const pkg = packageOf('4.0.0');
    const edited = planComment({
      environment: 'production',
      version: '4.0.0',
      url: pkg.url,
      sha256: pkg.sha256,
      more: 'keep_releases: 3',
    });
    await send(harness, 'issue_comment', issueComment(12, planId, 'carol', edited, 'edited'));
    await commentsMatching(harness, 12, /Plan v2 checked/);
    await comment(12, 'erin', '/approve');
    await commentsMatching(harness, 12, /@erin /);
    // One approval for the current digest: still planned.
    expect((await orderOf(12)).state).toBe('planned');
  });

  it("defers a start in a freeze window and releases on a deployer's override", async () => {
    await openIssue(13);
    await postPlan(13, '4.0.0', 'frozen', '');
    await comment(13, 'dave', '/approve');
    await commentsMatching(harness, 13, /Freeze window/);
    const plain = await comment(13, 'dave', '/deploy');
    expect(await reactionOn(harness, plain)).toBe('confused');
    await commentsMatching(harness, 13, /@dave `\/deploy` was refused/);
    const override = await comment(13, 'dave', '/deploy --override-freeze "hotfix for INC-7"');
    expect(await reactionOn(harness, override)).toBe('+1');
    expect(await waitForState(13, ['succeeded', 'failed', 'aborted'])).toBe('succeeded');
    await harness.reporter.idle();
  });
});

describe('the Abort button', () => {
  it('aborts a running release for a deployer, with the check runs cancelled and the hosts rolled back', async () => {
    const order = await openIssue(50);
    await postPlan(
      50,
      '5.0.0',
      'production',
      'commands:\n  monitor: { duration: 60s, interval: 200ms, command: "true" }',
    );
    await comment(50, 'dave', '/approve');
    await comment(50, 'erin', '/approve');
    const checkRunId = await checkRunOffering(order, 'abort', 'monitor');
    // Not a deployer: refused, nothing stops.
    await send(harness, 'check_run', checkRunAction(checkRunId, `yardmaster-order-${order.id}`, 'abort', 'pam'));
    await commentsMatching(harness, 50, /@pam The `Abort` button was refused/);
    await send(harness, 'check_run', checkRunAction(checkRunId, `yardmaster-order-${order.id}`, 'abort', 'dave'));
    expect(await waitForState(50, ['aborted', 'succeeded', 'failed'])).toBe('aborted');
    await harness.reporter.idle();
    await commentsMatching(harness, 50, /was aborted\*\*/);
    for (const host of hosts) expect(await liveTarget(host.deployTo ?? '')).not.toBe('releases/5.0.0');
    const finals = finalCheckRuns(order, await checkRunIds(order));
    expect(finals.get('done')).toMatchObject({ status: 'completed', conclusion: 'cancelled' });
    expect(labelsAdded(50)).toEqual(['deploying', 'rolled-back']);
    expect(deploymentStates(await deploymentIdsOf(order))).toEqual(['queued', 'in_progress', 'failure']);
  });
});

async function releaseApproved(number: number, version: string, more = HEALTH): Promise<WorkOrder> {
  const order = await openIssue(number);
  await postPlan(number, version, 'production', more);
  await comment(number, 'dave', '/approve');
  await comment(number, 'erin', '/approve');
  return order;
}

describe('the Rollback button', () => {
  it("stays on a released order's last check run and rolls the hosts back for a deployer, with a check run of its own", async () => {
    const before = await Promise.all(hosts.map((host) => liveTarget(host.deployTo ?? '')));
    const order = await releaseApproved(51, '6.0.0');
    expect(await waitForState(51, ['succeeded', 'failed', 'aborted'])).toBe('succeeded');
    await harness.reporter.idle();
    const done = finalCheckRuns(order, await checkRunIds(order)).get('done');
    expect(done).toMatchObject({
      status: 'completed',
      conclusion: 'success',
      actions: [{ identifier: 'rollback', label: 'Rollback' }],
    });
    const doneId = (await checkRunIds(order)).get('done') ?? 0;

    await send(harness, 'check_run', checkRunAction(doneId, `yardmaster-order-${order.id}`, 'rollback', 'pam'));
    await commentsMatching(harness, 51, /@pam The `Rollback` button was refused/);
    expect((await orderOf(51)).state).toBe('succeeded');

    await send(harness, 'check_run', checkRunAction(doneId, `yardmaster-order-${order.id}`, 'rollback', 'dave'));
    await commentsMatching(harness, 51, /@dave .*`Rollback` button.*Rolling/);
    expect(await waitForState(51, ['failed'])).toBe('failed');
    // The order is failed in the database a moment before the worker's event reaches the reporter: its final
    // comment shows the reporter has it, and idle() then waits for the labels queued with it.
    await commentsMatching(harness, 51, /Rolled back|rolled back 3 host/);
    await harness.reporter.idle();
    expect(await Promise.all(hosts.map((host) => liveTarget(host.deployTo ?? '')))).toEqual(before);

    const created = harness.fake
      .requestsTo(ROUTES.createCheckRun)
      .filter(
        (request) =>
          isRecord(request.body) &&
          request.body.name === 'yardmaster / rollback' &&
          request.body.external_id === `yardmaster-order-${order.id}`,
      );
    expect(created).toHaveLength(1);
    expect(created[0]?.body).toMatchObject({ head_sha: MAIN_SHA, status: 'in_progress' });
    const final = harness.fake
      .requestsTo(ROUTES.updateCheckRun)
      .filter(
        (request) =>
          isRecord(request.body) &&
          request.body.conclusion !== undefined &&
          isRecord(request.body.output) &&
          /^rolled back 3 hosts$/.test(String(request.body.output.title)),
      );
    expect(final).toHaveLength(1);
    const summary =
      isRecord(final[0]?.body) && isRecord(final[0]?.body.output) ? String(final[0]?.body.output.summary) : '';
    expect(final[0]?.body).toMatchObject({ status: 'completed', conclusion: 'success' });
    for (const host of hosts) expect(summary).toContain(`| ${host.name} | ✅ ok | 6.0.0 → `);
    expect(labelsAdded(51)).toContain('rolled-back');
  });

  it('stops a running release and rolls back what it switched', async () => {
    const before = await Promise.all(hosts.map((host) => liveTarget(host.deployTo ?? '')));
    const order = await releaseApproved(
      52,
      '7.0.0',
      'commands:\n  monitor: { duration: 60s, interval: 200ms, command: "true" }',
    );
    const offering = await checkRunOffering(order, 'rollback', 'monitor');
    await send(harness, 'check_run', checkRunAction(offering, `yardmaster-order-${order.id}`, 'rollback', 'dave'));
    expect(await waitForState(52, ['aborted', 'succeeded', 'failed'])).toBe('aborted');
    // The order is aborted in the database a moment before the worker's event reaches the reporter: its final
    // comment shows the reporter has it, and idle() then waits for the labels queued with it.
    await commentsMatching(harness, 52, /was aborted\*\*/);
    await harness.reporter.idle();
    expect(await Promise.all(hosts.map((host) => liveTarget(host.deployTo ?? '')))).toEqual(before);
    expect(labelsAdded(52)).toEqual(['deploying', 'rolled-back']);
  });
});

describe('/retry-failed', () => {
  it('reruns a partly failed release on the hosts that failed, for a deployer', async () => {
    const broken = hosts[2]?.deployTo ?? '';
    await writeFile(join(broken, 'FAIL_HEALTH'), '');
    let order: WorkOrder;
    try {
      order = await releaseApproved(53, '8.0.0', `strategy: { mode: serial, max_failures: 1 }\n${HEALTH}`);
      expect(await waitForState(53, ['succeeded', 'failed', 'aborted'])).toBe('failed');
      await harness.reporter.idle();
      const [outcome] = await commentsMatching(harness, 53, /failed\*\*/);
      expect(outcome).toContain(hosts[2]?.name ?? '?');
      expect(await liveTarget(hosts[0]?.deployTo ?? '')).toBe('releases/8.0.0');
      expect(await liveTarget(broken)).not.toBe('releases/8.0.0');
    } finally {
      await rm(join(broken, 'FAIL_HEALTH'));
    }
    const refused = await comment(53, 'pam', '/retry-failed');
    expect(await reactionOn(harness, refused)).toBe('confused');
    const retry = await comment(53, 'dave', '/retry-failed');
    expect(await reactionOn(harness, retry)).toBe('+1');
    expect(await waitForState(53, ['succeeded', 'failed', 'aborted'])).toBe('succeeded');
    await harness.reporter.idle();
    for (const host of hosts) expect(await liveTarget(host.deployTo ?? '')).toBe('releases/8.0.0');
    await commentsMatching(harness, 53, /succeeded\*\*/);
    // The retry continues the same release (same id), so the same deployment goes on.
    expect(deploymentStates(await deploymentIdsOf(order))).toEqual([
      'queued',
      'in_progress',
      'failure',
      'in_progress',
      'success',
    ]);
  });
});

describe('the Deployment of a scheduled order', () => {
  it('is made at the approval with status queued, and the release goes on with it', async () => {
    const at = new Date(Date.now() + 5_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const order = await releaseApproved(54, '9.0.0', `schedule: ${at}\n${HEALTH}`);
    expect((await orderOf(54)).state).toBe('scheduled');
    const created = () =>
      harness.fake
        .requestsTo(ROUTES.deployments)
        .filter(
          (request) =>
            isRecord(request.body) && isRecord(request.body.payload) && request.body.payload.workOrderId === order.id,
        );
    expect(created()).toHaveLength(1);
    expect(created()[0]?.body).toMatchObject({
      ref: MAIN_SHA,
      environment: 'production',
      production_environment: true,
    });
    const [queued] = await deploymentIdsOf(order);
    const statuses = harness.fake
      .requestsTo(ROUTES.deploymentStatuses)
      .filter((request) => Number(request.pathParams.deployment_id) === queued);
    expect(statuses.map((request) => request.body)).toMatchObject([
      { state: 'queued', description: `9.0.0 scheduled for ${new Date(at).toISOString()}` },
    ]);

    expect(await waitForState(54, ['succeeded', 'failed', 'aborted'])).toBe('succeeded');
    await harness.reporter.idle();
    expect(created()).toHaveLength(1);
    expect(await deploymentIdsOf(order)).toEqual([queued]);
    expect(deploymentStates([queued ?? 0])).toEqual(['queued', 'in_progress', 'success']);
  });
});

describe('pull-request deployments', () => {
  it('opens on /deploy <env>, counts reviews for the plan at their commit, drops them on a push, cancels on close', async () => {
    const deployId = nextComment++;
    await send(harness, 'issue_comment', issueComment(30, deployId, 'pam', '/deploy production', 'created', true));
    expect(await reactionOn(harness, deployId)).toBe('+1');
    await commentsMatching(harness, 30, /Deployment work order \d+ opened/);
    const order = await orderOf(30);
    expect(order).toMatchObject({ kind: 'pull_request', environment: 'production', headSha: PR_SHA });

    const pkg = packageOf('4.0.0');
    await send(
      harness,
      'issue_comment',
      issueComment(
        30,
        nextComment++,
        'carol',
        planComment({ environment: 'production', version: '4.0.0', url: pkg.url, sha256: pkg.sha256 }),
        'created',
        true,
      ),
    );
    await commentsMatching(harness, 30, /Plan v1 checked/);

    await send(harness, 'pull_request_review', review(30, 801, 'dave', 'approved', PR_SHA));
    await commentsMatching(harness, 30, /@dave /);
    // A replay of the same review counts once.
    await send(harness, 'pull_request_review', review(30, 801, 'dave', 'approved', PR_SHA));

    const pushed = 'aa'.repeat(20);
    await send(harness, 'pull_request', pullRequestEvent(30, 'synchronize', pushed, 'carol'));
    const [moved] = await commentsMatching(harness, 30, /New head aaaaaaa/);
    expect(moved).toContain('@dave');
    expect((await orderOf(30)).headSha).toBe(pushed);

    // A review of the old commit saw another plan digest.
    await send(harness, 'pull_request_review', review(30, 802, 'erin', 'approved', PR_SHA));
    await commentsMatching(harness, 30, /@erin The review verdict was refused/);
    await send(harness, 'pull_request_review', review(30, 803, 'erin', 'approved', pushed));
    await commentsMatching(harness, 30, /@erin (?!The review)/);
    expect((await orderOf(30)).state).toBe('planned');

    await send(harness, 'pull_request', pullRequestEvent(30, 'closed', pushed, 'pam'));
    const closed = await waitFor(
      'the PR deployment to be cancelled',
      async () => {
        const fresh = await getWorkOrder(harness.deps.db, order.id);
        return fresh?.state === 'cancelled' ? fresh : undefined;
      },
      15_000,
    );
    expect(closed.closedAt).not.toBeNull();
  });
});

describe('the repo config', () => {
  it('is read from the default branch, and its errors are reported on the work order', async () => {
    const good = harness.config.yaml;
    harness.config.yaml = `${good}\nunknown_key: 1\n`;
    try {
      await send(
        harness,
        'issues',
        issueOpened(40, 'pam', formBody({ requirement: 'x', planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' })),
      );
      const [reply] = await commentsMatching(harness, 40, /repo config is unusable/);
      expect(reply).toMatch(/unknown_key/);
      expect(await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number: 40 })).toBeUndefined();
    } finally {
      harness.config.yaml = good;
    }
    const reads = harness.fake.requestsTo(ROUTES.contents);
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((request) => request.query.ref === 'master')).toBe(true);
  });
});

describe('the signed HTTP path', () => {
  it('refuses forged and unsigned deliveries and changes nothing', async () => {
    const before = harness.fake.requests.length;
    const payload = issueOpened(
      20,
      'pam',
      formBody({ requirement: 'x', planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' }),
    );
    const forged = await deliver(harness.app.server, {
      event: 'issues',
      payload,
      signature: signDelivery(JSON.stringify(payload), 'not-the-secret'),
    });
    const unsigned = await deliver(harness.app.server, { event: 'issues', payload });
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect(forged.status).toBeLessThan(500);
    expect(unsigned.status).toBeGreaterThanOrEqual(400);
    expect(unsigned.status).toBeLessThan(500);
    // A good delivery afterwards is answered; nothing came of the bad ones.
    await openIssue(21);
    expect(await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number: 20 })).toBeUndefined();
    expect(harness.fake.requests.slice(before).some((request) => request.pathParams.issue_number === '20')).toBe(false);
    const recorded = await harness.deps.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.deliveryId, forged.id));
    expect(recorded).toEqual([]);
  });

  it('handles a redelivered delivery id once', async () => {
    await openIssue(22);
    const payload = issueComment(22, nextComment++, 'pam', '/status');
    const id = 'c0ffee00-0000-4000-8000-000000000022';
    expect((await send(harness, 'issue_comment', payload, id)).status).toBeLessThan(300);
    expect((await send(harness, 'issue_comment', payload, id)).status).toBeLessThan(300);
    await commentsMatching(harness, 22, /Work order #22: /);
    // Barrier: a later delivery's answer has arrived, so a second /status answer would have too.
    await comment(22, 'pam', '/status');
    await commentsMatching(harness, 22, /Work order #22: /, 2);
    const answers = harness.fake
      .requestsTo(ROUTES.comments)
      .filter((request) => request.pathParams.issue_number === '22' && bodyText(request).includes('Work order #22: '));
    expect(answers).toHaveLength(2);
    const rows = await harness.deps.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.deliveryId, id));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.status).toBe('handled');
  });
});
