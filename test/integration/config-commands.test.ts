/**
 * Deployment commands defined once (issue 14), end to end: `commands:` on the app and on an environment of
 * `.github/yardmaster.yml`, a plan of only app, environment, version and package, the plan reply saying where each
 * stage's commands come from, the release running them on sshd hosts (they leave marker files the test reads), a
 * plan's own stage shown and run as an override, a config change of the commands after approval dropping the
 * approval, and the operator's `allow_custom_commands: false` refusing a plan's commands at their line.
 *
 * Real path: signed webhook deliveries through Probot to the work-order service on PostgreSQL, the config served by
 * the fake GitHub API, a real release worker deploying to sshd hosts.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry } from '../../src/config/types.ts';
import { startReleaseWorker, type ReleaseWorker } from '../../src/dispatch/release-worker.ts';
import { createGitHubConfigLoader } from '../../src/github/repo-config.ts';
import type { PolicySource } from '../../src/policy/index.ts';
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
import { policyFromYaml } from '../helpers/policy-fixtures.ts';
import { buildPackage, connectWith, type BuiltPackage } from '../helpers/release-fixtures.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';
import { planComment, waitFor } from '../helpers/workorder-fixtures.ts';

function flowHost(host: HostEntry): string {
  return `    - { name: ${host.name}, address: ${host.address}, port: ${host.port}, user: ${host.user ?? ''}, host_key: "${host.hostKey ?? ''}", deploy_to: ${host.deployTo ?? ''} }`;
}

/** The app's pre_deploy and post_deploy for every environment; production has a post_deploy of its own. */
function configYaml(web: HostEntry, stage: HostEntry, productionPostDeploy: string): string {
  return [
    'apps:',
    '  shop:',
    '    deploy_to: /srv/shop',
    '    commands:',
    `      pre_deploy: ['echo "app pre_deploy $YM_VERSION" > pre.marker']`,
    `      post_deploy: ['echo app post_deploy > post.marker']`,
    '    environments:',
    '      production:',
    '        hosts: [web]',
    '        approvals: 1',
    '        approvers: [team:ops]',
    `        commands: { post_deploy: ['${productionPostDeploy}'] }`,
    '      staging: { hosts: [stage], approvals: 1, approvers: [team:ops] }',
    'hosts:',
    '  web:',
    flowHost(web),
    '  stage:',
    flowHost(stage),
    'roles:',
    '  project_manager: [pam]',
    '  developer: [dev, carol]',
    '  ops: [team:ops]',
    '  deployer: [team:ops]',
    '  acceptor: [pam]',
    '',
  ].join('\n');
}

const APPROVED_POST_DEPLOY = 'echo production post_deploy > post.marker';
// An @mention and backticks in a config value must stay inert in the bot's comment (no ping, no broken Markdown).
const PUSHED_POST_DEPLOY = 'echo changed post_deploy > post.marker # @acme/ops `rendered`';

let fleet: SshdFleet;
let work: string;
let harness: Harness;
let worker: ReleaseWorker | undefined;
let pkg: BuiltPackage;
let nextComment = 14_100;
// The operator's policy, as reloaded between the tests: plans' own commands allowed, or not.
let allowCustomCommands = true;

beforeAll(async () => {
  fleet = await startSshdFleet(2);
  work = await mkdtemp(join(tmpdir(), 'ym-config-commands-'));
  pkg = await buildPackage(join(work, 'pkgs'), '1.0.0');
  const [web, stage] = fleet.hostEntries();
  if (web === undefined || stage === undefined) throw new Error('two hosts expected');
  const rule = (allow: boolean) =>
    policyFromYaml(`repos:\n  - match: "*/*"\n    hosts: ["127.0.0.1"]\n    allow_custom_commands: ${allow}\n`, work);
  const allowing = rule(true);
  const refusing = rule(false);
  const policy: PolicySource = {
    name: 'switchable test policy',
    forRepo: (repoFullName) => (allowCustomCommands ? allowing : refusing).forRepo(repoFullName),
  };
  // No worker yet: the approvals are given first, the config is pushed, then a worker picks the orders up.
  harness = await startHarness({ configYaml: configYaml(web, stage, APPROVED_POST_DEPLOY), workDir: work, policy });
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await harness?.close();
  await fleet?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

afterEach(githubRequestCheck(() => harness));

function hosts(): { web: HostEntry; stage: HostEntry } {
  const [web, stage] = fleet.hostEntries();
  if (web === undefined || stage === undefined) throw new Error('two hosts expected');
  return { web, stage };
}

async function orderOf(number: number): Promise<WorkOrder> {
  return waitFor(`order #${number}`, () => findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number }));
}

function waitForState(number: number, states: readonly WorkOrderState[]): Promise<WorkOrderState> {
  return waitFor(`#${number} to reach ${states.join('|')}`, async () => {
    const order = await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number });
    return order !== undefined && states.includes(order.state) ? order.state : undefined;
  });
}

async function openOrder(number: number): Promise<void> {
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
}

function postPlan(number: number, environment: string, more?: string): Promise<unknown> {
  const plan = planComment({
    environment,
    version: '1.0.0',
    url: pkg.url,
    sha256: pkg.sha256,
    ...(more === undefined ? {} : { more }),
  });
  return send(harness, 'issue_comment', issueComment(number, nextComment++, 'carol', plan));
}

async function approve(number: number, approver = 'dave'): Promise<void> {
  const id = nextComment++;
  await send(harness, 'issue_comment', issueComment(number, id, approver, '/approve'));
  expect(await reactionOn(harness, id)).toBe('+1');
}

function marker(deployTo: string, name: string): Promise<string> {
  return readFile(join(deployTo, 'releases', '1.0.0', name), 'utf8');
}

describe('commands from the repo config', () => {
  it('are shown with their origin, need approval again when the config changes them, and run on the hosts', async () => {
    const { web, stage } = hosts();

    // Production: a plan of only app, environment, version and package; every command comes from the config.
    await openOrder(1401);
    await postPlan(1401, 'production');
    const [reply] = await commentsMatching(harness, 1401, /Plan v1 checked/);
    expect(reply).toMatch(/\*\*pre_deploy\*\*: [^\n]*\(from the app's commands in the repo config\)/);
    expect(reply).toMatch(/\*\*post_deploy\*\*: [^\n]*\(from the environment's commands in the repo config\)/);
    expect(reply).toContain('echo "app pre_deploy $YM_VERSION" > pre.marker');
    expect(reply).toContain(APPROVED_POST_DEPLOY);
    expect(reply).not.toContain('echo app post_deploy');
    await approve(1401);
    expect((await orderOf(1401)).state).toBe('approved');

    // Staging: the plan brings its own post_deploy, shown as an override with what it replaces.
    await openOrder(1402);
    await postPlan(1402, 'staging', "commands:\n  post_deploy: ['echo plan post_deploy > post.marker']");
    const [override] = await commentsMatching(harness, 1402, /Plan v1 checked/);
    expect(override).toMatch(
      /\*\*post_deploy\*\*: [^\n]*\(plan override: replaces the app's commands in the repo config\)/,
    );
    expect(override).toContain("<summary>Replaced, not run: the config's 1 command</summary>");
    expect(override).toContain('echo app post_deploy > post.marker');
    await approve(1402);

    // Production's post_deploy changes on the default branch after the approval.
    harness.config.yaml = configYaml(web, stage, PUSHED_POST_DEPLOY);
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

    // Staging's commands did not change: it runs the app's pre_deploy and the plan's post_deploy.
    expect(await waitForState(1402, ['succeeded', 'failed', 'aborted', 'planned'])).toBe('succeeded');
    expect(await liveTarget(stage.deployTo ?? '')).toBe('releases/1.0.0');
    expect(await marker(stage.deployTo ?? '', 'pre.marker')).toBe('app pre_deploy 1.0.0\n');
    expect(await marker(stage.deployTo ?? '', 'post.marker')).toBe('plan post_deploy\n');

    // Production's did: nothing ran, and the order needs approval again, saying what changed.
    const [notice] = await commentsMatching(harness, 1401, /Approval needed again/);
    expect(notice).toContain(`commands.post_deploy: ["${APPROVED_POST_DEPLOY}"] → ["${PUSHED_POST_DEPLOY}"]`);
    // The reason is quoted in a fenced block (src/github/markdown.ts): outside code, nothing of the config is left.
    const outsideCode = (notice ?? '').replace(/^(`{3,})text\n[\s\S]*?\n\1$/gm, '');
    expect(outsideCode).not.toContain('@acme/ops');
    expect(outsideCode).toContain('**Approval needed again.**');
    expect(await waitForState(1401, ['planned', 'succeeded', 'failed', 'running'])).toBe('planned');
    expect(await liveTarget(web.deployTo ?? '')).toBeNull();

    // Approved again over the changed config, it runs the changed commands.
    await approve(1401);
    expect(await waitForState(1401, ['succeeded', 'failed', 'aborted'])).toBe('succeeded');
    expect(await marker(web.deployTo ?? '', 'pre.marker')).toBe('app pre_deploy 1.0.0\n');
    expect(await marker(web.deployTo ?? '', 'post.marker')).toBe('changed post_deploy\n');
  });

  it("refuses a plan's own commands at their line when the operator's policy says allow_custom_commands: false", async () => {
    allowCustomCommands = false;
    try {
      await openOrder(1403);
      await postPlan(1403, 'staging', "commands:\n  post_deploy: ['echo mine > post.marker']");
      const [refusal] = await commentsMatching(harness, 1403, /allow_custom_commands: false/);
      // The plan block's line 11 in the comment: `  post_deploy: [...]`.
      expect(refusal).toMatch(/line 11\b[^\n]*commands\.post_deploy/);
      expect(refusal).toContain('remove commands.post_deploy from the plan');
      expect((await orderOf(1403)).state).toBe('requested');

      // Without commands of its own, the config's run: the plan is taken.
      await postPlan(1403, 'staging');
      await commentsMatching(harness, 1403, /Plan v1 checked/);
      expect((await orderOf(1403)).state).toBe('planned');
    } finally {
      allowCustomCommands = true;
    }
  });
});
