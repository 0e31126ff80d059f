/**
 * Lanes on pull requests: a ```yardmaster-lane comment opens the PR's lane (the reply has the resolution table and
 * how to send requests into it), editing it updates the lane, `/lane down` and closing the PR end it; only
 * developers, project managers and deployers may. Real Probot, PostgreSQL, router and service processes.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry } from '../../src/config/types.ts';
import type { LaneCatalog } from '../../src/lanes/catalog.ts';
import { startBaseline } from '../../src/lanes/lane-tasks.ts';
import { chainBecomes } from '../helpers/lane-requests.ts';
import {
  commentsMatching,
  githubRequestCheck,
  issueComment,
  pullRequestEvent,
  repoConfigYaml,
  ROUTES,
  bodyText,
  send,
  startHarness,
  type Harness,
} from '../helpers/github-workorder-harness.ts';

const SERVICE = fileURLToPath(new URL('../fixtures/lane-service.ts', import.meta.url));
const catalog: LaneCatalog = {
  A: { start: [process.execPath, SERVICE], env: { NEXT: 'B' }, health: '/healthz' },
  B: { start: [process.execPath, SERVICE], env: {}, health: '/healthz' },
};
const HOSTS: HostEntry[] = [{ name: 'web-1', address: '10.0.0.1', port: 22, executor: 'ssh' }];
const LANE = 'codertocat/hello-world/pr-50';
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({
    configYaml: repoConfigYaml(HOSTS, 'production: { hosts: [web] }'),
    workDir: '/nonexistent',
    lanes: { catalog },
  });
  const lanes = harness.lanes;
  if (lanes === undefined) throw new Error('no lanes');
  await startBaseline(lanes.deps, 'A', '0');
  await startBaseline(lanes.deps, 'B', '0');
}, 60_000);

afterAll(async () => {
  await harness?.close();
});

afterEach(githubRequestCheck(() => harness));

const spec = (version: string): string =>
  [
    'Lane for this change:',
    '',
    '```yardmaster-lane',
    `services: { A: baseline, B: "${version}" }`,
    'calls: [A->B]',
    '```',
  ].join('\n');

function chainIn(lane: string, expected: readonly string[]): Promise<unknown> {
  return chainBecomes(harness.lanes?.server.routerUrl ?? '', lane, expected);
}

describe('pull-request lanes', () => {
  it('open from a comment, update on an edit, end with /lane down and with the pull request', async () => {
    await send(harness, 'issue_comment', issueComment(50, 70_001, 'carol', spec('1'), 'created', true));
    const [reply] = await commentsMatching(harness, 50, /Lane `codertocat\/hello-world\/pr-50` ready/);
    expect(reply).toContain('(fallback): deployed 1, reused 0, baseline 1; a full copy per task would deploy 2.');
    expect(reply).toMatch(/\| B \| 1 \| 1 \| deployed \| http:\/\/127\.0\.0\.1:\d+ \|/);
    expect(reply).toContain(
      `curl -H 'x-yardmaster-lane: ${LANE}' ${harness.lanes?.server.routerUrl ?? '?'}/<service>/…`,
    );
    expect(await chainIn(LANE, ['A@0', 'B@1'])).toEqual(['A@0', 'B@1']);

    await send(harness, 'issue_comment', issueComment(50, 70_001, 'carol', spec('2'), 'edited', true));
    await commentsMatching(harness, 50, /Lane `codertocat\/hello-world\/pr-50` ready/, 2);
    expect(await chainIn(LANE, ['A@0', 'B@2'])).toEqual(['A@0', 'B@2']);

    await send(harness, 'issue_comment', issueComment(50, 70_002, 'mallory', '/lane down', 'created', true));
    await commentsMatching(harness, 50, /@mallory `\/lane down` was refused: lanes are for developers/);
    await send(harness, 'issue_comment', issueComment(50, 70_003, 'carol', '/lane down', 'created', true));
    // B@1 went when the edit replaced it; B@2 goes with the lane.
    await commentsMatching(harness, 50, /Lane `codertocat\/hello-world\/pr-50` ended; reclaimed: B@2\./);
    expect(await chainIn(LANE, ['A@0', 'B@0'])).toEqual(['A@0', 'B@0']);

    await send(harness, 'issue_comment', issueComment(50, 70_004, 'pam', spec('3'), 'created', true));
    await commentsMatching(harness, 50, /Lane `codertocat\/hello-world\/pr-50` ready/, 3);
    expect(await chainIn(LANE, ['A@0', 'B@3'])).toEqual(['A@0', 'B@3']);
    await send(harness, 'pull_request', pullRequestEvent(50, 'closed', 'ab'.repeat(20), 'pam'));
    expect(await chainIn(LANE, ['A@0', 'B@0'])).toEqual(['A@0', 'B@0']);
    const instances = await harness.lanes?.deps.db.query.laneInstances.findMany();
    expect(instances?.map((row) => `${row.service}@${row.version}`).sort()).toEqual(['A@0', 'B@0']);
  });

  it('answers a bad spec with its problems by line, and refuses one on an issue', async () => {
    await send(
      harness,
      'issue_comment',
      issueComment(
        51,
        70_010,
        'carol',
        '```yardmaster-lane\nservices: { A: "no/slash" }\nmode: loose\n```',
        'created',
        true,
      ),
    );
    const [problems] = await commentsMatching(harness, 51, /this lane spec has problems/);
    expect(problems).toMatch(/line 1.*services\.A/);
    expect(problems).toMatch(/line 2.*mode/);
    await send(harness, 'issue_comment', issueComment(52, 70_011, 'carol', spec('4'), 'created', false));
    await commentsMatching(harness, 52, /lanes belong to pull requests/);
    expect(
      harness.fake
        .requestsTo(ROUTES.comments)
        .some((request) => bodyText(request).includes('ready') && request.pathParams.issue_number === '52'),
    ).toBe(false);
  });
});
