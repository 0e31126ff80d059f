/**
 * The haproxy data plane beyond the conformance table (lanes-data-planes.test.ts), against Debian's HAProxy:
 * route changes go through the runtime API's maps (the process id stays, the maps read back as the table applied);
 * values that are not what they claim never reach a map; a change HAProxy refuses leaves the routes in force;
 * requests on one kept-alive connection each go where their lane says; and after HAProxy restarts — one Yardmaster
 * runs (killed, started again by the plane) or the operator's (killed, started again by the test as its supervisor
 * would) — the routes are restored and answer as the database says. Real PostgreSQL, HAProxy and HTTP instances.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHaproxyConfig } from '../../src/lanes/haproxy-config.ts';
import { startHaproxyDataPlane } from '../../src/lanes/haproxy-data-plane.ts';
import { startNodeDataPlane } from '../../src/lanes/node-data-plane.ts';
import { HAPROXY_BINARY } from '../../src/lanes/haproxy-process.ts';
import { haproxyRouteMaps } from '../../src/lanes/haproxy-route-maps.ts';
import {
  haproxyCommand,
  haproxyOneShot,
  haproxySession,
  type RuntimeApi,
} from '../../src/lanes/haproxy-runtime-api.ts';
import { createProcessRuntime } from '../../src/lanes/process-runtime.ts';
import { loadRouteTable, type RouteTable } from '../../src/lanes/route-table.ts';
import { startDataPlane } from '../../src/lanes/start-data-plane.ts';
import { startLanesServer } from '../../src/lanes/start-lanes-server.ts';
import { freePorts } from '../../src/lib/free-port.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { echoedOf, sendThrough, startEchoInstance } from '../helpers/lane-echo.ts';
import type { LoopbackServer } from '../helpers/tcp-servers.ts';
import { waitFor } from '../helpers/workorder-fixtures.ts';

const INSTALLED = existsSync(HAPROXY_BINARY);
const quiet = { warn: () => undefined };

let baselineInstance: LoopbackServer;
let laneInstance: LoopbackServer;
let table: RouteTable;
let dir: string;

beforeAll(async () => {
  [baselineInstance, laneInstance] = await Promise.all([startEchoInstance('baseline'), startEchoInstance('lane')]);
  table = {
    baseline: new Map([['a', { version: '1', endpoint: `http://127.0.0.1:${baselineInstance.port}` }]]),
    lanes: new Map([
      [
        'feature-1',
        {
          mode: 'fallback' as const,
          services: new Map([['a', { version: '2', endpoint: `http://127.0.0.1:${laneInstance.port}` }]]),
        },
      ],
      ['strict-1', { mode: 'strict' as const, services: new Map() }],
    ]),
  };
  dir = await mkdtemp(join(tmpdir(), 'ym-haproxy-'));
});

afterAll(async () => {
  await Promise.all([baselineInstance.close(), laneInstance.close()]);
  await rm(dir, { recursive: true, force: true });
});

function routeOf(url: string, lane?: string, path = '/a'): Promise<string | undefined> {
  return sendThrough(url, path, { headers: lane === undefined ? {} : { 'x-yardmaster-lane': lane } }).then(
    (answer) => answer.headers['x-yardmaster-route'] as string | undefined,
  );
}

/** Runs HAProxy as an operator would, from `config`; resolves once its runtime API answers. */
async function operatorHaproxy(config: string, where: string): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  await writeFile(join(where, 'haproxy.cfg'), config);
  const child = spawn(HAPROXY_BINARY, ['-f', join(where, 'haproxy.cfg')], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await waitFor(
    'HAProxy to answer',
    () => haproxyCommand(join(where, 'admin.sock'), 'show info').catch(() => undefined),
    10_000,
  );
  return {
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Status, route header and what the instance saw (its headers but Host), for a request with repeated headers. */
function seenThrough(
  url: string,
  path: string,
  headers: Record<string, string | string[]>,
): Promise<{ status: number; route: unknown; path?: string; headers?: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(`${url}${path}`, { headers, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        const route = response.headers['x-yardmaster-route'];
        if (status !== 200) {
          resolve({ status, route });
          return;
        }
        const echoed = JSON.parse(body) as { path: string; headers: Record<string, unknown> };
        const { host: _host, ...rest } = echoed.headers;
        resolve({ status, route, path: echoed.path, headers: rest });
      });
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe.skipIf(!INSTALLED)(
  `the haproxy data plane${INSTALLED ? '' : ` (skipped: ${HAPROXY_BINARY} is missing)`}`,
  () => {
    it('changes routes through the runtime API: the process stays, the maps read back as the table applied', async () => {
      const plane = await startHaproxyDataPlane({ port: 0, dir: join(dir, 'changes') });
      try {
        const pid = plane.pids()[0];
        expect(pid).toBeGreaterThan(0);
        await plane.apply(table);
        expect(await plane.currentTable()).toEqual(table);
        expect(await routeOf(plane.url, 'feature-1')).toBe('a@2 (lane)');
        for (let flip = 0; flip < 20; flip++) {
          const lanes = new Map(table.lanes);
          if (flip % 2 === 0) lanes.delete('feature-1');
          const next = { baseline: table.baseline, lanes };
          await plane.apply(next);
          expect(await routeOf(plane.url, 'feature-1')).toBe(flip % 2 === 0 ? 'a@1 (baseline)' : 'a@2 (lane)');
          expect(await plane.currentTable()).toEqual(next);
        }
        expect(plane.pids()[0]).toBe(pid);
        // Nothing in the config names a route: they live in the maps only.
        const maps = await haproxyCommand(join(dir, 'changes', 'admin.sock'), 'show map');
        expect(maps).toContain('yardmaster-lanes.map');
        expect(maps).toContain('yardmaster-baseline.map');
      } finally {
        await plane.close();
      }
    });

    it('never puts values that are not what they claim into a map, and routes the rest', async () => {
      const skipped: string[] = [];
      const plane = await startHaproxyDataPlane({
        port: 0,
        dir: join(dir, 'values'),
        onSkipped: (problems) => skipped.push(...problems),
      });
      try {
        const endpoint = `http://127.0.0.1:${laneInstance.port}`;
        await plane.apply({
          baseline: new Map([
            ...table.baseline,
            ['b\nc', { version: '1', endpoint }],
            ['d', { version: '1\nadd map x y', endpoint }],
            ['e', { version: '1|evil', endpoint }],
            ['f', { version: '1', endpoint: `${endpoint}/p ath` }],
            ['g', { version: '1', endpoint: 'http://a;b:1' }],
            ['h', { version: '1', endpoint: 'ftp://127.0.0.1:1' }],
            ['i', { version: '1', endpoint: 'http://no-such-host.invalid:1' }],
          ]),
          lanes: new Map([
            ...table.lanes,
            ['x y', { mode: 'strict', services: new Map() }],
            ['feature-2', { mode: 'fallback', services: new Map([['a b', { version: '1', endpoint }]]) }],
            [
              'feature-3',
              { mode: 'fallback', services: new Map([['a', { version: '3', endpoint: 'ftp://127.0.0.1:1' }]]) },
            ],
          ]),
        });
        const socket = join(dir, 'values', 'admin.sock');
        const maps = await Promise.all(
          ['yardmaster-lanes.map', 'yardmaster-baseline.map'].map((file) =>
            haproxyCommand(socket, `show map ${join(dir, 'values', file)}`),
          ),
        );
        for (const text of ['b\nc', 'add map', '1|evil', 'x y', 'a b', 'a;b'])
          expect([text, maps.some((map) => map.includes(text))]).toEqual([text, false]);
        expect(skipped).toEqual(
          expect.arrayContaining([
            expect.stringContaining('service "b\\nc" is not a service name'),
            expect.stringContaining('version "1\\nadd map x y" is not a version'),
            expect.stringContaining('version "1|evil" is not a version'),
            expect.stringContaining('lane "x y" is not a lane id'),
            expect.stringContaining('service "a b" is not a service name'),
          ]),
        );
        // The path of an endpoint is not used (as in the router); endpoints HAProxy cannot be sent to are a 502.
        const withPath = await sendThrough(plane.url, '/f/q');
        expect([withPath.headers['x-yardmaster-route'], echoedOf(withPath).path]).toEqual(['f@1 (baseline)', '/q']);
        for (const [service, why] of [
          ['g', 'not-a-host'],
          ['h', 'not-http'],
          ['i', 'not-resolved'],
        ]) {
          const answer = await sendThrough(plane.url, `/${service}`);
          expect([service, answer.status, answer.headers['x-yardmaster-route'], answer.body]).toEqual([
            service,
            502,
            undefined,
            `${service}@1 (baseline): its instance endpoint cannot be used (${why})\n`,
          ]);
        }
        // The same for a lane's instance, found by the lane header (the common requests' backend), and with a hop header.
        for (const hops of [{}, { 'x-yardmaster-hops': '2' }]) {
          const answer = await sendThrough(plane.url, '/a', { headers: { 'x-yardmaster-lane': 'feature-3', ...hops } });
          expect([hops, answer.status, answer.headers['x-yardmaster-route'], answer.body]).toEqual([
            hops,
            502,
            undefined,
            'a@3 (lane): its instance endpoint cannot be used (not-http)\n',
          ]);
        }
        expect(await routeOf(plane.url, 'feature-1')).toBe('a@2 (lane)');
      } finally {
        await plane.close();
      }
    });

    it('answers as the router does where nginx cannot: repeated and empty headers, escapes, hop-by-hop headers, whichever backend takes the request', async () => {
      const haproxy = await startHaproxyDataPlane({ port: 0, dir: join(dir, 'router-like') });
      const router = await startNodeDataPlane({ port: 0 });
      try {
        await Promise.all([haproxy.apply(table), router.apply(table)]);
        const cases: Record<string, string | string[]>[] = [
          { 'x-yardmaster-hops': '' },
          { 'x-yardmaster-hops': ['3', '4'] },
          { 'x-yardmaster-hops': '0015' },
          { 'x-yardmaster-lane': ['feature-1', 'feature-1'] },
          { 'x-yardmaster-lane': 'Feature-1', baggage: 'yardmaster-lane=feature-1' },
          { baggage: ['k=v', 'yardmaster-lane=feature-1'] },
          { baggage: 'yardmaster-lane=bad%zz, yardmaster-lane=feature-1' },
          { baggage: 'yardmaster-lane=%66eature-1' },
          { baggage: ' yardmaster-lane = feature-1 ;p=1' },
          { baggage: 'yardmaster-lane=feature-1%20' },
          { 'keep-alive': 'timeout=5', te: 'trailers', 'proxy-authorization': 'Basic eA==' },
          // The common requests (their route found in the frontend) and the same with what sends them through the
          // whole rules: a hop header, a hop-by-hop header, baggage.
          {},
          { 'x-yardmaster-lane': 'feature-1' },
          { 'x-yardmaster-lane': 'feature-1', 'x-yardmaster-hops': '3' },
          { 'x-yardmaster-lane': 'feature-1', 'x-yardmaster-hops': '16' },
          { 'x-yardmaster-lane': 'feature-1', te: 'trailers', 'proxy-authorization': 'Basic eA==' },
          { 'x-yardmaster-lane': 'feature-1', baggage: 'yardmaster-lane=strict-1' },
          { 'x-yardmaster-lane': 'strict-1' },
          { baggage: 'k=v' },
          { 'x-yardmaster-hops': '7' },
        ];
        for (const headers of cases) {
          const [viaHaproxy, viaRouter] = await Promise.all(
            [haproxy.url, router.url].map((url) => seenThrough(url, '/a/x', headers)),
          );
          expect([headers, viaHaproxy]).toEqual([headers, viaRouter]);
        }
      } finally {
        await Promise.all([haproxy.close(), router.close()]);
      }
    });

    it('sends each request on one kept-alive connection where its lane says', async () => {
      const plane = await startHaproxyDataPlane({ port: 0, dir: join(dir, 'keepalive') });
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        await plane.apply(table);
        const seen: string[] = [];
        const sockets = new Set<number | undefined>();
        for (let index = 0; index < 12; index++) {
          const lane = index % 3 === 0 ? undefined : 'feature-1';
          const answer = await new Promise<{ instance: string; socket: number | undefined }>((resolve, reject) => {
            const outgoing = request(
              `${plane.url}/a`,
              { agent, headers: lane === undefined ? {} : { 'x-yardmaster-lane': lane } },
              (response) => {
                let body = '';
                response.setEncoding('utf8');
                response.on('data', (chunk: string) => (body += chunk));
                response.on('end', () => {
                  resolve({
                    instance: (JSON.parse(body) as { instance: string }).instance,
                    socket: outgoing.socket?.localPort,
                  });
                });
              },
            );
            outgoing.on('error', reject);
            outgoing.end();
          });
          seen.push(`${lane ?? '-'}:${answer.instance}`);
          sockets.add(answer.socket);
        }
        expect(new Set(seen)).toEqual(new Set(['-:baseline', 'feature-1:lane']));
        expect(sockets.size).toBe(1);
      } finally {
        agent.destroy();
        await plane.close();
      }
    });

    it('leaves the routes in force when HAProxy refuses a change (its buffers too small for the change)', async () => {
      const where = join(dir, 'refused');
      await mkdir(where, { recursive: true });
      const [port = 0] = await freePorts(1);
      const config = renderHaproxyConfig({ host: '127.0.0.1', port, socket: join(where, 'admin.sock'), mapDir: where });
      // The routes HAProxy starts with, from its map file; its buffers are too small for the payloads Yardmaster sends.
      await writeFile(join(where, 'yardmaster-lanes.map'), '');
      await writeFile(
        join(where, 'yardmaster-baseline.map'),
        `a 127.0.0.1|${baselineInstance.port}|127.0.0.1:${baselineInstance.port}|a@0 (baseline)\n`,
      );
      const haproxy = await operatorHaproxy(config.replace('global\n', 'global\n  tune.bufsize 4096\n'), where);
      try {
        const plane = await startDataPlane('haproxy', {
          port,
          haproxySocket: join(where, 'admin.sock'),
          log: quiet,
        });
        const member = { version: '2', endpoint: `http://127.0.0.1:${laneInstance.port}` };
        const lanes = new Map<string, { mode: 'fallback'; services: Map<string, typeof member> }>();
        for (let index = 0; index < 300; index++)
          lanes.set(`lane-${index}`, { mode: 'fallback', services: new Map([['a', member]]) });
        const big: RouteTable = { baseline: table.baseline, lanes };
        // HAProxy drops the command it cannot hold without a word (then the count says so) or closes the session
        // over it, as the data sent so far meets it: refused either way.
        await expect(plane.apply(big)).rejects.toThrow(
          /HAProxy took 0 of 301 entries|HAProxy closed its runtime API session|ECONNRESET|EPIPE/,
        );
        expect(await routeOf(plane.url, 'feature-1')).toBe('a@0 (baseline)');
        await plane.close();
      } finally {
        await haproxy.stop();
      }
    });

    it('changes one entry in place and more by a new version, and a restarted HAProxy refuses an in-place change', async () => {
      const where = join(dir, 'in-place');
      await mkdir(where, { recursive: true });
      const [port = 0] = await freePorts(1);
      const socket = join(where, 'admin.sock');
      const config = renderHaproxyConfig({ host: '127.0.0.1', port, socket, mapDir: where });
      const files = { lanes: join(where, 'yardmaster-lanes.map'), baseline: join(where, 'yardmaster-baseline.map') };
      for (const file of Object.values(files)) await writeFile(file, '');
      let haproxy = await operatorHaproxy(config, where);
      const session = haproxySession(socket);
      const sent: string[] = [];
      const recorded: RuntimeApi = (command, payload) => {
        sent.push(command);
        return session(command, payload);
      };
      const maps = haproxyRouteMaps(recorded, haproxyOneShot(socket), files, () => undefined);
      const lane = `http://127.0.0.1:${laneInstance.port}`;
      const withLane = (services: [string, string][]): RouteTable => ({
        baseline: table.baseline,
        lanes: new Map([
          [
            'feature-1',
            {
              mode: 'fallback' as const,
              services: new Map(services.map(([service, version]) => [service, { version, endpoint: lane }])),
            },
          ],
        ]),
      });
      const url = `http://127.0.0.1:${port}`;
      try {
        await maps.apply(withLane([['a', '2']]));
        expect(sent.filter((command) => command.startsWith('prepare map'))).toHaveLength(2);
        // One member switched: the entry and the digest, in place (the value's spaces escaped).
        sent.length = 0;
        await maps.apply(withLane([['a', '3']]));
        expect(sent).toEqual([
          `set map ${files.lanes} feature-1/a 127.0.0.1|${laneInstance.port}|127.0.0.1:${laneInstance.port}|a@3\\ (lane)`,
          expect.stringMatching(new RegExp(`^set map ${files.lanes} \\.yardmaster [0-9a-f]{32}$`)),
        ]);
        expect(await routeOf(url, 'feature-1')).toBe('a@3 (lane)');
        // One added, then one removed: add map, del map.
        sent.length = 0;
        await maps.apply(
          withLane([
            ['a', '3'],
            ['b', '1'],
          ]),
        );
        await maps.apply(withLane([['a', '3']]));
        expect(sent.map((command) => command.split(' ').slice(0, 4).join(' '))).toEqual([
          `add map ${files.lanes} feature-1/b`,
          `set map ${files.lanes} .yardmaster`,
          `del map ${files.lanes} feature-1/b`,
          `set map ${files.lanes} .yardmaster`,
        ]);
        expect(await maps.read()).toEqual(withLane([['a', '3']]));
        // Two entries at once: a new version, committed whole.
        sent.length = 0;
        await maps.apply(
          withLane([
            ['a', '4'],
            ['b', '4'],
          ]),
        );
        expect(
          sent.filter((command) => command.startsWith('prepare map') || command.startsWith('commit map')),
        ).toHaveLength(2);
        expect(await routeOf(url, 'feature-1', '/b')).toBe('b@4 (lane)');
        // HAProxy restarted (its maps empty again): an in-place change is refused rather than hiding the restart,
        // and the table is put back whole.
        await haproxy.stop();
        haproxy = await operatorHaproxy(config, where);
        await expect(
          maps.apply(
            withLane([
              ['a', '5'],
              ['b', '4'],
            ]),
          ),
        ).rejects.toThrow(/HAProxy refused set map/);
        expect(await maps.intact()).toBe(false);
        await maps.restore();
        expect(await maps.intact()).toBe(true);
        expect(await maps.read()).toEqual(
          withLane([
            ['a', '4'],
            ['b', '4'],
          ]),
        );
        await maps.apply(
          withLane([
            ['a', '5'],
            ['b', '4'],
          ]),
        );
        expect(await routeOf(url, 'feature-1')).toBe('a@5 (lane)');
      } finally {
        session.close();
        await haproxy.stop();
      }
    });

    it("restores the routes when the operator's HAProxy is restarted", async () => {
      const where = join(dir, 'attached');
      await mkdir(where, { recursive: true });
      const [port = 0] = await freePorts(1);
      const config = renderHaproxyConfig({ host: '127.0.0.1', port, socket: join(where, 'admin.sock'), mapDir: where });
      for (const file of ['yardmaster-lanes.map', 'yardmaster-baseline.map']) await writeFile(join(where, file), '');
      let haproxy = await operatorHaproxy(config, where);
      let restarts = 0;
      const plane = await startDataPlane('haproxy', {
        port,
        haproxySocket: join(where, 'admin.sock'),
        log: quiet,
        onRestart: () => {
          restarts += 1;
        },
      });
      try {
        await plane.apply(table);
        const before = plane.pids?.()[0];
        expect(await routeOf(plane.url, 'feature-1')).toBe('a@2 (lane)');
        await haproxy.stop();
        haproxy = await operatorHaproxy(config, where);
        await waitFor(
          'the routes to come back',
          async () =>
            (await routeOf(plane.url, 'feature-1').catch(() => undefined)) === 'a@2 (lane)' ? true : undefined,
          10_000,
        );
        expect(restarts).toBe(1);
        expect(plane.pids?.()[0]).toBe(haproxy.child.pid);
        expect(plane.pids?.()[0]).not.toBe(before);
        expect(await plane.currentTable?.()).toEqual(table);
      } finally {
        await plane.close();
        await haproxy.stop();
      }
    });

    describe('run by the lanes server', () => {
      let test: TestDatabase;
      beforeAll(async () => {
        test = await openTestDatabase('postgres');
      }, 60_000);
      afterAll(async () => {
        await test?.cleanup();
      });

      it('starts HAProxy again when it dies, and its routes answer as the database says', async () => {
        const token = 'haproxy-test-token-0123456789';
        const lanes = await startLanesServer({
          database: test.database,
          deps: { db: test.database.db, runtime: createProcessRuntime({ catalog: {}, routerUrl: '' }), actor: 'test' },
          routerPort: 0,
          apiPort: 0,
          token,
          dataPlane: 'haproxy',
          sweepMs: 60_000,
          log: quiet,
        });
        const api = (path: string, method: string, body: string, type = 'application/json') =>
          fetch(`${lanes.apiUrl}${path}`, {
            method,
            headers: { authorization: `Bearer ${token}`, 'content-type': type },
            body,
          });
        const put = (service: string, version: string, port: number, baseline: boolean) =>
          api(
            '/v1/instances',
            'PUT',
            JSON.stringify({ service, version, endpoint: `http://127.0.0.1:${port}`, baseline }),
          );
        try {
          expect((await put('pay', '0', baselineInstance.port, true)).status).toBe(200);
          expect((await put('pay', '7', laneInstance.port, false)).status).toBe(200);
          expect((await api('/v1/lanes', 'POST', 'lane: blue\nservices: { pay: "7" }\n', 'text/yaml')).status).toBe(
            200,
          );
          await waitFor(
            'lane blue',
            async () => ((await routeOf(lanes.routerUrl, 'blue', '/pay')) === 'pay@7 (lane)' ? true : undefined),
            10_000,
          );
          const pid = lanes.plane.pids?.()[0];
          expect(pid).toBeGreaterThan(0);
          process.kill(pid ?? 0, 'SIGKILL');
          // Changed while HAProxy is down (or coming back): the restored routes must have it too.
          expect((await put('ship', '0', baselineInstance.port, true)).status).toBe(200);
          await waitFor(
            'the routes to come back as the database says',
            async () => {
              const [lane, ship] = await Promise.all([
                routeOf(lanes.routerUrl, 'blue', '/pay').catch(() => undefined),
                routeOf(lanes.routerUrl, undefined, '/ship').catch(() => undefined),
              ]);
              return lane === 'pay@7 (lane)' && ship === 'ship@0 (baseline)' ? true : undefined;
            },
            15_000,
          );
          expect(lanes.plane.pids?.()[0]).not.toBe(pid);
          expect(await lanes.plane.currentTable?.()).toEqual(await loadRouteTable(test.database.db));
        } finally {
          await lanes.close();
        }
      });
    });
  },
);
