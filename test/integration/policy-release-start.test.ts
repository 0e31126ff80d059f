/**
 * The policy is checked again when a release starts: an operator who narrows the policy after a plan was approved
 * stops that release before any host is touched, and the order says why. Real App (Probot), PostgreSQL, release
 * worker and sshd host.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findWorkOrder } from '../../src/workorders/service/index.ts';
import type { PolicySource } from '../../src/policy/index.ts';
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
import { liveTarget } from '../helpers/host-files.ts';
import { policyFromYaml } from '../helpers/policy-fixtures.ts';
import { buildPackage, type BuiltPackage } from '../helpers/release-fixtures.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';
import { planComment, waitFor } from '../helpers/workorder-fixtures.ts';

let fleet: SshdFleet;
let work: string;
let harness: Harness;
let pkg: BuiltPackage;
let current: PolicySource;
let nextComment = 9500;

const OPEN = 'repos:\n  - match: "codertocat/*"\n    hosts: ["127.0.0.0/8"]\n';
const NARROWED = 'repos:\n  - match: "codertocat/*"\n    hosts: ["10.0.0.0/8"]\n';

beforeAll(async () => {
  fleet = await startSshdFleet(1);
  work = await mkdtemp(join(tmpdir(), 'ym-policy-start-'));
  pkg = await buildPackage(join(work, 'pkgs'), '1.0.0');
  current = policyFromYaml(OPEN, work);
  // The policy as a reloaded file would be: the same source, answering from whatever is current.
  const policy: PolicySource = { name: 'test', forRepo: (repo) => current.forRepo(repo) };
  harness = await startHarness({
    configYaml: repoConfigYaml(
      fleet.hostEntries(),
      'production: { hosts: [web], approvals: 1, approvers: [team:ops] }',
    ),
    fleet,
    workDir: work,
    policy,
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

describe('the policy at release start', () => {
  it('refuses the start of an approved plan when the policy no longer allows its hosts', async () => {
    await send(
      harness,
      'issues',
      issueOpened(
        1,
        'pam',
        formBody({ requirement: 'Ship it', planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' }),
      ),
    );
    await commentsMatching(harness, 1, /Work order received/);
    await comment(
      1,
      'carol',
      planComment({ environment: 'production', version: '1.0.0', url: pkg.url, sha256: pkg.sha256 }),
    );
    await commentsMatching(harness, 1, /Plan v1/);
    current = policyFromYaml(NARROWED, work);
    await comment(1, 'dave', '/approve');
    const state = await waitFor('#1 to end', async () => {
      const order = await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number: 1 });
      return order !== undefined && ['succeeded', 'failed', 'aborted'].includes(order.state) ? order.state : undefined;
    });
    expect(state).toBe('failed');
    await harness.reporter.idle();
    const said = harness.fake.requestsTo(ROUTES.comments).map(bodyText).join('\n');
    expect(said).toMatch(
      /the operator's policy refuses this release now: host host-1 \(address 127\.0\.0\.1\) is not among the hosts rule 1 \(codertocat\/\*\)/,
    );
    expect(await liveTarget(fleet.hostEntries()[0]?.deployTo ?? '')).toBeNull();
  });
});
