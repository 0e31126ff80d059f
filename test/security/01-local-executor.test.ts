/**
 * Finding 1: a host with `executor: local` in a repository's own `.github/yardmaster.yml` made server workers run plan
 * commands on the Yardmaster server itself. Driven through the real path: signed example webhooks to the App (Probot),
 * the work-order service on PostgreSQL, the real release worker with the executor registry. A plan command writes a
 * marker file; it must never appear on the server.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry } from '../../src/config/types.ts';
import { findWorkOrder } from '../../src/workorders/service/index.ts';
import type { WorkOrderState } from '../../src/workorders/types.ts';
import {
  bodyText,
  commentsMatching,
  formBody,
  githubRequestCheck,
  issueComment,
  issueOpened,
  REPO_FULL_NAME,
  ROUTES,
  send,
  startHarness,
  type Harness,
} from '../helpers/github-workorder-harness.ts';
import { buildPackage, type BuiltPackage } from '../helpers/release-fixtures.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';
import { planComment, waitFor } from '../helpers/workorder-fixtures.ts';

let fleet: SshdFleet;
let work: string;
let serverDir: string;
let harness: Harness;
let pkg: BuiltPackage;
let pkg2: BuiltPackage;
let nextComment = 9100;

function hostLine(host: HostEntry): string {
  return `    - { name: ${host.name}, address: ${host.address}, port: ${host.port}, user: ${host.user ?? 'deploy'}, host_key: ${JSON.stringify(host.hostKey)}, deploy_to: ${JSON.stringify(host.deployTo)} }`;
}

/** A config whose `srv` group is the server itself (executor local), or the sshd host when `local` is false. */
function configYaml(local: boolean): string {
  const [host] = fleet.hostEntries();
  if (host === undefined) throw new Error('no host');
  return [
    'apps:',
    '  shop:',
    '    deploy_to: /srv/shop',
    '    environments:',
    '      staging: { hosts: [srv], approvals: 0 }',
    '      production: { hosts: [srv], approvals: 1, approvers: [team:ops] }',
    'hosts:',
    '  srv:',
    local
      ? `    - { name: srv, executor: local, deploy_to: ${JSON.stringify(serverDir)} }`
      : hostLine({ ...host, name: 'srv' }),
    'roles:',
    '  project_manager: [pam]',
    '  developer: [dev, carol]',
    '  ops: [team:ops]',
    '  deployer: [team:ops]',
    '  acceptor: [pam]',
    '',
  ].join('\n');
}

beforeAll(async () => {
  fleet = await startSshdFleet(1);
  work = await mkdtemp(join(tmpdir(), 'ym-sec01-'));
  serverDir = join(work, 'server-side');
  await mkdir(serverDir, { recursive: true });
  pkg = await buildPackage(join(work, 'pkgs'), '1.0.0');
  // Another version for the second test: a host already on a version is skipped.
  pkg2 = await buildPackage(join(work, 'pkgs'), '2.0.0');
  harness = await startHarness({ configYaml: configYaml(true), fleet, workDir: work });
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

async function openIssue(number: number): Promise<void> {
  const body = formBody({ requirement: 'Ship it', planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' });
  await send(harness, 'issues', issueOpened(number, 'pam', body));
  await commentsMatching(harness, number, /Work order received/);
}

function stateOf(number: number, states: readonly WorkOrderState[]): Promise<WorkOrderState> {
  return waitFor(`#${number} to reach ${states.join('|')}`, async () => {
    const order = await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number });
    return order !== undefined && states.includes(order.state) ? order.state : undefined;
  });
}

function repliesTo(number: number): string[] {
  return harness.fake
    .requestsTo(ROUTES.comments)
    .filter((request) => request.pathParams.issue_number === String(number))
    .map(bodyText);
}

describe('finding 1: executor local from a repository config', () => {
  it('refuses the plan at submission, naming the line, and nothing runs on the server', async () => {
    harness.config.yaml = configYaml(true);
    const marker = join(serverDir, 'PWNED-AT-SUBMISSION');
    await openIssue(101);
    await comment(
      101,
      'carol',
      planComment({
        environment: 'staging',
        version: '1.0.0',
        url: pkg.url,
        sha256: pkg.sha256,
        more: `commands:\n  check: ["touch ${marker}"]`,
      }),
    );
    // Either the refusal, or (unfixed) the plan taken and queued: then wait for that release to end.
    const [reply = ''] = await commentsMatching(harness, 101, /problem|Plan v\d+/);
    if (/Plan v\d+/.test(reply)) await stateOf(101, ['succeeded', 'failed', 'aborted']);
    expect(existsSync(marker), 'a plan command ran on the Yardmaster server').toBe(false);
    expect(reply).toMatch(/line 5, column 1, environment: .*executor local/);
    expect(reply).toMatch(/operator's policy/);
    expect(await stateOf(101, ['requested'])).toBe('requested');
  });

  it('refuses the start when the config turns a host local after approval, and the connect guard holds', async () => {
    harness.config.yaml = configYaml(false);
    const marker = join(serverDir, 'PWNED-AFTER-APPROVAL');
    await openIssue(102);
    await comment(
      102,
      'carol',
      planComment({
        environment: 'production',
        version: '2.0.0',
        url: pkg2.url,
        sha256: pkg2.sha256,
        more: `commands:\n  check: ["touch ${marker}"]`,
      }),
    );
    await commentsMatching(harness, 102, /Plan v\d+/);
    // The repository changes its config between the plan's check and the approval: the approved settings no longer
    // match, and the plan over the new config is refused by the policy, so the start fails.
    harness.config.yaml = configYaml(true);
    await comment(102, 'dave', '/approve');
    const end = await stateOf(102, ['succeeded', 'failed', 'aborted']);
    expect(existsSync(marker), 'a plan command ran on the Yardmaster server').toBe(false);
    expect(end).toBe('failed');
    await harness.reporter.idle();
    expect(repliesTo(102).join('\n')).toMatch(/policy[\s\S]*executor local/);
  });
});
