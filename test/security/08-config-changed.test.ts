/**
 * Finding 8 (red team): an approved plan ran against the repo config as it was at run time. Whoever can push to the
 * default branch changed `.github/yardmaster.yml` after the approval (a host's address and port, its deploy_to, the
 * environment's env and approvals) and the release went where nobody approved. Now the digest covers the resolved
 * release settings and the worker checks them at release start: a change sends the order back to `planned` saying
 * what changed; a reformatted config with the same meaning changes nothing.
 *
 * Real path: signed webhook deliveries through Probot to the work-order service on PostgreSQL, the config served by
 * the fake GitHub API, a real release worker (started once the config has changed) deploying to sshd hosts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry } from '../../src/config/types.ts';
import { startReleaseWorker, type ReleaseWorker } from '../../src/dispatch/release-worker.ts';
import { createGitHubConfigLoader } from '../../src/github/repo-config.ts';
import { findWorkOrder, type WorkOrder } from '../../src/workorders/service/index.ts';
import type { WorkOrderState } from '../../src/workorders/types.ts';
import {
  commentsMatching,
  formBody,
  githubRequestCheck,
  issueComment,
  issueOpened,
  reactionOn,
  REPO_FULL_NAME,
  send,
  startHarness,
  type Harness,
} from '../helpers/github-workorder-harness.ts';
import { liveTarget } from '../helpers/host-files.ts';
import { buildPackage, connectWith, type BuiltPackage } from '../helpers/release-fixtures.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';
import { planComment, waitFor } from '../helpers/workorder-fixtures.ts';

const ROLES = [
  'roles:',
  '  project_manager: [pam]',
  '  developer: [dev, carol]',
  '  ops: [team:ops]',
  '  deployer: [team:ops]',
  '  acceptor: [pam]',
];

function flowHost(host: HostEntry, deployTo: string, port = host.port): string {
  return `    - { name: ${host.name}, address: ${host.address}, port: ${port}, user: ${host.user ?? ''}, host_key: "${host.hostKey ?? ''}", deploy_to: ${deployTo} }`;
}

/** The config the plans are approved under: production on web-1, staging on stage-1. */
function approvedConfig(web: HostEntry, stage: HostEntry): string {
  return [
    'apps:',
    '  shop:',
    '    deploy_to: /srv/shop',
    '    environments:',
    '      production: { hosts: [web], approvals: 1, approvers: [team:ops], env: { MODE: prod } }',
    '      staging: { hosts: [stage], approvals: 1, approvers: [team:ops] }',
    'hosts:',
    '  web:',
    flowHost(web, web.deployTo ?? ''),
    '  stage:',
    flowHost(stage, stage.deployTo ?? ''),
    ...ROLES,
    '',
  ].join('\n');
}

/**
 * Pushed after the approvals: production's web-1 now points at stage-1's sshd (port and host key) with another
 * deploy_to, its env and approvals changed; staging is only rewritten (block style, keys reordered, comments).
 */
function pushedConfig(web: HostEntry, stage: HostEntry, movedTo: string): string {
  return [
    '# reformatted',
    ...ROLES,
    'hosts:',
    '  stage:',
    `    - deploy_to: ${stage.deployTo ?? ''}`,
    `      host_key: "${stage.hostKey ?? ''}"`,
    `      user: ${stage.user ?? ''}`,
    `      port: ${stage.port}`,
    '      address: 127.0.0.1   # unchanged',
    `      name: ${stage.name}`,
    '  web:',
    `    - { name: ${web.name}, address: 127.0.0.1, port: ${stage.port}, user: ${web.user ?? ''}, host_key: "${stage.hostKey ?? ''}", deploy_to: ${movedTo} }`,
    'apps:',
    '  shop:',
    '    environments:',
    '      staging:',
    '        approvers: [team:ops]',
    '        approvals: 1',
    '        hosts: [stage]',
    '      production: { hosts: [web], approvals: 2, approvers: [team:ops], env: { MODE: evil } }',
    '    deploy_to: /srv/shop',
    '',
  ].join('\n');
}

let fleet: SshdFleet;
let work: string;
let harness: Harness;
let worker: ReleaseWorker | undefined;
let pkg: BuiltPackage;
let nextComment = 9_800;

beforeAll(async () => {
  fleet = await startSshdFleet(2);
  work = await mkdtemp(join(tmpdir(), 'ym-sec08-'));
  pkg = await buildPackage(join(work, 'pkgs'), '1.0.0');
  const [web, stage] = fleet.hostEntries();
  if (web === undefined || stage === undefined) throw new Error('two hosts expected');
  // No worker yet: the approvals are given first, the config is pushed, then a worker picks the orders up.
  harness = await startHarness({ configYaml: approvedConfig(web, stage), workDir: work });
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await harness?.close();
  await fleet?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

afterEach(githubRequestCheck(() => harness));

async function orderOf(number: number): Promise<WorkOrder> {
  return waitFor(`order #${number}`, () => findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number }));
}

function waitForState(number: number, states: readonly WorkOrderState[]): Promise<WorkOrderState> {
  return waitFor(`#${number} to reach ${states.join('|')}`, async () => {
    const order = await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number });
    return order !== undefined && states.includes(order.state) ? order.state : undefined;
  });
}

async function approvedOrder(number: number, environment: string): Promise<void> {
  await send(
    harness,
    'issues',
    issueOpened(
      number,
      'pam',
      formBody({ requirement: 'Ship it', planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' }),
    ),
  );
  await commentsMatching(harness, number, /Work order received/);
  await send(
    harness,
    'issue_comment',
    issueComment(
      number,
      nextComment++,
      'carol',
      planComment({ environment, version: '1.0.0', url: pkg.url, sha256: pkg.sha256 }),
    ),
  );
  await commentsMatching(harness, number, /Plan v1 checked/);
  const approval = nextComment++;
  await send(harness, 'issue_comment', issueComment(number, approval, 'dave', '/approve'));
  expect(await reactionOn(harness, approval)).toBe('+1');
  expect((await orderOf(number)).state).toBe('approved');
}

describe('finding 8: a config changed after approval needs approval again', () => {
  it('refuses the start saying what changed, keeps a reformatted config, and runs once approved again', async () => {
    const [web, stage] = fleet.hostEntries();
    if (web === undefined || stage === undefined) throw new Error('two hosts expected');
    const movedTo = join(stage.deployTo ?? '', 'moved');
    await approvedOrder(801, 'production');
    await approvedOrder(802, 'staging');

    harness.config.yaml = pushedConfig(web, stage, movedTo);
    const githubFor = (installationId: number) => harness.app.probot.auth(installationId);
    worker = await startReleaseWorker({
      database: harness.test.database,
      queue: harness.queue,
      connect: connectWith(fleet.privateKey, fleet.user),
      loadConfig: createGitHubConfigLoader(githubFor),
      artifactsDir: work,
      cacheDir: join(work, 'cache'),
      onEvent: harness.reporter,
      pollingIntervalSeconds: 0.5,
      waitRetryMs: 300,
      sweepIntervalMs: 0,
    });

    // Staging's config only changed its form: its approval stands and it is released.
    expect(await waitForState(802, ['succeeded', 'failed', 'aborted', 'planned'])).toBe('succeeded');
    expect(await liveTarget(stage.deployTo ?? '')).toBe('releases/1.0.0');

    // Production's did change: no release anywhere, the order needs approval again, and the comment says why.
    const [notice] = await commentsMatching(harness, 801, /Approval needed again/);
    expect(notice).toContain(`host ${web.name}: port ${web.port} → ${stage.port}`);
    expect(notice).toContain(`host ${web.name}: hostKey ${web.hostKey ?? ''} → ${stage.hostKey ?? ''}`);
    expect(notice).toContain(`host ${web.name}: deployTo ${web.deployTo ?? ''} → ${movedTo}`);
    expect(notice).toContain('env MODE: prod → evil');
    expect(notice).toContain('approvals: 1 → 2');
    expect(await waitForState(801, ['planned', 'succeeded', 'failed', 'running'])).toBe('planned');
    expect(await liveTarget(movedTo)).toBeNull();
    expect(await liveTarget(web.deployTo ?? '')).toBeNull();

    // dave's approval was for the old settings; two approvals of the plan over the new config release it.
    for (const approver of ['dave', 'erin']) {
      const id = nextComment++;
      await send(harness, 'issue_comment', issueComment(801, id, approver, '/approve'));
      expect(await reactionOn(harness, id)).toBe('+1');
    }
    expect(await waitForState(801, ['succeeded', 'failed', 'aborted'])).toBe('succeeded');
    expect(await liveTarget(movedTo)).toBe('releases/1.0.0');
  });
});
