/**
 * The GitHub reporter on its own: worker events in, GitHub calls out (a recording fake of the Octokit slice), ids
 * kept in the database. Coalescing of check-run updates, and failures that never reach the worker.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { githubReports, workOrders } from '../../src/db/schema.ts';
import type { ReleaseEvent, ReleaseResult } from '../../src/deploy/types.ts';
import { STAGES } from '../../src/deploy/types.ts';
import type { WorkerEvent } from '../../src/dispatch/worker-events.ts';
import type { Answer, OctokitSlice } from '../../src/github/octokit-slice.ts';
import { createGitHubReporter } from '../../src/github/report-worker-events.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';

interface Call {
  method: string;
  params: Record<string, unknown>;
}

class HttpError extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`HTTP ${status}`);
    this.status = status;
  }
}

/** A recording Octokit slice; `failing` methods answer 502 every time. */
function fakeGitHub(failing: ReadonlySet<string> = new Set()): { github: OctokitSlice; calls: Call[] } {
  const calls: Call[] = [];
  let nextId = 1;
  const record =
    (method: string, data: (params: Record<string, unknown>) => unknown = () => ({})) =>
    (params: Record<string, unknown>): Answer => {
      calls.push({ method, params });
      if (failing.has(method)) return Promise.reject(new HttpError(502));
      return Promise.resolve({ status: 200, data: data(params) });
    };
  const github: OctokitSlice = {
    rest: {
      issues: {
        createComment: record('comment'),
        getComment: record('getComment', () => ({ body: '' })),
        updateComment: record('updateComment'),
        addLabels: record('addLabels'),
        removeLabel: record('removeLabel'),
        listLabelsOnIssue: () => Promise.reject(new HttpError(404)),
      },
      reactions: { createForIssueComment: record('reaction') },
      repos: {
        get: record('repo', () => ({ default_branch: 'main' })),
        getBranch: record('branch', () => ({ commit: { sha: 'b'.repeat(40) } })),
        getContent: () => Promise.reject(new HttpError(404)),
        createDeployment: record('deployment', () => ({ id: nextId++ })),
        createDeploymentStatus: record('deploymentStatus'),
      },
      pulls: { get: record('pull'), listFiles: record('pullFiles', () => []) },
      teams: { getMembershipForUserInOrg: record('team') },
      checks: { create: record('checkCreate', () => ({ id: nextId++ })), update: record('checkUpdate') },
    },
  };
  return { github, calls };
}

let test: TestDatabase;
/** The recording fake has no write budget to pace by. */
const UNPACED = { writeIntervalMs: 0, liveAfterMs: 0, noteDelayMs: 0 };

beforeAll(async () => {
  test = await openTestDatabase('pglite');
});

afterAll(async () => {
  await test?.cleanup();
});

async function newOrder(number: number): Promise<number> {
  const [row] = await test.database.db
    .insert(workOrders)
    .values({
      repoFullName: 'acme/shop',
      installationId: 7,
      kind: 'issue',
      number,
      title: 'Release',
      requester: 'pam',
      headSha: 'a'.repeat(40),
      state: 'running',
    })
    .returning();
  if (row === undefined) throw new Error('no order');
  return row.id;
}

function releaseEvents(
  workOrderId: number,
  releaseId: string,
  failAt?: { host: string; stage: (typeof STAGES)[number] },
): WorkerEvent[] {
  const hosts = ['web-1', 'web-2'];
  const events: ReleaseEvent[] = [
    {
      type: 'release.started',
      releaseId,
      app: 'shop',
      environment: 'production',
      version: '2.0.0',
      batches: [hosts],
      at: new Date().toISOString(),
    },
  ];
  for (const host of hosts) {
    for (const stage of STAGES) {
      events.push({ type: 'stage.started', releaseId, host, stage });
      for (let line = 1; line <= 50; line++)
        events.push({ type: 'output', releaseId, host, stage, stream: 'stdout', line: `${stage} line ${line}` });
      const failed = failAt?.host === host && failAt.stage === stage;
      events.push({
        type: 'stage.finished',
        releaseId,
        host,
        stage,
        result: failed ? 'failed' : 'ok',
        durationMs: 12,
        exitCode: failed ? 1 : 0,
        ...(failed ? { message: 'health check failed' } : {}),
      });
      if (failed) break;
    }
  }
  const failedHost =
    failAt === undefined
      ? undefined
      : { host: failAt.host, stage: failAt.stage, exitCode: 1, message: 'health check failed', lastLines: ['boom'] };
  const result: ReleaseResult = {
    releaseId,
    app: 'shop',
    environment: 'production',
    version: '2.0.0',
    status: failAt === undefined ? 'succeeded' : 'failed',
    hosts: hosts.map((host) => ({
      host,
      outcome: host === failAt?.host ? 'failed' : 'released',
      previousVersion: null,
      durationMs: 100,
      ...(failAt === undefined ? {} : { rolledBackTo: null }),
    })),
    ...(failedHost === undefined ? {} : { failedHost }),
    durationMs: 200,
  };
  events.push({ type: 'release.finished', releaseId, result });
  return [
    ...events.map((event): WorkerEvent => ({ type: 'release', workOrderId, event })),
    failAt === undefined
      ? {
          type: 'transition',
          workOrderId,
          from: 'running',
          to: 'succeeded',
          cause: 'release-succeeded',
          reason: 'released',
        }
      : {
          type: 'transition',
          workOrderId,
          from: 'running',
          to: 'failed',
          cause: 'release-failed',
          reason: `${failAt.host} failed`,
        },
  ];
}

describe('the GitHub reporter', () => {
  it('coalesces check-run updates, completes all nine, and keeps the ids', async () => {
    const { github, calls } = fakeGitHub();
    const reporter = createGitHubReporter({
      githubFor: () => Promise.resolve(github),
      database: test.database,
      publicUrl: 'https://ym.example',
      ...UNPACED,
      flushIntervalMs: 60_000,
    });
    const workOrderId = await newOrder(1);
    for (const event of releaseEvents(workOrderId, 'rel-1')) reporter(event);
    await reporter.idle();

    const created = calls.filter((call) => call.method === 'checkCreate');
    expect(created.map((call) => call.params.name)).toEqual(STAGES.map((stage) => `yardmaster / ${stage}`));
    const updates = calls.filter((call) => call.method === 'checkUpdate');
    // 900 output lines and 36 stage events: with a long interval, at most one interim update per check run, plus the final.
    expect(updates.length).toBeLessThanOrEqual(18);
    const finals = updates.filter((call) => call.params.status === 'completed');
    expect(finals).toHaveLength(9);
    expect(finals.every((call) => call.params.conclusion === 'success')).toBe(true);
    const text = JSON.stringify(finals[0]?.params.output);
    expect(text).toContain('check line 50');
    expect(text).not.toContain('check line 1\\n');
    expect(calls.filter((call) => call.method === 'deploymentStatus').map((call) => call.params.state)).toEqual([
      'queued',
      'in_progress',
      'success',
    ]);
    expect(calls.find((call) => call.method === 'deployment')?.params).toMatchObject({
      ref: 'a'.repeat(40),
      production_environment: true,
      auto_merge: false,
      required_contexts: [],
    });
    expect(calls.filter((call) => call.method === 'addLabels').map((call) => call.params.labels)).toEqual([
      ['deployed'],
    ]);
    const rows = await test.database.db.select().from(githubReports).where(eq(githubReports.workOrderId, workOrderId));
    expect(rows).toHaveLength(10);
  });

  it('names the failed host, and survives GitHub failing', async () => {
    const { github, calls } = fakeGitHub(new Set(['checkUpdate']));
    const warnings: string[] = [];
    const reporter = createGitHubReporter({
      githubFor: () => Promise.resolve(github),
      database: test.database.db,
      publicUrl: 'https://ym.example',
      ...UNPACED,
      attempts: 2,
      log: { info: () => undefined, warn: (_fields, message) => warnings.push(message) },
    });
    const workOrderId = await newOrder(2);
    for (const event of releaseEvents(workOrderId, 'rel-2', { host: 'web-1', stage: 'health' }))
      expect(() => {
        reporter(event);
      }).not.toThrow();
    await reporter.idle();
    expect(warnings).toContain('GitHub report failed');
    const health = calls.filter(
      (call) =>
        call.method === 'checkUpdate' &&
        call.params.status === 'completed' &&
        (JSON.stringify(call.params.output) ?? '').includes('health:'),
    );
    expect(health.at(-1)?.params).toMatchObject({ conclusion: 'failure' });
    expect(JSON.stringify(health.at(-1)?.params.output)).toContain('web-1');
    const comment = calls.find((call) => call.method === 'comment');
    expect(String(comment?.params.body)).toContain('Failed host: **web-1**');
    expect(calls.filter((call) => call.method === 'deploymentStatus').map((call) => call.params.state)).toEqual([
      'queued',
      'in_progress',
      'failure',
    ]);
  });

  it('updates the same check runs when a release is resumed by another process', async () => {
    const first = fakeGitHub();
    const workOrderId = await newOrder(3);
    const reporter = createGitHubReporter({
      githubFor: () => Promise.resolve(first.github),
      database: test.database,
      publicUrl: 'https://ym.example',
      ...UNPACED,
    });
    // The first process saw web-1 go through the nine stages (each check run is made when its stage starts), then stopped.
    const events = releaseEvents(workOrderId, 'rel-3');
    const web2 = events.findIndex(
      (event) => event.type === 'release' && event.event.type === 'stage.started' && event.event.host === 'web-2',
    );
    for (const event of events.slice(0, web2)) {
      reporter(event);
      await reporter.idle();
    }
    const second = fakeGitHub();
    const resumed = createGitHubReporter({
      githubFor: () => Promise.resolve(second.github),
      database: test.database,
      publicUrl: 'https://ym.example',
      ...UNPACED,
    });
    for (const event of releaseEvents(workOrderId, 'rel-3')) resumed(event);
    await resumed.idle();
    expect(second.calls.filter((call) => call.method === 'checkCreate' || call.method === 'deployment')).toEqual([]);
    const firstIds = first.calls.filter((call) => call.method === 'checkCreate').length;
    expect(firstIds).toBe(9);
    expect(
      second.calls.filter((call) => call.method === 'checkUpdate' && call.params.status === 'completed'),
    ).toHaveLength(9);
  });
});
