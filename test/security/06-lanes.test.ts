/**
 * Finding 6, lanes, tried as an attacker with write access to one installed repository would: repository B's
 * pull-request comment naming repository A's lane must not take over, change or stop it; a lane's TTL is bounded;
 * a lane version is a version (never `..`); a lane process sees only the environment the catalog declares, not the
 * server's credentials; a repository's lanes hold no more instances than its quota. Real Probot with example
 * payloads, PostgreSQL, the lanes router, API and process runtime, and real service processes.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry } from '../../src/config/types.ts';
import { lanes as lanesTable } from '../../src/db/schema.ts';
import type { LaneCatalog } from '../../src/lanes/catalog.ts';
import { endExpiredLanes, startBaseline } from '../../src/lanes/lane-tasks.ts';
import { chainBecomes, chainThrough } from '../helpers/lane-requests.ts';
import { examplePayload, type WebhookPayload } from '../helpers/github-webhooks.ts';
import {
  commentsMatching,
  githubRequestCheck,
  INSTALLATION,
  issueComment,
  repoConfigYaml,
  REPO_FULL_NAME,
  send,
  startHarness,
  type Harness,
} from '../helpers/github-workorder-harness.ts';

const SERVICE = fileURLToPath(new URL('../fixtures/lane-service.ts', import.meta.url));
const ENV_SERVICE = fileURLToPath(new URL('../fixtures/lane-env-service.ts', import.meta.url));
const catalog: LaneCatalog = {
  A: { start: [process.execPath, SERVICE], env: { NEXT: 'B' }, health: '/healthz' },
  B: { start: [process.execPath, SERVICE], env: {}, health: '/healthz' },
  C: { start: [process.execPath, SERVICE], env: {}, health: '/healthz' },
  E: { start: [process.execPath, ENV_SERVICE], env: { GREETING: 'declared by the catalog' }, health: '/healthz' },
};
const HOSTS: HostEntry[] = [{ name: 'web-1', address: '10.0.0.1', port: 22, executor: 'ssh' }];
const TOKEN = 'harness-lanes-token-0123456789';
/** A second installed repository (the attacker's), and one with a small instance quota. */
const OTHER_REPO = 'Codertocat/Other';
const QUOTA_REPO = 'Codertocat/Quota';
const HOUR = 3_600_000;
/** Credentials the server process holds; none may reach a lane process. */
const SERVER_SECRETS = {
  DATABASE_URL: 'postgres://yardmaster:server-db-secret@db/yardmaster',
  PRIVATE_KEY: '-----BEGIN RSA PRIVATE KEY----- server-app-key',
  SLACK_BOT_TOKEN: 'xoxb-server-slack-token',
};
let harness: Harness;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  harness = await startHarness({
    configYaml: repoConfigYaml(HOSTS, 'production: { hosts: [web] }'),
    workDir: '/nonexistent',
    lanes: {
      catalog,
      limitsFor: (repo) =>
        repo === QUOTA_REPO ? { maxTtlMs: 72 * HOUR, maxInstances: 2 } : { maxTtlMs: 72 * HOUR, maxInstances: 20 },
    },
  });
  const lanes = harness.lanes;
  if (lanes === undefined) throw new Error('no lanes');
  await startBaseline(lanes.deps, 'A', '0');
  await startBaseline(lanes.deps, 'B', '0');
  // The server's own environment, as in production (set after the harness opened its database).
  for (const [name, value] of Object.entries(SERVER_SECRETS)) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
}, 60_000);

afterAll(async () => {
  for (const [name, value] of Object.entries(saved)) {
    // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- unsetting an environment variable takes a delete
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await harness?.close();
});

afterEach(githubRequestCheck(() => harness));

/** The issue_comment example, in repository `fullName` (same installation). */
function commentIn(
  fullName: string,
  number: number,
  commentId: number,
  author: string,
  body: string,
  action: 'created' | 'edited' = 'created',
): WebhookPayload {
  const base = issueComment(number, commentId, author, body, action, true);
  if (fullName === REPO_FULL_NAME) return base;
  const [owner = '', name = ''] = fullName.split('/');
  const example = examplePayload('issue_comment', action).repository;
  const repository = typeof example === 'object' && example !== null && !Array.isArray(example) ? example : {};
  const pull = { url: `https://api.github.com/repos/${fullName}/pulls/${number}` };
  return {
    ...base,
    issue: { ...(base.issue as object), pull_request: pull },
    repository: {
      ...repository,
      id: 9_000 + number,
      name,
      full_name: fullName,
      owner: { ...((repository as { owner?: object }).owner ?? {}), login: owner },
    },
    installation: INSTALLATION,
  };
}

function laneSpec(lines: readonly string[]): string {
  return ['Lane for this change:', '', '```yardmaster-lane', ...lines, '```'].join('\n');
}

/** The lane id from a "Lane `…` ready" reply. */
function laneIdOf(reply: string | undefined): string {
  const id = /Lane `([^`]+)` ready/.exec(reply ?? '')?.[1];
  if (id === undefined) throw new Error(`not a ready reply: ${reply ?? '(none)'}`);
  return id;
}

function api(path: string, init: RequestInit): Promise<Response> {
  return fetch(`${harness.lanes?.server.apiUrl ?? ''}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
      ...Object.fromEntries(new Headers(init.headers)),
    },
  });
}

describe('finding 6: lanes', () => {
  it("repository B's comment naming repository A's lane neither takes it over, changes it nor stops it", async () => {
    await send(
      harness,
      'issue_comment',
      commentIn(
        REPO_FULL_NAME,
        60,
        80_001,
        'carol',
        laneSpec(['lane: feature-42', 'services: { A: baseline, B: "1" }', 'calls: [A->B]']),
      ),
    );
    const aId = laneIdOf((await commentsMatching(harness, 60, /Lane `[^`]*feature-42` ready/))[0]);
    expect(aId).toBe('codertocat/hello-world/feature-42');
    expect(await chainBecomes(harness.lanes?.server.routerUrl ?? '', aId, ['A@0', 'B@1'])).toEqual(['A@0', 'B@1']);

    // Repository B names the same lane, with its own version and a one-second TTL.
    await send(
      harness,
      'issue_comment',
      commentIn(
        OTHER_REPO,
        7,
        80_002,
        'carol',
        laneSpec(['lane: feature-42', 'services: { A: baseline, B: "2" }', 'calls: [A->B]', 'ttl: 1s']),
      ),
    );
    const bId = laneIdOf((await commentsMatching(harness, 7, /Lane `[^`]*feature-42` ready/))[0]);
    expect(bId).toBe('codertocat/other/feature-42');
    expect(await chainBecomes(harness.lanes?.server.routerUrl ?? '', bId, ['A@0', 'B@2'])).toEqual(['A@0', 'B@2']);
    // A's lane still routes A's version, with A's spec.
    expect((await chainThrough(harness.lanes?.server.routerUrl ?? '', aId)).body).toBe(JSON.stringify(['A@0', 'B@1']));
    const rows = await harness.test.database.db.select().from(lanesTable);
    const aRow = rows.find((row) => row.name === aId && row.endedAt === null);
    expect(aRow).toMatchObject({
      repoFullName: REPO_FULL_NAME,
      pullNumber: 60,
      spec: { services: { A: 'baseline', B: '1' } },
    });

    // B's lane running out (its 1 s TTL) ends B's lane only.
    const lanes = harness.lanes;
    if (lanes === undefined) throw new Error('no lanes');
    expect(await endExpiredLanes(lanes.deps, new Date(Date.now() + 60_000))).toEqual([bId]);
    expect((await chainThrough(lanes.server.routerUrl, aId)).body).toBe(JSON.stringify(['A@0', 'B@1']));

    // `/lane down` in B ends nothing of A's.
    await send(harness, 'issue_comment', commentIn(OTHER_REPO, 7, 80_003, 'carol', '/lane down'));
    await commentsMatching(harness, 7, /there is no lane on this pull request/);
    expect(await chainBecomes(lanes.server.routerUrl, aId, ['A@0', 'B@1'])).toEqual(['A@0', 'B@1']);

    // The operator's API addresses any lane, a repository's included (its slashes plain or encoded).
    const gone = await api(`/v1/lanes/${encodeURIComponent(bId)}`, { method: 'DELETE' });
    expect({ status: gone.status, body: await gone.json() }).toEqual({
      status: 404,
      body: { error: `no active lane ${bId}` },
    });
    const ended = await api(`/v1/lanes/${aId}`, { method: 'DELETE' });
    expect(ended.status).toBe(200);
    expect(await chainBecomes(lanes.server.routerUrl, aId, ['A@0', 'B@0'])).toEqual(['A@0', 'B@0']);
  });

  it('refuses a lane TTL over the bound, naming the field and the limit', async () => {
    await send(
      harness,
      'issue_comment',
      commentIn(REPO_FULL_NAME, 61, 80_010, 'carol', laneSpec(['services: { A: baseline, B: "1" }', 'ttl: 100h'])),
    );
    const [problems] = await commentsMatching(harness, 61, /this lane spec has problems/);
    expect(problems).toMatch(/line 2, column \d+, ttl: .*72h/);
    await send(
      harness,
      'issue_comment',
      commentIn(REPO_FULL_NAME, 61, 80_011, 'carol', laneSpec(['services: { A: baseline, B: "1" }', 'ttl: 72h'])),
    );
    const id = laneIdOf((await commentsMatching(harness, 61, /Lane `[^`]+` ready/))[0]);
    const [row] = (await harness.test.database.db.select().from(lanesTable)).filter(
      (lane) => lane.name === id && lane.endedAt === null,
    );
    expect(row?.spec).toMatchObject({ ttlMs: 72 * HOUR });
  });

  it('refuses `..` and `.` as lane versions in a pull-request comment and in the lanes API and registry', async () => {
    await send(
      harness,
      'issue_comment',
      commentIn(REPO_FULL_NAME, 62, 80_020, 'carol', laneSpec(['services:', '  A: baseline', '  B: ".."'])),
    );
    const [problems] = await commentsMatching(harness, 62, /this lane spec has problems/);
    expect(problems).toMatch(/line 3, column \d+, services\.B: a version cannot be "\." or "\.\."/);

    const viaApi = await api('/v1/lanes', {
      method: 'POST',
      headers: { 'content-type': 'text/yaml' },
      body: 'lane: dots\nservices: { B: "." }\n',
    });
    expect(viaApi.status).toBe(400);
    const put = await api('/v1/instances', {
      method: 'PUT',
      body: JSON.stringify({ service: 'B', version: '..', endpoint: 'http://127.0.0.1:9' }),
    });
    expect(put.status).toBe(400);
    expect(await put.text()).toContain('version');
    const registered = await api('/v1/register', {
      method: 'POST',
      body: JSON.stringify({ service: 'B', version: '..', endpoint: 'http://127.0.0.1:9' }),
    });
    expect(registered.status).toBe(400);
    const instances = await harness.lanes?.deps.db.query.laneInstances.findMany();
    expect(instances?.some((row) => row.version === '..' || row.version === '.')).toBe(false);
  });

  it("a lane process gets only the catalog's environment and Yardmaster's lane variables, never the server's", async () => {
    await send(
      harness,
      'issue_comment',
      commentIn(REPO_FULL_NAME, 63, 80_030, 'carol', laneSpec(['services: { E: "1" }'])),
    );
    const id = laneIdOf((await commentsMatching(harness, 63, /Lane `[^`]+` ready/))[0]);
    const response = await fetch(`${harness.lanes?.server.routerUrl ?? ''}/E/env`, {
      headers: { 'x-yardmaster-lane': id },
    });
    expect(response.status).toBe(200);
    const env = (await response.json()) as Record<string, string>;
    for (const name of Object.keys(SERVER_SECRETS)) expect(env).not.toHaveProperty(name);
    expect(JSON.stringify(env)).not.toContain('server-db-secret');
    expect(env).toMatchObject({
      GREETING: 'declared by the catalog',
      YM_SERVICE: 'E',
      YM_VERSION: '1',
      YM_ROUTER_URL: harness.lanes?.server.routerUrl,
    });
    expect(Object.keys(env).sort()).toEqual(['GREETING', 'PATH', 'PORT', 'YM_ROUTER_URL', 'YM_SERVICE', 'YM_VERSION']);
  });

  it("refuses a lane that would take a repository's lanes over its instance quota", async () => {
    await send(
      harness,
      'issue_comment',
      commentIn(QUOTA_REPO, 1, 80_040, 'carol', laneSpec(['services: { A: "5", B: "5" }'])),
    );
    const first = laneIdOf((await commentsMatching(harness, 1, /Lane `codertocat\/quota\/[^`]+` ready/))[0]);
    // A version the repository's lanes already hold counts once.
    await send(harness, 'issue_comment', commentIn(QUOTA_REPO, 2, 80_041, 'carol', laneSpec(['services: { A: "5" }'])));
    await commentsMatching(harness, 2, /Lane `codertocat\/quota\/[^`]+` ready/);
    await send(harness, 'issue_comment', commentIn(QUOTA_REPO, 3, 80_042, 'carol', laneSpec(['services: { C: "5" }'])));
    const [refused] = await commentsMatching(harness, 3, /was refused/);
    expect(refused).toMatch(/3 instances.*limit of 2.*max_lane_instances/);
    const instances = await harness.lanes?.deps.db.query.laneInstances.findMany();
    expect(instances?.some((row) => row.service === 'C')).toBe(false);

    await send(harness, 'issue_comment', commentIn(QUOTA_REPO, 1, 80_043, 'carol', '/lane down'));
    await commentsMatching(harness, 1, new RegExp(`Lane \`${first}\` ended`));
    await send(
      harness,
      'issue_comment',
      commentIn(QUOTA_REPO, 3, 80_042, 'carol', laneSpec(['services: { C: "5" }']), 'edited'),
    );
    await commentsMatching(harness, 3, /Lane `codertocat\/quota\/[^`]+` ready/);
  });
});
