/**
 * Lane TTL expiry end to end: a lane past its TTL is ended by the sweep the lanes server runs on its own timer, the
 * end audited, and its instances that no other lane uses stopped (their processes gone) and removed, while an
 * instance another lane still uses and the baseline keep answering. Real PostgreSQL, the real lanes server (router,
 * API, sweep timer), real processes started by the process runtime.
 *
 * The spec's shortest TTL is 1 s, shorter than starting real instances takes here, so a lane that short could expire
 * while it is still being resolved; the lane is opened with `ttl: 10m` and its `expires_at` then moved into the past
 * in the database, which is what the passing of time does to it.
 */
import { and, eq, sql } from 'drizzle-orm';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, laneInstances, lanes as lanesTable } from '../../src/db/schema.ts';
import type { LaneCatalog } from '../../src/lanes/catalog.ts';
import { startBaseline, type LaneDeps } from '../../src/lanes/lane-tasks.ts';
import { createProcessRuntime } from '../../src/lanes/process-runtime.ts';
import { startLanesServer, type LanesServer } from '../../src/lanes/start-lanes-server.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { chainBecomes } from '../helpers/lane-requests.ts';
import { isProcessAlive, waitUntilGone } from '../helpers/processes.ts';
import { waitFor } from '../helpers/workorder-fixtures.ts';

const SERVICE = fileURLToPath(new URL('../fixtures/lane-service.ts', import.meta.url));
const CHAIN = ['A', 'B', 'C'];
const TOKEN = 'ttl-lanes-token-0123456789';
const catalog: LaneCatalog = Object.fromEntries(
  CHAIN.map((service, index) => [
    service,
    { start: [process.execPath, SERVICE], env: { NEXT: CHAIN[index + 1] ?? '' }, health: '/healthz' },
  ]),
);

let test: TestDatabase;
let lanes: LanesServer;
let deps: LaneDeps;
/** What the lanes server logged as going wrong (a failed sweep among them). */
const warnings: string[] = [];

beforeAll(async () => {
  test = await openTestDatabase('postgres');
  let routerUrl = '';
  deps = {
    db: test.database.db,
    runtime: createProcessRuntime({ catalog, routerUrl: () => routerUrl }),
    actor: 'yardmaster',
  };
  // The sweep on its own timer, as the server runs it (every 10 s there; often here, so the test need not wait).
  lanes = await startLanesServer({
    database: test.database,
    deps,
    routerPort: 0,
    apiPort: 0,
    token: TOKEN,
    sweepMs: 100,
    log: {
      warn: (fields, message) => {
        warnings.push(`${message}: ${JSON.stringify(fields)}`);
      },
    },
  });
  routerUrl = lanes.routerUrl;
  for (const service of CHAIN) await startBaseline(deps, service, '0');
}, 60_000);

afterAll(async () => {
  const rows = deps === undefined ? [] : await deps.db.select().from(laneInstances);
  for (const row of rows) if (row.runtimeRef !== null) await deps.runtime.stop(row.runtimeRef);
  await lanes?.close();
  await test?.cleanup();
});

async function openLane(yaml: string): Promise<void> {
  const response = await fetch(`${lanes.apiUrl}/v1/lanes`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/yaml' },
    body: yaml,
  });
  expect(response.status, await response.clone().text()).toBe(200);
}

async function instance(service: string, version: string) {
  const [row] = await deps.db
    .select()
    .from(laneInstances)
    .where(and(eq(laneInstances.service, service), eq(laneInstances.version, version)));
  return row;
}

function answers(endpoint: string): Promise<'answered' | 'gone'> {
  return fetch(`${endpoint}/healthz`).then(
    () => 'answered' as const,
    () => 'gone' as const,
  );
}

describe('a lane past its TTL', () => {
  it('is ended by the server’s sweep, and only what no other lane uses is reclaimed', async () => {
    await openLane('lane: short\nservices: { A: baseline, B: "1", C: "1" }\nttl: 10m');
    await openLane('lane: long\nservices: { B: "1" }\nttl: 1h');
    await chainBecomes(lanes.routerUrl, 'short', ['A@0', 'B@1', 'C@1']);
    await chainBecomes(lanes.routerUrl, 'long', ['A@0', 'B@1', 'C@0']);
    const b1 = await instance('B', '1');
    const c1 = await instance('C', '1');
    if (b1 === undefined || c1 === undefined) throw new Error('B@1 and C@1 should be in the library');
    const c1Pid = Number(c1.runtimeRef);
    expect(isProcessAlive(c1Pid)).toBe(true);

    // Time passes for `short` only.
    await deps.db
      .update(lanesTable)
      .set({ expiresAt: new Date(Date.now() - 1_000) })
      .where(eq(lanesTable.name, 'short'));

    const ended = await waitFor(
      'the sweep to end lane short',
      async () => {
        const [row] = await deps.db.select().from(lanesTable).where(eq(lanesTable.name, 'short'));
        return row?.endedAt ?? undefined;
      },
      10_000,
    );
    expect(ended).toBeInstanceOf(Date);
    await waitFor(
      'C@1 to be removed',
      async () => ((await instance('C', '1')) === undefined ? true : undefined),
      10_000,
    );

    const audit = await deps.db
      .select()
      .from(auditLog)
      .where(sql`${auditLog.action} like 'lane.%'`)
      .orderBy(auditLog.id);
    const downs = audit.filter((row) => row.action === 'lane.down');
    expect(downs.map((row) => ({ actor: row.actor, reason: row.reason, data: row.data }))).toEqual([
      { actor: 'yardmaster', reason: 'ttl expired', data: { lane: 'short' } },
    ]);
    const removed = audit.filter((row) => row.action === 'lane.instance_removed');
    expect(removed.map((row) => row.data)).toEqual([{ service: 'C', version: '1' }]);
    expect(removed[0]?.reason).toBe('no lane and no baseline uses it');
    expect(removed[0]?.id ?? 0).toBeGreaterThan(downs[0]?.id ?? Infinity);

    // C@1 was stopped: its process is gone and its port no longer answers.
    expect(await waitUntilGone(c1Pid)).toBe(true);
    expect(await answers(c1.endpoint ?? '')).toBe('gone');
    // B@1 stays for `long`, which still routes through it; `short` now falls back to the baseline; so does no lane.
    expect(await instance('B', '1')).toMatchObject({ id: b1.id, state: 'up', endpoint: b1.endpoint });
    expect(await answers(b1.endpoint ?? '')).toBe('answered');
    await chainBecomes(lanes.routerUrl, 'long', ['A@0', 'B@1', 'C@0']);
    await chainBecomes(lanes.routerUrl, 'short', ['A@0', 'B@0', 'C@0']);
    await chainBecomes(lanes.routerUrl, undefined, ['A@0', 'B@0', 'C@0']);
    const [long] = await deps.db.select().from(lanesTable).where(eq(lanesTable.name, 'long'));
    expect(long?.endedAt).toBeNull();
    expect((await deps.db.select().from(laneInstances)).map((row) => `${row.service}@${row.version}`).sort()).toEqual([
      'A@0',
      'B@0',
      'B@1',
      'C@0',
    ]);
  }, 90_000);
});
