/**
 * A project's roles through the real webhook path: signed deliveries to the App over the work-order service on
 * PostgreSQL. App `shop` belongs to project `store`, whose `ops` and `deployer` replace the repository's
 * (team:ops): a repository approver or deployer is refused on a `shop` order, the project's are obeyed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findWorkOrder, type WorkOrder } from '../../src/workorders/service/index.ts';
import type { WorkOrderState } from '../../src/workorders/types.ts';
import { formatViolations } from '../helpers/github-openapi.ts';
import {
  commentsMatching,
  formBody,
  issueComment,
  issueOpened,
  reactionOn,
  repoConfigYaml,
  REPO_FULL_NAME,
  send,
  startHarness,
  type Harness,
} from '../helpers/github-workorder-harness.ts';
import { buildPackage, type BuiltPackage } from '../helpers/release-fixtures.ts';
import { planComment, waitFor } from '../helpers/workorder-fixtures.ts';

/** The harness's config (repository roles: ops and deployer team:ops) with `shop` in project `store`. */
function projectConfig(): string {
  const base = repoConfigYaml(
    [{ name: 'web-1', address: '127.0.0.1', port: 22, executor: 'ssh' }],
    'production: { hosts: [web], approvals: 1, production: true }',
  );
  expect(base).toContain('  shop:\n    deploy_to:');
  return `${base.replace('  shop:\n    deploy_to:', '  shop:\n    project: store\n    deploy_to:')}projects:
  store:
    description: The shop's apps
    roles:
      ops: [olga]
      deployer: [dora]
`;
}

let work: string;
let harness: Harness;
let pkg: BuiltPackage;
let nextComment = 7000;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'ym-project-roles-'));
  pkg = await buildPackage(join(work, 'pkgs'), '1.0.0');
  harness = await startHarness({ configYaml: projectConfig(), workDir: work });
}, 60_000);

afterAll(async () => {
  await harness?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

afterEach(() => {
  const refused = harness.app.validation.violations.splice(0);
  expect(refused.map((record) => `${record.method} ${record.url}\n${formatViolations(record.violations)}`)).toEqual([]);
});

async function comment(number: number, author: string, body: string): Promise<number> {
  const id = nextComment++;
  const response = await send(harness, 'issue_comment', issueComment(number, id, author, body));
  expect(response.status).toBeLessThan(300);
  return id;
}

function waitForState(number: number, state: WorkOrderState): Promise<WorkOrder> {
  return waitFor(`#${number} to reach ${state}`, async () => {
    const order = await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number });
    return order?.state === state ? order : undefined;
  });
}

describe("a project's roles on the webhook path", () => {
  it("refuses the repository's approver and deployer on the project's app, and obeys the project's", async () => {
    const opened = await send(
      harness,
      'issues',
      issueOpened(1, 'pam', formBody({ requirement: 'x', planAuthor: 'carol', deployer: 'dora', acceptor: 'pam' })),
    );
    expect(opened.status).toBeLessThan(300);
    await commentsMatching(harness, 1, /Work order received/);
    await comment(
      1,
      'carol',
      planComment({ environment: 'production', version: '1.0.0', url: pkg.url, sha256: pkg.sha256 }),
    );
    await commentsMatching(harness, 1, /Plan v1 checked/);
    await waitForState(1, 'planned');

    // dave is in team:ops, the repository's ops: not an approver of the project's app.
    const byDave = await comment(1, 'dave', '/approve');
    expect(await reactionOn(harness, byDave)).toBe('confused');
    await commentsMatching(
      harness,
      1,
      /@dave `\/approve` was refused: @dave is not an approver of shop\/production \(approvers: olga\)/,
    );

    const byOlga = await comment(1, 'olga', '/approve');
    expect(await reactionOn(harness, byOlga)).not.toBe('confused');
    await waitForState(1, 'approved');

    // The repository's deployers (team:ops) may not abort it; the project's deployer may.
    const abortByDave = await comment(1, 'dave', '/abort');
    expect(await reactionOn(harness, abortByDave)).toBe('confused');
    await commentsMatching(harness, 1, /@dave `\/abort` was refused: @dave is not a deployer .*\(deployer: dora\)/);
    await comment(1, 'dora', '/abort changed my mind');
    await waitForState(1, 'aborted');
  });
});
