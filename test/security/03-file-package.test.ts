/**
 * Finding 3: `package.url: file:///…` (or an absolute path, or a link in the artifact store) read any file of the
 * controller, and a checksum mismatch printed its real sha256. Driven through the real path: signed example webhooks
 * to the App (Probot), the work-order service on PostgreSQL, the real release worker deploying to an sshd host, the
 * GitHub reporter. No sha256 of the file may reach GitHub in any comment or check run.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findWorkOrder } from '../../src/workorders/service/index.ts';
import type { WorkOrderState } from '../../src/workorders/types.ts';
import {
  commentsMatching,
  formBody,
  githubRequestCheck,
  issueComment,
  issueOpened,
  repoConfigYaml,
  REPO_FULL_NAME,
  send,
  startHarness,
  type Harness,
} from '../helpers/github-workorder-harness.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';
import { planComment, waitFor } from '../helpers/workorder-fixtures.ts';

const SECRET_FILE = '/etc/passwd';
const WRONG_SHA = 'a'.repeat(64);

let fleet: SshdFleet;
let work: string;
let harness: Harness;
let secretSha: string;
let server: Server;
let loopbackUrl: string;
let nextComment = 9300;

beforeAll(async () => {
  fleet = await startSshdFleet(1);
  work = await mkdtemp(join(tmpdir(), 'ym-sec03-'));
  secretSha = createHash('sha256')
    .update(await readFile(SECRET_FILE))
    .digest('hex');
  // A link inside the artifact store that leads out of it.
  await symlink(SECRET_FILE, join(work, 'innocent.tar.gz'));
  // A service on the server's loopback interface (an admin endpoint, a metadata service…).
  server = createServer((_request, response) => response.end('internal'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  loopbackUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin.tgz`;
  harness = await startHarness({
    configYaml: repoConfigYaml(fleet.hostEntries(), 'staging: { hosts: [web], approvals: 0 }'),
    fleet,
    workDir: work,
  });
}, 60_000);

afterAll(async () => {
  await harness?.close();
  await fleet?.stop();
  await new Promise((resolve) => server?.close(resolve));
  if (work) await rm(work, { recursive: true, force: true });
});

afterEach(githubRequestCheck(() => harness));

async function openIssue(number: number): Promise<void> {
  const body = formBody({ requirement: 'Ship it', planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' });
  await send(harness, 'issues', issueOpened(number, 'pam', body));
  await commentsMatching(harness, number, /Work order received/);
}

async function postPlan(number: number, url: string): Promise<string> {
  await openIssue(number);
  await send(
    harness,
    'issue_comment',
    issueComment(
      number,
      nextComment++,
      'carol',
      planComment({ environment: 'staging', version: '1.0.0', url, sha256: WRONG_SHA }),
    ),
  );
  const [reply = ''] = await commentsMatching(harness, number, /problem|Plan v\d+/);
  return reply;
}

function endOf(number: number): Promise<WorkOrderState> {
  return waitFor(`#${number} to end`, async () => {
    const order = await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number });
    return order !== undefined && ['succeeded', 'failed', 'aborted'].includes(order.state) ? order.state : undefined;
  });
}

/** Everything the App sent to GitHub: comments, check runs, deployment statuses. */
function everythingSent(): string {
  return harness.fake.requests.map((request) => JSON.stringify(request.body ?? '')).join('\n');
}

describe('finding 3: package.url reading the controller', () => {
  it.each([
    ['a file:// URL', `file://${SECRET_FILE}`, 301],
    ['an absolute path', SECRET_FILE, 302],
    ['plain http to the loopback interface', 'LOOPBACK', 303],
  ])(
    'refuses %s at submission, naming the line, and no sha256 of the file is printed',
    async (_what, location, number) => {
      const url = location === 'LOOPBACK' ? loopbackUrl : location;
      const reply = await postPlan(number, url);
      if (/Plan v\d+/.test(reply)) {
        await endOf(number);
        await harness.reporter.idle();
      }
      expect(everythingSent()).not.toContain(secretSha);
      expect(reply).toMatch(/line 8, column 3, package\.url: /);
      expect(reply).toMatch(/operator's policy/);
      const order = await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number });
      expect(order?.state).toBe('requested');
    },
  );

  it('refuses at run time a link in the artifact store that leads out of it, without printing its sha256', async () => {
    const reply = await postPlan(304, 'innocent.tar.gz');
    expect(reply).toMatch(/Plan v\d+/);
    expect(await endOf(304)).toBe('failed');
    await harness.reporter.idle();
    const sent = everythingSent();
    expect(sent).not.toContain(secretSha);
    expect(sent).toMatch(/not a readable file in the places the operator's policy allows/);
  });
});
