/**
 * Pre-flight on GitHub end to end: a plan posted on a work order is checked on two real sshd hosts by the worker
 * (read-only), reported as the check run `yardmaster / preflight` with its per-host table and in the plan reply;
 * `preflight: required` refuses an approval while it fails, `/preflight` (a developer's or approver's) runs it again
 * once the host is fixed, and the approval given after it passed starts the release. Every request to the fake GitHub
 * API is validated against GitHub's REST description.
 */
import { chmod, chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry } from '../../src/config/types.ts';
import { PREFLIGHT_SECTION_MARK } from '../../src/github/preflight-markdown.ts';
import { findWorkOrder, type WorkOrder } from '../../src/workorders/service/index.ts';
import type { WorkOrderState } from '../../src/workorders/types.ts';
import {
  bodyText,
  commentsMatching,
  formBody,
  githubRequestCheck,
  issueComment,
  issueOpened,
  repoConfigYaml,
  REPO_FULL_NAME,
  ROUTES,
  send,
  startHarness,
  type Harness,
} from '../helpers/github-workorder-harness.ts';
import type { RecordedRequest } from '../helpers/github-fake-api.ts';
import { buildPackage, type BuiltPackage } from '../helpers/release-fixtures.ts';
import { ensureTestUser, startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';
import { planComment, waitFor } from '../helpers/workorder-fixtures.ts';

const ENVIRONMENTS = 'staging: { hosts: [web], approvals: 1, approvers: [team:ops], preflight: required }';
const COMMENT_ROUTE = 'GET /repos/{owner}/{repo}/issues/comments/{comment_id}';
const PATCH_COMMENT = 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}';

let fleet: SshdFleet;
let work: string;
let harness: Harness;
let hosts: HostEntry[];
let pkg: BuiltPackage;
let nextComment = 9000;

beforeAll(async () => {
  fleet = await startSshdFleet(2);
  work = await mkdtemp(join(tmpdir(), 'ym-github-preflight-'));
  pkg = await buildPackage(join(work, 'pkgs'), '1.0.0');
  hosts = fleet.hostEntries().map((entry) => ({ ...entry, deployTo: join(entry.deployTo ?? '', 'shop') }));
  harness = await startHarness({
    configYaml: repoConfigYaml(hosts, ENVIRONMENTS),
    fleet,
    workDir: work,
    preflight: true,
  });
  // The plan reply as the App last wrote it: what GitHub answers when the App reads it back to update it.
  harness.fake.handle(COMMENT_ROUTE, () => {
    const written = [...harness.fake.requestsTo(ROUTES.comments), ...harness.fake.requestsTo(PATCH_COMMENT)]
      .filter((request) => bodyText(request).includes(PREFLIGHT_SECTION_MARK))
      .sort((a, b) => a.at - b.at)
      .at(-1);
    return { status: 200, body: { id: 1, body: written === undefined ? '' : bodyText(written) } };
  });
}, 60_000);

afterAll(async () => {
  await harness?.close();
  await fleet?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

afterEach(githubRequestCheck(() => harness));

async function comment(number: number, author: string, body: string): Promise<void> {
  const response = await send(harness, 'issue_comment', issueComment(number, nextComment++, author, body));
  expect(response.status).toBeLessThan(300);
}

function orderOf(number: number): Promise<WorkOrder> {
  return waitFor('the work order', () => findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number }));
}

function waitForState(number: number, states: readonly WorkOrderState[]): Promise<WorkOrderState> {
  return waitFor(`#${String(number)} to reach ${states.join('|')}`, async () => {
    const order = await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number });
    return order !== undefined && states.includes(order.state) ? order.state : undefined;
  });
}

interface CheckRunBody {
  name: string;
  conclusion: string;
  head_sha: string;
  output: { title: string; summary: string };
}

function isCheckRun(value: unknown): value is CheckRunBody {
  return typeof value === 'object' && value !== null && 'name' in value && 'output' in value;
}

/** The `count`-th pre-flight check run (1-based), once made. */
async function preflightCheckRun(count: number): Promise<CheckRunBody> {
  const found = await harness.fake.waitForRequests(ROUTES.createCheckRun, {
    count,
    timeoutMs: 30_000,
    where: (request) => isCheckRun(request.body) && request.body.name === 'yardmaster / preflight',
  });
  const body = found[count - 1]?.body;
  if (!isCheckRun(body)) throw new Error('no pre-flight check run');
  return body;
}

async function replyUpdate(pattern: RegExp): Promise<RecordedRequest> {
  const [found] = await harness.fake.waitForRequests(PATCH_COMMENT, {
    timeoutMs: 30_000,
    where: (request) => pattern.test(bodyText(request)),
  });
  if (found === undefined) throw new Error('no reply update');
  return found;
}

describe('pre-flight on a work order', () => {
  it('fails on an unwritable deploy_to, refuses approvals while required, passes after /preflight, then approvals count', async () => {
    const [first, second] = hosts;
    if (first === undefined || second === undefined) throw new Error('two hosts expected');
    const blocked = second.deployTo ?? '';
    // Made by the test's user (root here), writable by nobody else: the login user cannot release into it.
    await mkdir(blocked, { recursive: true });
    await chmod(blocked, 0o555);

    const body = formBody({ requirement: 'Ship', planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' });
    expect((await send(harness, 'issues', issueOpened(41, 'pam', body))).status).toBeLessThan(300);
    await commentsMatching(harness, 41, /Work order received/);
    await comment(
      41,
      'carol',
      planComment({ environment: 'staging', version: '1.0.0', url: pkg.url, sha256: pkg.sha256 }),
    );
    const [reply] = await commentsMatching(harness, 41, /Plan v1 checked/);
    expect(reply).toContain(`${PREFLIGHT_SECTION_MARK}\n**Pre-flight:** ⏳ pending`);

    const failed = await preflightCheckRun(1);
    expect(failed.conclusion).toBe('failure');
    expect(failed.output.title).toBe(`pre-flight failed on ${second.name}`);
    expect(failed.output.summary).toContain(
      '| Host | connect / key | deploy_to writable | free disk vs needed | tools | current release | lock |',
    );
    expect(failed.output.summary).toContain(
      `| ${second.name} | ✅ <code>connected, key ${second.hostKey ?? ''}</code> | ❌ <code>${blocked} is not writable by ${fleet.user}</code> |`,
    );
    expect(failed.output.summary).toMatch(
      new RegExp(
        `\\| ${first.name} \\| ✅ <code>connected.*</code> \\| ✅ <code>yes \\(created at the first release under .*\\)</code> \\| ✅ <code>.* MiB free, 1\\.0 MiB needed</code> \\| ✅ <code>all present</code> \\| ✅ <code>none yet \\(first release\\)</code> \\| ✅ <code>none</code> \\|`,
      ),
    );
    const updated = await replyUpdate(/Pre-flight:\*\* ❌ failed on host-2/);
    expect(bodyText(updated)).toContain('Plan v1 checked');
    expect(bodyText(updated)).toContain('run `/preflight` again');

    // Required: an approval is refused, and not recorded, while the pre-flight has not passed.
    await comment(41, 'dave', '/approve');
    const [refusal] = await commentsMatching(harness, 41, /takes approvals only after the pre-flight/);
    expect(refusal).toContain(`it is failed on ${second.name}`);
    expect((await orderOf(41)).state).toBe('planned');

    // Who may rerun it: developers and approvers; a project manager may not.
    await comment(41, 'pam', '/preflight');
    await commentsMatching(harness, 41, /@pam is neither a developer nor an approver/);

    const user = await ensureTestUser();
    await chown(blocked, user.uid, user.gid);
    await chmod(blocked, 0o755);
    await comment(41, 'dave', '/preflight');
    await commentsMatching(harness, 41, /Pre-flight of plan v1 queued \(run 2\)/);
    const passed = await preflightCheckRun(2);
    expect(passed.conclusion).toBe('success');
    expect(passed.output.title).toBe('pre-flight passed on 2 hosts');
    expect(passed.output.summary).toContain(`| ${second.name} | ✅ <code>connected`);
    await replyUpdate(/Pre-flight:\*\* ✅ passed on 2 hosts/);

    // Passed: the approval given now counts, and the release runs.
    await comment(41, 'dave', '/approve');
    expect(await waitForState(41, ['succeeded'])).toBe('succeeded');
  }, 120_000);
});
