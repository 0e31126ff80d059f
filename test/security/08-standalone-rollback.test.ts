/**
 * Finding 8 (red team): a standalone `/rollback` ran the post_deploy hooks it read back from the host's
 * `<deploy_to>/.yardmaster/plans/<version>.json`, so anyone who can write there (any process running as the deploy
 * user, e.g. the released application itself) got unapproved commands run by the next rollback, with the
 * environment's secrets. Now the server runs only the post_deploy commands of the approved plan of the release that
 * becomes live, read from its database.
 *
 * Real path: signed webhook deliveries through Probot, the work-order service on PostgreSQL, the release worker
 * deploying to an sshd host and running the rollback job.
 */
import { readFile, rm, mkdtemp, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry } from '../../src/config/types.ts';
import { findWorkOrder } from '../../src/workorders/service/index.ts';
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
  send,
  startHarness,
  type Harness,
} from '../helpers/github-workorder-harness.ts';
import { liveTarget } from '../helpers/host-files.ts';
import { buildPackage, type BuiltPackage } from '../helpers/release-fixtures.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';
import { planComment, waitFor } from '../helpers/workorder-fixtures.ts';

let fleet: SshdFleet;
let work: string;
let harness: Harness;
let host: HostEntry;
const packages: Record<string, BuiltPackage> = {};
let nextComment = 9_900;

beforeAll(async () => {
  fleet = await startSshdFleet(1);
  work = await mkdtemp(join(tmpdir(), 'ym-sec08r-'));
  for (const version of ['1.0.0', '2.0.0']) packages[version] = await buildPackage(join(work, 'pkgs'), version);
  const [first] = fleet.hostEntries();
  if (first === undefined) throw new Error('one host expected');
  host = first;
  harness = await startHarness({
    configYaml: repoConfigYaml([host], 'production: { hosts: [web], approvals: 1, approvers: [team:ops] }'),
    fleet,
    workDir: work,
  });
}, 60_000);

afterAll(async () => {
  await harness?.close();
  await fleet?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

afterEach(githubRequestCheck(() => harness));

function waitForState(number: number, states: readonly WorkOrderState[]): Promise<WorkOrderState> {
  return waitFor(`#${number} to reach ${states.join('|')}`, async () => {
    const order = await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number });
    return order !== undefined && states.includes(order.state) ? order.state : undefined;
  });
}

/** Each approved post_deploy appends its version to this log beside the deploy directory's releases. */
const HOOK_LOG = 'approved-hooks.log';

async function release(number: number, version: string): Promise<void> {
  const pkg = packages[version];
  if (pkg === undefined) throw new Error(`no package ${version}`);
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
  const more = `commands:\n  post_deploy: ["echo ${version} >> ../../${HOOK_LOG}"]`;
  await send(
    harness,
    'issue_comment',
    issueComment(
      number,
      nextComment++,
      'carol',
      planComment({ environment: 'production', version, url: pkg.url, sha256: pkg.sha256, more }),
    ),
  );
  await commentsMatching(harness, number, /Plan v1 checked/);
  await send(harness, 'issue_comment', issueComment(number, nextComment++, 'dave', '/approve'));
  expect(await waitForState(number, ['succeeded', 'failed', 'aborted'])).toBe('succeeded');
}

async function hookLog(deployTo: string): Promise<string[]> {
  const path = join(deployTo, HOOK_LOG);
  return existsSync(path) ? (await readFile(path, 'utf8')).trim().split('\n') : [];
}

describe('finding 8: a standalone rollback runs only approved hooks', () => {
  it("ignores hooks planted in .yardmaster/plans on the host and runs the approved plan's post_deploy on the approved hosts", async () => {
    const deployTo = host.deployTo ?? '';
    await release(811, '1.0.0');
    await release(812, '2.0.0');
    expect(await liveTarget(deployTo)).toBe('releases/2.0.0');
    expect(await hookLog(deployTo)).toEqual(['1.0.0', '2.0.0']);

    // Anyone who can write as the deploy user plants a command for the next rollback to 1.0.0.
    const marker = join(deployTo, 'planted-hook-ran');
    await writeFile(
      join(deployTo, '.yardmaster', 'plans', '1.0.0.json'),
      `${JSON.stringify({ post_deploy: [`touch ${marker}`] })}\n`,
      { mode: 0o644 },
    );

    // The repo config changes after the release (web-1 now names a port nothing listens on): a rollback continues
    // the approved release, so it goes where the release went.
    harness.config.yaml = repoConfigYaml(
      [{ ...host, port: 1 }],
      'production: { hosts: [web], approvals: 1, approvers: [team:ops] }',
    );

    const rollback = nextComment++;
    await send(harness, 'issue_comment', issueComment(812, rollback, 'dave', '/rollback'));
    expect(await reactionOn(harness, rollback)).toBe('+1');
    expect(await waitForState(812, ['failed'])).toBe('failed');
    await commentsMatching(harness, 812, /rolled back 1 host/);
    expect(await liveTarget(deployTo)).toBe('releases/1.0.0');

    expect(existsSync(marker)).toBe(false);
    // The post_deploy of 1.0.0's approved plan (work order #811) ran again in the restored release.
    expect(await hookLog(deployTo)).toEqual(['1.0.0', '2.0.0', '1.0.0']);
  });
});
