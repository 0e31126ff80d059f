/**
 * Lanes end to end with real processes: six small HTTP services (A→B→C→D→E→F, each calling the next through the
 * lane router with the propagation helper) run as the baseline; three test tasks at once deploy only the versions
 * they lack; a request in each lane returns exactly its chain, one without a lane the baseline chain; ending a lane
 * reclaims what only it used while the others keep answering. Real PostgreSQL, real router, real processes.
 */
import { once } from 'node:events';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { laneInstances } from '../../src/db/schema.ts';
import type { LaneCatalog } from '../../src/lanes/catalog.ts';
import { createLaneRouter } from '../../src/lanes/lane-router.ts';
import { endLane, resolveTask, startBaseline, type LaneDeps, type TaskResolution } from '../../src/lanes/lane-tasks.ts';
import { createProcessRuntime } from '../../src/lanes/process-runtime.ts';
import { watchRoutes, type RouteWatcher } from '../../src/lanes/route-watcher.ts';
import { parseLaneSpec, type LaneSpec } from '../../src/lanes/task-spec.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { chainThrough, type ChainAnswer } from '../helpers/lane-requests.ts';

const SERVICE = fileURLToPath(new URL('../fixtures/lane-service.ts', import.meta.url));
const CHAIN = ['A', 'B', 'C', 'D', 'E', 'F'];
const catalog: LaneCatalog = Object.fromEntries(
  CHAIN.map((service, index) => [
    service,
    { start: [process.execPath, SERVICE], env: { NEXT: CHAIN[index + 1] ?? '' }, health: '/healthz' },
  ]),
);

let test: TestDatabase;
let watcher: RouteWatcher;
let router: ReturnType<typeof createLaneRouter>;
let routerUrl: string;
let deps: LaneDeps;
const baselineRefs: string[] = [];

beforeAll(async () => {
  test = await openTestDatabase('postgres');
  watcher = await watchRoutes(test.database, { safetyReloadMs: 60_000 });
  router = createLaneRouter({ routes: () => watcher.routes(), domain: 'lanes.test' });
  router.listen(0, '127.0.0.1');
  await once(router, 'listening');
  routerUrl = `http://127.0.0.1:${(router.address() as AddressInfo).port}`;
  deps = { db: test.database.db, runtime: createProcessRuntime({ catalog, routerUrl }), actor: 'cli:tester' };
  for (const service of CHAIN) baselineRefs.push((await startBaseline(deps, service, '0')).runtimeRef ?? '');
}, 60_000);

afterAll(async () => {
  const rows = deps === undefined ? [] : await deps.db.select().from(laneInstances);
  for (const row of rows) if (row.runtimeRef !== null) await deps.runtime.stop(row.runtimeRef);
  await new Promise<void>((resolve) => {
    if (router === undefined) resolve();
    else
      router.close(() => {
        resolve();
      });
  });
  router?.closeAllConnections();
  await watcher?.close();
  await test?.cleanup();
});

function spec(yaml: string): LaneSpec {
  const parsed = parseLaneSpec(yaml);
  if (!parsed.ok) throw new Error(parsed.issues.map((issue) => issue.message).join('; '));
  return parsed.value;
}

function chain(lane?: string, headers: Record<string, string> = {}): Promise<ChainAnswer> {
  return chainThrough(routerUrl, lane, headers);
}

/** A GET with headers fetch would not send as given (Host). */
function getVia(url: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        resolve(Buffer.concat(chunks).toString('utf8'));
      });
    })
      .on('error', reject)
      .end();
  });
}

function deployedOf(resolution: TaskResolution): string[] {
  return resolution.services
    .filter((entry) => entry.how === 'deployed')
    .map((entry) => `${entry.service}@${entry.version ?? ''}`);
}

async function instancesNow(): Promise<string[]> {
  const rows = await deps.db.select().from(laneInstances);
  return rows.map((row) => `${row.service}@${row.version}`).sort();
}

const TASK_1 =
  'lane: task-1\nservices: { A: baseline, B: "1", C: "1", D: baseline, E: "1", F: baseline }\ncalls: [A->B, B->C, C->D, D->E, E->F]';
const TASK_2 =
  'lane: task-2\nservices: { A: baseline, B: "2", C: baseline, D: "2", E: "2", F: baseline }\ncalls: [A->B, B->C, C->D, D->E, E->F]';
const TASK_3 =
  'lane: task-3\nservices: { A: baseline, B: baseline, C: "3", D: baseline, E: baseline, F: "3" }\ncalls: [A->B, B->C, C->D, D->E, E->F]';

describe('three tasks over one baseline', () => {
  it('deploy only what each lacks, and route each lane along its own chain', async () => {
    const [one, two, three] = await Promise.all([
      resolveTask(deps, spec(TASK_1)),
      resolveTask(deps, spec(TASK_2)),
      resolveTask(deps, spec(TASK_3)),
    ]);
    for (const resolution of [one, two, three]) expect(resolution?.ok).toBe(true);
    if (one === undefined || two === undefined || three === undefined) throw new Error('missing resolution');
    expect(deployedOf(one).sort()).toEqual(['B@1', 'C@1', 'E@1']);
    expect(deployedOf(two).sort()).toEqual(['B@2', 'D@2', 'E@2']);
    expect(deployedOf(three).sort()).toEqual(['C@3', 'F@3']);
    expect(one.ok && [one.deployed, one.fullCopy]).toEqual([3, 6]);
    expect(one.services.find((entry) => entry.service === 'A')).toMatchObject({ how: 'baseline', version: '0' });

    await watcher.reload();
    expect(JSON.parse((await chain('task-1')).body)).toEqual(['A@0', 'B@1', 'C@1', 'D@0', 'E@1', 'F@0']);
    expect(JSON.parse((await chain('task-2')).body)).toEqual(['A@0', 'B@2', 'C@0', 'D@2', 'E@2', 'F@0']);
    expect(JSON.parse((await chain('task-3', {})).body)).toEqual(['A@0', 'B@0', 'C@3', 'D@0', 'E@0', 'F@3']);
    // The lane key also comes as W3C baggage, and the service by host name.
    const viaBaggage = await getVia(`${routerUrl}/chain`, {
      host: 'a.lanes.test',
      baggage: 'userId=7,yardmaster-lane=task-2',
    });
    expect(JSON.parse(viaBaggage)).toEqual(['A@0', 'B@2', 'C@0', 'D@2', 'E@2', 'F@0']);
    const plain = await chain();
    expect(JSON.parse(plain.body)).toEqual(['A@0', 'B@0', 'C@0', 'D@0', 'E@0', 'F@0']);
    expect(plain.route).toBe('a@0 (baseline)');
    const direct = await fetch(`${routerUrl}/B/chain`, { headers: { 'x-yardmaster-lane': 'task-1' } });
    expect(direct.headers.get('x-yardmaster-route')).toBe('b@1 (lane)');
  });

  it('ends a lane: what only it used is reclaimed while the other lanes keep answering', async () => {
    const before = await instancesNow();
    expect(before).toEqual(expect.arrayContaining(['B@1', 'C@1', 'E@1']));
    const endpoints = await deps.db.select().from(laneInstances);
    const b1 = endpoints.find((row) => row.service === 'B' && row.version === '1')?.endpoint ?? '';
    let stop = false;
    const answers: string[] = [];
    const load = (async () => {
      while (!stop) {
        for (const lane of ['task-2', 'task-3']) {
          const { status, body } = await chain(lane);
          answers.push(`${lane} ${status} ${body}`);
        }
      }
    })();
    const ended = await endLane(deps, 'task-1', 'test finished');
    stop = true;
    await load;
    expect(ended.ended).toBe(true);
    expect(ended.reclaimed.sort()).toEqual(['B@1', 'C@1', 'E@1']);
    expect(await instancesNow()).toEqual(before.filter((entry) => !['B@1', 'C@1', 'E@1'].includes(entry)));
    expect(
      await fetch(`${b1}/healthz`).then(
        () => 'answered',
        () => 'gone',
      ),
    ).toBe('gone');
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.filter((entry) => !entry.includes(' 200 '))).toEqual([]);
    await watcher.reload();
    expect(JSON.parse((await chain('task-1')).body)).toEqual(['A@0', 'B@0', 'C@0', 'D@0', 'E@0', 'F@0']);
    expect(JSON.parse((await chain('task-3')).body)).toEqual(['A@0', 'B@0', 'C@3', 'D@0', 'E@0', 'F@3']);
  });

  it('deploys a version two tasks need at the same time once', async () => {
    const [four, five] = await Promise.all([
      resolveTask(deps, spec('lane: task-4\nservices: { B: "9" }')),
      resolveTask(deps, spec('lane: task-5\nservices: { B: "9", C: baseline }')),
    ]);
    expect([four?.ok, five?.ok]).toEqual([true, true]);
    expect([...(four === undefined ? [] : deployedOf(four)), ...(five === undefined ? [] : deployedOf(five))]).toEqual([
      'B@9',
    ]);
    expect((await instancesNow()).filter((entry) => entry === 'B@9')).toHaveLength(1);
    await endLane(deps, 'task-4', 'done');
    expect(await instancesNow()).toContain('B@9');
    expect((await endLane(deps, 'task-5', 'done')).reclaimed).toEqual(['B@9']);
  });
});

describe('50 lanes at once', () => {
  it('resolve together deploying each shared version once, and route 1,000 concurrent requests without one misrouted', async () => {
    const LANES = 50;
    const specFor = (index: number): string =>
      `lane: load-${index}\nservices: { B: "b${index % 5}", D: "d${index % 2}" }`;
    const resolutions = await Promise.all(
      Array.from({ length: LANES }, (_, index) => resolveTask(deps, spec(specFor(index)))),
    );
    expect(resolutions.filter((resolution) => !resolution.ok)).toEqual([]);
    expect(resolutions.flatMap(deployedOf).sort()).toEqual(['B@b0', 'B@b1', 'B@b2', 'B@b3', 'B@b4', 'D@d0', 'D@d1']);
    await watcher.reload();

    const expected = (index: number): string =>
      JSON.stringify(['A@0', `B@b${index % 5}`, 'C@0', `D@d${index % 2}`, 'E@0', 'F@0']);
    const misrouted: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < 1_000) {
        const index = next++ % LANES;
        const { status, body } = await chain(`load-${index}`);
        if (status !== 200 || body !== expected(index)) misrouted.push(`load-${index}: ${status} ${body}`);
      }
    };
    await Promise.all(Array.from({ length: 50 }, () => worker()));
    expect(misrouted).toEqual([]);

    const reclaimed: string[] = [];
    for (let index = 0; index < LANES; index++)
      reclaimed.push(...(await endLane(deps, `load-${index}`, 'load test done')).reclaimed);
    expect(reclaimed.sort()).toEqual(['B@b0', 'B@b1', 'B@b2', 'B@b3', 'B@b4', 'D@d0', 'D@d1']);
  }, 120_000);
});

describe('the router', () => {
  it('refuses what a strict lane lacks with a clear 503, and stops loops with 508', async () => {
    const strict = await resolveTask(deps, spec('lane: strict-1\nmode: strict\nservices: { A: baseline, B: "7" }'));
    expect(strict.ok).toBe(true);
    await watcher.reload();
    const refused = await chain('strict-1');
    expect(refused.status).toBe(503);
    expect(refused.body).toContain('lane strict-1 is strict and has no instance of c');
    const loop = await fetch(`${routerUrl}/A/loop`);
    expect(loop.status).toBe(508);
    expect(await loop.text()).toMatch(/loop detected: 16 hops/);
    expect((await fetch(`${routerUrl}/`)).status).toBe(404);
    expect((await fetch(`${routerUrl}/Z/chain`)).status).toBe(503);
    await endLane(deps, 'strict-1', 'done');
  });
});
