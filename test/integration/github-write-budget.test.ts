/**
 * Live on GitHub within GitHub's write budget (issue 12's acceptance): the App's Octokit keeps its real throttling
 * (about one write per second per installation), the GitHub stand-in validates every request against GitHub's REST
 * description and records when each arrived. An issue work order releases to three sshd hosts in two batches with a
 * 6 s health check (about 15 s): the running stage's check run shows in progress with its Abort button within 2 s of
 * the stage starting, every check run is completed within 3 s of the release's end, and pressing Abort (a signed
 * `check_run.requested_action` delivery) while the health check runs stops the next release and rolls the switched
 * hosts back. The write timeline is printed for the issue's note.
 */
import { eq } from 'drizzle-orm';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { githubReports } from '../../src/db/schema.ts';
import { STAGES, type ReleaseEvent, type StageName } from '../../src/deploy/types.ts';
import type { WorkerEvent } from '../../src/dispatch/worker-events.ts';
import { findWorkOrder, type WorkOrder } from '../../src/workorders/service/index.ts';
import type { WorkOrderState } from '../../src/workorders/types.ts';
import type { RecordedRequest } from '../helpers/github-fake-api.ts';
import {
  checkRunAction,
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
import { buildPackage, type BuiltPackage } from '../helpers/release-fixtures.ts';
import { startSshdFleet, type SshdFleet } from '../helpers/sshd.ts';
import { planComment, waitFor } from '../helpers/workorder-fixtures.ts';

const ENVIRONMENTS = 'production: { hosts: [web], approvals: 1, approvers: [team:ops], production: true }';
// Three hosts in two batches (two, then one), each with a 6 s health check and a 1 s monitor window: about 15 s.
const PLAN = [
  'strategy: { mode: batches, batch_size: 2 }',
  'commands:',
  '  health: { command: "sleep 6", retries: 1 }',
  '  monitor: { duration: 1s, interval: 500ms, command: "true" }',
].join('\n');

let fleet: SshdFleet;
let work: string;
let harness: Harness;
const packages: Record<string, BuiltPackage> = {};
const events: { at: number; event: WorkerEvent }[] = [];
let nextComment = 7000;

beforeAll(async () => {
  fleet = await startSshdFleet(3);
  work = await mkdtemp(join(tmpdir(), 'ym-budget-'));
  for (const version of ['2.0.0', '3.0.0']) packages[version] = await buildPackage(join(work, 'pkgs'), version);
  harness = await startHarness({
    configYaml: repoConfigYaml(fleet.hostEntries(), ENVIRONMENTS),
    fleet,
    workDir: work,
    throttled: true,
    refreshIntervalMs: 1_000,
    onWorkerEvent: (event) => events.push({ at: Date.now(), event }),
  });
}, 60_000);

afterAll(async () => {
  await harness?.close();
  await fleet?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

afterEach(githubRequestCheck(() => harness));
afterEach((context) => {
  if (context.task.result?.state !== 'fail') return;
  for (const request of harness.fake.requestsTo(ROUTES.comments))
    console.log(`#${request.pathParams.issue_number}: ${JSON.stringify(request.body)}`);
});

async function comment(number: number, author: string, body: string): Promise<void> {
  const response = await send(harness, 'issue_comment', issueComment(number, nextComment++, author, body));
  expect(response.status).toBeLessThan(300);
}

/** Opens issue `number`, posts the plan for `version` and approves it: the release starts. */
async function approvedOrder(number: number, version: string): Promise<WorkOrder> {
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
  await comment(
    number,
    'carol',
    planComment({ environment: 'production', version, url: pkg.url, sha256: pkg.sha256, more: PLAN }),
  );
  await commentsMatching(harness, number, /Plan v1 checked/);
  await comment(number, 'dave', '/approve');
  return waitFor(
    `work order #${number}`,
    () => findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number }),
    15_000,
  );
}

function waitForState(number: number, states: readonly WorkOrderState[]): Promise<WorkOrderState> {
  return waitFor(
    `#${number} to reach ${states.join('|')}`,
    async () => {
      const order = await findWorkOrder(harness.deps.db, { repoFullName: REPO_FULL_NAME, number });
      return order !== undefined && states.includes(order.state) ? order.state : undefined;
    },
    90_000,
  );
}

function releaseEventsOf(order: WorkOrder): { at: number; event: ReleaseEvent }[] {
  return events.flatMap(({ at, event }) =>
    event.type === 'release' && event.workOrderId === order.id ? [{ at, event: event.event }] : [],
  );
}

async function checkRunIds(order: WorkOrder): Promise<Map<string, number>> {
  const rows = await harness.deps.db.select().from(githubReports).where(eq(githubReports.workOrderId, order.id));
  return new Map(
    rows.flatMap((row) =>
      row.kind === 'check_run' && row.githubId !== null ? [[row.name, row.githubId] as const] : [],
    ),
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every write that set the state of `stage`'s check run of `order` (its creation, then its updates), in order. */
function stageWrites(
  order: WorkOrder,
  ids: Map<string, number>,
  stage: StageName,
): { at: number; body: Record<string, unknown> }[] {
  const id = String(ids.get(stage));
  return harness.fake.requests.flatMap((request) => {
    if (!isRecord(request.body)) return [];
    const created =
      request.route === '/repos/{owner}/{repo}/check-runs' &&
      request.body.name === `yardmaster / ${stage}` &&
      request.body.external_id === `yardmaster-order-${order.id}`;
    const updated =
      request.route === '/repos/{owner}/{repo}/check-runs/{check_run_id}' && request.pathParams.check_run_id === id;
    return created || updated ? [{ at: request.at, body: request.body }] : [];
  });
}

function offersAbort(body: Record<string, unknown>): boolean {
  return body.status === 'in_progress' && JSON.stringify(body.actions ?? []).includes('"abort"');
}

/** One line per write (and per stage event) since `from`, times relative to the release's start. */
function timeline(order: WorkOrder, ids: Map<string, number>, from: number, start: number): string {
  const names = new Map([...ids].map(([name, id]) => [String(id), name]));
  const seconds = (at: number): string => `${((at - start) / 1000).toFixed(2).padStart(6)} s`;
  const writes = harness.fake.requests.filter(
    (request) => request.at >= from && request.method !== 'GET' && !request.path.endsWith('/access_tokens'),
  );
  const describe = (request: RecordedRequest): string => {
    const body = isRecord(request.body) ? request.body : {};
    const stage = typeof body.name === 'string' ? body.name : names.get(request.pathParams.check_run_id ?? '');
    const state = [
      body.status,
      body.conclusion,
      body.state,
      JSON.stringify(body.actions ?? []).includes('"abort"') ? 'Abort' : undefined,
    ];
    const what = [stage, ...state].filter((part) => typeof part === 'string').join(' ');
    const path = request.path.replace(`/repos/${REPO_FULL_NAME}`, '');
    return `${seconds(request.at)}  ${request.method.padEnd(6)} ${path} → ${request.status}  ${what}`;
  };
  const lines = writes.map((request) => ({ at: request.at, text: describe(request) }));
  for (const { at, event } of releaseEventsOf(order)) {
    if (event.type === 'stage.started' || event.type === 'stage.finished') {
      const what = event.type === 'stage.started' ? 'starts' : `ends (${event.result})`;
      lines.push({ at, text: `${seconds(at)}    · ${event.host} ${event.stage} ${what}` });
    }
    if (event.type === 'release.finished')
      lines.push({ at, text: `${seconds(at)}    · release ends (${event.result.status})` });
  }
  return lines
    .sort((a, b) => a.at - b.at)
    .map((line) => line.text)
    .join('\n');
}

describe("reporting within GitHub's write budget", () => {
  it('shows the running stage with Abort within 2 s, completes every check run within 3 s of the end', async () => {
    const before = Date.now();
    const order = await approvedOrder(1, '2.0.0');
    expect(await waitForState(1, ['succeeded', 'failed', 'aborted'])).toBe('succeeded');
    await harness.reporter.idle();
    const released = releaseEventsOf(order);
    const start = released.find(({ event }) => event.type === 'release.started')?.at ?? 0;
    const end = released.find(({ event }) => event.type === 'release.finished')?.at ?? 0;
    const ids = await checkRunIds(order);
    console.log(
      `Write timeline of a ${((end - start) / 1000).toFixed(1)} s release (3 hosts, 2 batches, 6 s health check), ` +
        `Octokit throttling on:\n${timeline(order, ids, before, start)}`,
    );

    expect([...ids.keys()].sort()).toEqual([...STAGES].sort());
    // Every host's stage that ran 2 s or more: its check run in progress, with Abort, within 2 s of its start.
    const late: string[] = [];
    for (const { at, event } of released) {
      if (event.type !== 'stage.started') continue;
      const ended = released.find(
        (later) =>
          later.event.type === 'stage.finished' &&
          later.event.host === event.host &&
          later.event.stage === event.stage &&
          later.at >= at,
      );
      if (ended === undefined || ended.at - at < 2_000) continue;
      const shown = stageWrites(order, ids, event.stage)
        .filter((write) => write.at <= at + 2_000)
        .at(-1);
      if (shown === undefined || !offersAbort(shown.body))
        late.push(`${event.host} ${event.stage} at +${at - start} ms`);
    }
    expect(late).toEqual([]);
    expect(released.filter(({ event }) => event.type === 'stage.started' && event.stage === 'health')).toHaveLength(3);
    // Every check run completed within 3 s of the release's end.
    for (const stage of STAGES) {
      const last = stageWrites(order, ids, stage).at(-1);
      expect(last?.body, stage).toMatchObject({ status: 'completed', conclusion: 'success' });
      expect(
        (last?.at ?? Infinity) - end,
        `${stage} completed ${(last?.at ?? 0) - end} ms after the release's end`,
      ).toBeLessThanOrEqual(3_000);
    }
  }, 120_000);

  it('stops a release when Abort is pressed during the health check and rolls the switched hosts back', async () => {
    const order = await approvedOrder(2, '3.0.0');
    // The second batch's health check runs: every host has switched to 3.0.0 by now.
    await waitFor(
      'the second batch in its health check',
      () => {
        const healthStarts = releaseEventsOf(order).filter(
          ({ event }) => event.type === 'stage.started' && event.stage === 'health',
        );
        return Promise.resolve(healthStarts.length === 3 ? true : undefined);
      },
      60_000,
    );
    const health = await waitFor('the health check run', async () => (await checkRunIds(order)).get('health'), 10_000);
    for (const host of fleet.hostEntries()) expect(await liveTarget(host.deployTo ?? '')).toBe('releases/3.0.0');
    const pressed = await send(
      harness,
      'check_run',
      checkRunAction(health, `yardmaster-order-${order.id}`, 'abort', 'dave'),
    );
    expect(pressed.status).toBeLessThan(300);
    expect(await waitForState(2, ['aborted', 'succeeded', 'failed'])).toBe('aborted');
    await harness.reporter.idle();
    for (const host of fleet.hostEntries()) expect(await liveTarget(host.deployTo ?? '')).toBe('releases/2.0.0');
    const ids = await checkRunIds(order);
    for (const stage of STAGES)
      expect(stageWrites(order, ids, stage).at(-1)?.body, stage).toMatchObject({ status: 'completed' });
    expect(
      harness.fake.requestsTo(ROUTES.comments).some((request) => JSON.stringify(request.body).includes('was aborted')),
    ).toBe(true);
  }, 120_000);
});
