/**
 * The seed's library updates while two lanes keep answering: a client per lane sends requests through the real node
 * lane router in a loop the whole time (A→B→C, each service a real process started by the process runtime, calling
 * the next through the router), and every answer must be a 200 from the versions and builds its lane should reach at
 * that point. Meanwhile, through the lanes API: (a) instances are added (a lane's task deploys one, one is put by
 * hand), (b) one lane's version and the baseline's A are replaced by new builds (answers switch from the old build
 * to the new one with no error in between, never back; a request in flight at the old build is answered by it; the
 * old processes are stopped afterwards), a new build that fails its health check switches nothing, (c) an instance
 * no lane uses is deleted, and one a lane uses is refused (409) until its lane ends. The audit rows of each step are
 * checked. Real PostgreSQL.
 */
import { fileURLToPath } from 'node:url';
import { asc, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, laneInstances } from '../../src/db/schema.ts';
import type { LaneCatalog } from '../../src/lanes/catalog.ts';
import { startBaseline, type LaneDeps } from '../../src/lanes/lane-tasks.ts';
import { createProcessRuntime, type LaneRuntime } from '../../src/lanes/process-runtime.ts';
import { startLanesServer, type LanesServer } from '../../src/lanes/start-lanes-server.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { chainThrough } from '../helpers/lane-requests.ts';
import { waitFor } from '../helpers/workorder-fixtures.ts';

const SERVICE = fileURLToPath(new URL('../fixtures/lane-service.ts', import.meta.url));
const TOKEN = 'library-updates-token-0123456789';
const BUILD_B = `b1${'0'.repeat(62)}`;
const BUILD_A = `a0${'1'.repeat(62)}`;
const BROKEN = `bad${'d'.repeat(61)}`;
const STUCK = `5${'7'.repeat(63)}`;
const CHAIN = ['A', 'B', 'C', 'D'];
const catalog: LaneCatalog = Object.fromEntries(
  CHAIN.map((service, index) => [
    service,
    {
      start: [process.execPath, SERVICE],
      env: { NEXT: index < 2 ? (CHAIN[index + 1] ?? '') : '', FAIL_HEALTH_DIGEST: BROKEN },
      health: '/healthz',
    },
  ]),
);

let test: TestDatabase;
let lanes: LanesServer;
let runtime: LaneRuntime;
let deps: LaneDeps;
const outside: string[] = [];

function api(path: string, init: { method: string; body?: unknown; yaml?: string } = { method: 'GET' }) {
  return fetch(`${lanes.apiUrl}${path}`, {
    method: init.method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'content-type': init.yaml === undefined ? 'application/json' : 'text/yaml',
    },
    ...(init.yaml !== undefined
      ? { body: init.yaml }
      : init.body === undefined
        ? {}
        : { body: JSON.stringify(init.body) }),
  });
}

async function instances(): Promise<(typeof laneInstances.$inferSelect)[]> {
  return test.database.db.select().from(laneInstances).orderBy(asc(laneInstances.id));
}

async function instanceOf(service: string, version: string): Promise<typeof laneInstances.$inferSelect> {
  const row = (await instances()).find((entry) => entry.service === service && entry.version === version);
  if (row === undefined) throw new Error(`no ${service}@${version}`);
  return row;
}

/** Whether the process at `endpoint` has stopped answering (it is stopped before the call returns; the kernel may take a moment to close its port). */
function gone(endpoint: string | null): Promise<boolean> {
  return waitFor(
    `${endpoint ?? '?'} to stop answering`,
    () =>
      fetch(`${endpoint ?? 'http://127.0.0.1:1'}/healthz`).then(
        () => undefined,
        () => true,
      ),
    5_000,
  ).catch(() => false);
}

beforeAll(async () => {
  test = await openTestDatabase('postgres');
  let routerUrl = '';
  runtime = createProcessRuntime({ catalog, routerUrl: () => routerUrl, startTimeoutMs: 3_000 });
  deps = { db: test.database.db, runtime, actor: 'library-test', waitMs: 30_000 };
  lanes = await startLanesServer({
    database: test.database,
    deps,
    routerPort: 0,
    apiPort: 0,
    token: TOKEN,
    dataPlane: 'node',
    sweepMs: 600_000,
    log: { warn: () => undefined },
  });
  routerUrl = lanes.routerUrl;
  for (const service of ['A', 'B', 'C']) await startBaseline(deps, service, '0');
  for (const spec of ['lane: blue\nservices: { B: "1" }\n', 'lane: green\nservices: { B: "2", C: "2" }\n']) {
    const opened = await api('/v1/lanes', { method: 'POST', yaml: spec });
    expect(opened.status).toBe(200);
  }
}, 60_000);

afterAll(async () => {
  const rows = test === undefined ? [] : await instances();
  for (const ref of [...outside, ...rows.flatMap((row) => (row.runtimeRef === null ? [] : [row.runtimeRef]))])
    await runtime?.stop(ref);
  await lanes?.close();
  await test?.cleanup();
});

/** What a lane may answer, by service, in the order builds may follow each other. */
const EXPECTED: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  blue: { A: ['A@0', `A@0+${BUILD_A.slice(0, 8)}`], B: ['B@1', `B@1+${BUILD_B.slice(0, 8)}`], C: ['C@0'] },
  green: { A: ['A@0', `A@0+${BUILD_A.slice(0, 8)}`], B: ['B@2'], C: ['C@2'] },
};

interface Load {
  answers: Record<string, string[][]>;
  problems: string[];
  stop(): Promise<void>;
}

/**
 * A client per lane sending requests in a loop: every answer must be a 200 whose chain names, per service, a build
 * the lane may reach, never an older build after a newer one.
 */
function keepAnswering(laneNames: readonly string[]): Load {
  let stopped = false;
  const answers: Record<string, string[][]> = {};
  const problems: string[] = [];
  const loops = laneNames.map(async (lane) => {
    const seen: string[][] = [];
    answers[lane] = seen;
    const latest = new Map<string, number>();
    while (!stopped) {
      const answer = await chainThrough(lanes.routerUrl, lane).catch((error: unknown) => ({
        status: 0,
        body: String(error),
        route: null,
      }));
      if (answer.status !== 200) {
        problems.push(`${lane}: ${answer.status} ${answer.body}`);
        continue;
      }
      const chain = JSON.parse(answer.body) as string[];
      seen.push(chain);
      for (const [index, service] of ['A', 'B', 'C'].entries()) {
        const builds = EXPECTED[lane]?.[service] ?? [];
        const at = builds.indexOf(chain[index] ?? '');
        if (at < 0) problems.push(`${lane}: ${service} answered ${chain[index] ?? 'nothing'} (${answer.body})`);
        else if (at < (latest.get(service) ?? 0)) problems.push(`${lane}: ${service} went back to ${chain[index]}`);
        else latest.set(service, at);
      }
    }
  });
  return {
    answers,
    problems,
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

/** Waits until each lane has answered `count` more times. */
async function moreAnswers(load: Load, count: number): Promise<void> {
  const start = Object.fromEntries(Object.entries(load.answers).map(([lane, seen]) => [lane, seen.length]));
  await waitFor(
    `${count} more answers in every lane`,
    () =>
      Promise.resolve(
        Object.entries(load.answers).every(([lane, seen]) => seen.length >= (start[lane] ?? 0) + count)
          ? true
          : undefined,
      ),
    20_000,
  );
}

async function laneAudit(): Promise<{ action: string; reason: string | null; data: unknown }[]> {
  return test.database.db
    .select({ action: auditLog.action, reason: auditLog.reason, data: auditLog.data })
    .from(auditLog)
    .where(like(auditLog.action, 'lane.%'))
    .orderBy(asc(auditLog.id));
}

describe('library updates while two lanes keep answering', () => {
  it('adds, replaces (old build stopped, no gap), refuses a broken build, and deletes, every answer a 200', async () => {
    const load = keepAnswering(['blue', 'green']);
    try {
      await moreAnswers(load, 5);
      expect(load.answers.blue?.at(-1)).toEqual(['A@0', 'B@1', 'C@0']);
      expect(load.answers.green?.at(-1)).toEqual(['A@0', 'B@2', 'C@2']);

      // (a) Added: a third lane's task deploys C@3, and D@1 (run elsewhere) is put by hand.
      const red = await api('/v1/lanes', { method: 'POST', yaml: 'lane: red\nservices: { C: "3" }\n' });
      expect(await red.json()).toMatchObject({ ok: true, services: [{ service: 'C', how: 'deployed' }] });
      const d1 = await runtime.start('D', '1');
      outside.push(d1.ref);
      expect(
        (await api('/v1/instances', { method: 'PUT', body: { service: 'D', version: '1', endpoint: d1.endpoint } }))
          .status,
      ).toBe(200);
      expect((await chainThrough(lanes.routerUrl, 'red')).body).toBe(JSON.stringify(['A@0', 'B@0', 'C@3']));
      await moreAnswers(load, 5);

      // Metadata the new build keeps.
      const edited = await api('/v1/instances/B/1', {
        method: 'PATCH',
        body: { description: 'checkout with the new tax rules', owner: 'team-pay', labels: { ticket: 'PAY-42' } },
      });
      expect(await edited.json()).toMatchObject({ changed: ['description', 'owner', 'labels'] });

      // (b) Replaced: B@1 (lane blue's) and A@0 (the baseline, which both lanes fall back to).
      const oldB = await instanceOf('B', '1');
      // A request in flight at the old build while routes switch and it drains: it is answered, by the old build.
      const inFlight = fetch(`${lanes.routerUrl}/B/hold`, { headers: { 'x-yardmaster-lane': 'blue' } }).then(
        async (answer) => `${answer.status} ${await answer.text()}`,
      );
      await waitFor(
        'B@1 to hold the request',
        async () => ((await (await fetch(`${oldB.endpoint ?? ''}/held`)).text()) === '1' ? true : undefined),
        10_000,
      );
      const replacedB = await api('/v1/instances/B/1/replace', {
        method: 'POST',
        body: { digest: BUILD_B, drainMs: 1_000 },
      });
      expect(replacedB.status).toBe(200);
      expect(await replacedB.json()).toMatchObject({
        ok: true,
        from: '',
        to: BUILD_B,
        lanes: ['blue'],
        baseline: false,
      });
      expect(await inFlight).toBe('200 B@1 finished after SIGTERM');
      expect(await gone(oldB.endpoint)).toBe(true);
      await moreAnswers(load, 5);
      expect(load.answers.blue?.at(-1)).toEqual(['A@0', `B@1+${BUILD_B.slice(0, 8)}`, 'C@0']);

      const oldA = await instanceOf('A', '0');
      const replacedA = await api('/v1/instances/A/0/replace', {
        method: 'POST',
        body: { digest: BUILD_A, drainMs: 1_000 },
      });
      expect(await replacedA.json()).toMatchObject({ ok: true, to: BUILD_A, lanes: [], baseline: true });
      expect(await gone(oldA.endpoint)).toBe(true);
      await moreAnswers(load, 5);
      expect(load.answers.green?.at(-1)).toEqual([`A@0+${BUILD_A.slice(0, 8)}`, 'B@2', 'C@2']);
      expect((await chainThrough(lanes.routerUrl)).body).toBe(
        JSON.stringify([`A@0+${BUILD_A.slice(0, 8)}`, 'B@0', 'C@0']),
      );

      // A new build that never passes its health check: nothing switches, the old build keeps serving.
      const b2 = await instanceOf('B', '2');
      const broken = await api('/v1/instances/B/2/replace', { method: 'POST', body: { digest: BROKEN } });
      expect(broken.status).toBe(502);
      expect(await broken.json()).toMatchObject({ ok: false, reason: 'unhealthy' });
      expect(await instanceOf('B', '2')).toMatchObject({ id: b2.id, state: 'up', endpoint: b2.endpoint });
      expect((await instances()).filter((row) => row.service === 'B' && row.version === '2')).toHaveLength(1);
      await moreAnswers(load, 5);
      expect(load.answers.green?.at(-1)).toEqual([`A@0+${BUILD_A.slice(0, 8)}`, 'B@2', 'C@2']);

      // A build another replacement is starting blocks a second one; once abandoned (ten minutes on), it no longer does.
      await test.database.db.insert(laneInstances).values({
        service: 'B',
        version: '2',
        packageDigest: STUCK,
        runtime: 'process',
        state: 'starting',
      });
      const blocked = await api('/v1/instances/B/2/replace', { method: 'POST', body: { digest: BROKEN } });
      expect(blocked.status).toBe(409);
      expect(await blocked.json()).toMatchObject({ reason: 'in-progress' });
      await test.database.db.execute(
        `update lane_instances set created_at = now() - interval '11 minutes' where package_digest = '${STUCK}'`,
      );
      const unblocked = await api('/v1/instances/B/2/replace', { method: 'POST', body: { digest: BROKEN } });
      expect(await unblocked.json()).toMatchObject({ reason: 'unhealthy' });
      expect((await instances()).filter((row) => row.service === 'B' && row.version === '2')).toMatchObject([
        { id: b2.id, state: 'up' },
      ]);

      // (c) Deleted: D@1 (no lane uses it); C@3 is refused while lane red uses it, and goes with the lane.
      expect((await api('/v1/instances/D/1', { method: 'DELETE' })).status).toBe(200);
      const inUse = await api('/v1/instances/C/3', { method: 'DELETE' });
      expect(inUse.status).toBe(409);
      expect(await inUse.json()).toMatchObject({ lanes: ['red'] });
      const c3 = await instanceOf('C', '3');
      expect(c3.state).toBe('up');
      expect((await chainThrough(lanes.routerUrl, 'red')).body).toBe(
        JSON.stringify([`A@0+${BUILD_A.slice(0, 8)}`, 'B@0', 'C@3']),
      );
      expect(await (await api('/v1/lanes/red', { method: 'DELETE' })).json()).toMatchObject({ reclaimed: ['C@3'] });
      expect(await gone(c3.endpoint)).toBe(true);
      await moreAnswers(load, 5);
    } finally {
      await load.stop();
    }
    expect(load.problems).toEqual([]);
    // Both builds were seen in the lane whose version was replaced: old, then new.
    const blueB = new Set(load.answers.blue?.map((chain) => chain[1]));
    expect([...blueB]).toEqual(['B@1', `B@1+${BUILD_B.slice(0, 8)}`]);

    const library = await instances();
    expect(library.map((row) => `${row.service}@${row.version}${row.packageDigest === '' ? '' : '+'}`).sort()).toEqual([
      'A@0+',
      'B@0',
      'B@1+',
      'B@2',
      'C@0',
      'C@2',
    ]);
    expect(await instanceOf('B', '1')).toMatchObject({
      packageDigest: BUILD_B,
      description: 'checkout with the new tax rules',
      owner: 'team-pay',
      labels: { ticket: 'PAY-42' },
    });

    const audit = await laneAudit();
    const about = (service: string, version: string) =>
      audit.filter((row) => {
        const data = row.data as { service?: string; version?: string };
        return data.service === service && data.version === version;
      });
    expect(about('B', '1').map((row) => [row.action, row.reason])).toEqual([
      ['lane.instance_added', null],
      ['lane.instance_changed', null],
      ['lane.instance_changed', 'metadata edited'],
      ['lane.instance_added', 'new build'],
      ['lane.instance_replaced', null],
      ['lane.instance_removed', `replaced by build ${BUILD_B}`],
    ]);
    expect(about('B', '1').find((row) => row.action === 'lane.instance_replaced')?.data).toMatchObject({
      from: '',
      to: BUILD_B,
      lanes: ['blue'],
      baseline: false,
    });
    expect(about('A', '0').find((row) => row.action === 'lane.instance_replaced')?.data).toMatchObject({
      to: BUILD_A,
      baseline: true,
    });
    expect(about('B', '2').filter((row) => row.action === 'lane.replace_failed')).toMatchObject([
      { reason: 'unhealthy', data: { digest: BROKEN } },
      { reason: 'abandoned', data: { digest: STUCK } },
      { reason: 'unhealthy', data: { digest: BROKEN } },
    ]);
    expect(about('D', '1').map((row) => [row.action, row.reason])).toEqual([
      ['lane.instance_added', null],
      ['lane.instance_removed', 'removed through the API'],
    ]);
    expect(about('C', '3').at(-1)).toMatchObject({
      action: 'lane.instance_removed',
      reason: 'no lane and no baseline uses it',
    });
  }, 120_000);
});
