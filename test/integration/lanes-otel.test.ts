/**
 * No code in the services: a chain of real services (separate Node processes) that use only the OpenTelemetry Node
 * SDK's HTTP auto-instrumentation — no Yardmaster code, no lane handling — keeps the lane a caller put into W3C
 * baggage across three hops through the lane router (caller → router → A → router → B → router → C), each hop
 * choosing the lane's instance where the lane has one and the baseline's where not. The services are started by the
 * real lanes server's process runtime from a catalog (`node --import otel-bootstrap.ts otel-chain-service.ts`), the
 * lanes opened through the lanes API. No telemetry leaves any process: every exporter is off, and the OTLP endpoint
 * points at a loopback trap that must see no connection, even after the SDKs shut down (which flushes exporters).
 */
import { createServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { laneInstances } from '../../src/db/schema.ts';
import type { LaneCatalog } from '../../src/lanes/catalog.ts';
import { startBaseline, type LaneDeps } from '../../src/lanes/lane-tasks.ts';
import { createProcessRuntime } from '../../src/lanes/process-runtime.ts';
import { startLanesServer, type LanesServer } from '../../src/lanes/start-lanes-server.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { listenLoopback, type LoopbackServer } from '../helpers/tcp-servers.ts';
import { spawnNode } from '../helpers/spawned-process.ts';
import { waitFor } from '../helpers/workorder-fixtures.ts';

const BOOTSTRAP = fileURLToPath(new URL('../fixtures/otel-bootstrap.ts', import.meta.url));
const SERVICE = fileURLToPath(new URL('../fixtures/otel-chain-service.ts', import.meta.url));
const CALLER = fileURLToPath(new URL('../fixtures/otel-caller.ts', import.meta.url));
const CHAIN = ['A', 'B', 'C'];
const TOKEN = 'otel-lanes-token-0123456789';

interface Hop {
  at: string;
  baggage: string | null;
  sent: string[];
}

let test: TestDatabase;
let lanes: LanesServer;
let deps: LaneDeps;
let trap: LoopbackServer;
const trapped: Socket[] = [];
let otelEnv: Record<string, string>;

beforeAll(async () => {
  test = await openTestDatabase('postgres');
  const trapServer = createServer((socket) => {
    trapped.push(socket);
    socket.destroy();
  });
  trap = await listenLoopback(trapServer);
  otelEnv = {
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    // Were any exporter configured after all, it would send here, to loopback, and the last test would see it.
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${trap.port}`,
  };
  const catalog: LaneCatalog = Object.fromEntries(
    CHAIN.map((service, index) => [
      service,
      {
        start: [process.execPath, '--import', BOOTSTRAP, SERVICE],
        env: { ...otelEnv, NEXT: CHAIN[index + 1] ?? '' },
        health: '/healthz',
      },
    ]),
  );
  let routerUrl = '';
  deps = {
    db: test.database.db,
    runtime: createProcessRuntime({ catalog, routerUrl: () => routerUrl, startTimeoutMs: 30_000 }),
    actor: 'otel-test',
  };
  lanes = await startLanesServer({
    database: test.database,
    deps,
    routerPort: 0,
    apiPort: 0,
    token: TOKEN,
    sweepMs: 60_000,
    log: { warn: () => undefined },
  });
  routerUrl = lanes.routerUrl;
  await Promise.all(CHAIN.map((service) => startBaseline(deps, service, '0')));
}, 90_000);

afterAll(async () => {
  const rows = deps === undefined ? [] : await deps.db.select().from(laneInstances);
  for (const row of rows) if (row.runtimeRef !== null) await deps.runtime.stop(row.runtimeRef);
  await lanes?.close();
  await trap?.close();
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

/** The caller process: the lane in its OpenTelemetry baggage (none: no lane), one GET to A through the router. */
async function callChain(lane?: string): Promise<{ status: number; route: string | null; hops: Hop[] }> {
  const caller = spawnNode(
    ['--import', BOOTSTRAP, CALLER, `${lanes.routerUrl}/A/chain`, ...(lane === undefined ? [] : [lane])],
    otelEnv,
    process.cwd(),
  );
  const line = await caller.waitForLine((text) => text.startsWith('{'), 30_000);
  expect(await caller.exited()).toBe(0);
  const answer = JSON.parse(line) as { status: number; route: string | null; body: string };
  expect(answer.status, answer.body).toBe(200);
  return { status: answer.status, route: answer.route, hops: JSON.parse(answer.body) as Hop[] };
}

/** Waits until the router has the lane's routes (they reload on NOTIFY), then calls the chain in it. */
async function chainOnceRouted(lane: string, first: string): Promise<{ route: string | null; hops: Hop[] }> {
  await waitFor(
    `lane ${lane} routed`,
    async () => {
      const response = await fetch(`${lanes.routerUrl}/A/healthz`, { headers: { 'x-yardmaster-lane': lane } });
      await response.arrayBuffer();
      return response.headers.get('x-yardmaster-route') === first ? true : undefined;
    },
    10_000,
  );
  return callChain(lane);
}

describe('services with only OpenTelemetry HTTP auto-instrumentation', () => {
  it('keep the lane from the first call’s baggage across three hops through the router', async () => {
    await openLane('lane: otel-1\nservices: { A: "1", B: baseline, C: "1" }\ncalls: [A->B, B->C]');
    await openLane('lane: otel-2\nservices: { A: baseline, B: "2", C: "2" }\ncalls: [A->B, B->C]');

    const one = await chainOnceRouted('otel-1', 'a@1 (lane)');
    expect(one.route).toBe('a@1 (lane)');
    expect(one.hops.map((hop) => hop.at)).toEqual(['A@1', 'B@0', 'C@1']);
    const two = await chainOnceRouted('otel-2', 'a@0 (baseline)');
    expect(two.route).toBe('a@0 (baseline)');
    expect(two.hops.map((hop) => hop.at)).toEqual(['A@0', 'B@2', 'C@2']);

    for (const [lane, hops] of [
      ['otel-1', one.hops],
      ['otel-2', two.hops],
    ] as const) {
      for (const hop of hops) {
        // Every service received the caller's baggage, the lane and the caller's own member, through the router.
        expect(hop.baggage?.split(',').map((member) => member.trim())).toEqual(
          expect.arrayContaining([`yardmaster-lane=${lane}`, 'tenant=t-7']),
        );
      }
      for (const hop of hops.slice(0, -1)) {
        // The services' own calls carried the lane only as OpenTelemetry put it there: baggage, no lane header.
        expect(hop.sent).toEqual(expect.arrayContaining(['baggage', 'traceparent']));
        expect(hop.sent).not.toContain('x-yardmaster-lane');
      }
    }
  }, 120_000);

  it('go to the baseline all along when the baggage names no lane', async () => {
    const plain = await callChain();
    expect(plain.route).toBe('a@0 (baseline)');
    expect(plain.hops.map((hop) => hop.at)).toEqual(['A@0', 'B@0', 'C@0']);
    expect(plain.hops.map((hop) => hop.baggage)).toEqual(['tenant=t-7', 'tenant=t-7', 'tenant=t-7']);
  }, 60_000);

  it('send no telemetry anywhere, even when their SDKs shut down', async () => {
    const rows = await deps.db.select().from(laneInstances);
    expect(rows.map((row) => `${row.service}@${row.version}`).sort()).toEqual([
      'A@0',
      'A@1',
      'B@0',
      'B@2',
      'C@0',
      'C@1',
      'C@2',
    ]);
    // SIGTERM: each service's bootstrap shuts its SDK down, which would flush any exporter there were.
    for (const row of rows) if (row.runtimeRef !== null) await deps.runtime.stop(row.runtimeRef);
    await deps.db.update(laneInstances).set({ runtimeRef: null });
    expect(trapped).toHaveLength(0);
  }, 60_000);
});
