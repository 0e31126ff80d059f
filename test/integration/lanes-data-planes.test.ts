/**
 * One behaviour on every data plane installed: the same table of requests through the `node` engine (the lane
 * router, always) and the `nginx` engine (when Debian's nginx is installed), against real instances on loopback.
 * Under nginx also: a route change takes effect by a graceful reload (the master stays), a config nginx refuses
 * leaves the routes in force, and values that are not what they claim to be never reach the config.
 */
import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataPlane } from '../../src/lanes/data-plane.ts';
import { startHaproxyDataPlane } from '../../src/lanes/haproxy-data-plane.ts';
import { HAPROXY_BINARY } from '../../src/lanes/haproxy-process.ts';
import { startNginxDataPlane } from '../../src/lanes/nginx-data-plane.ts';
import { NGINX_BINARY } from '../../src/lanes/nginx-process.ts';
import { startNodeDataPlane } from '../../src/lanes/node-data-plane.ts';
import type { RouteTable } from '../../src/lanes/route-table.ts';
import { echoedOf, sendThrough, startEchoInstance } from '../helpers/lane-echo.ts';
import type { LoopbackServer } from '../helpers/tcp-servers.ts';

const NGINX_INSTALLED = existsSync(NGINX_BINARY);
const HAPROXY_INSTALLED = existsSync(HAPROXY_BINARY);
const DOMAIN = 'lanes.test';

let baselineInstance: LoopbackServer;
let laneInstance: LoopbackServer;
let table: RouteTable;
let dir: string;

beforeAll(async () => {
  [baselineInstance, laneInstance] = await Promise.all([startEchoInstance('baseline'), startEchoInstance('lane')]);
  const base = `http://127.0.0.1:${baselineInstance.port}`;
  const lane = `http://127.0.0.1:${laneInstance.port}`;
  table = {
    baseline: new Map([
      ['a', { version: '1', endpoint: base }],
      ['b', { version: '1', endpoint: base }],
      ['gone', { version: '1', endpoint: 'http://127.0.0.1:9' }],
    ]),
    lanes: new Map([
      ['feature-1', { mode: 'fallback' as const, services: new Map([['a', { version: '2', endpoint: lane }]]) }],
      ['acme/shop/pr-7', { mode: 'fallback' as const, services: new Map([['b', { version: '3', endpoint: lane }]]) }],
      ['strict-1', { mode: 'strict' as const, services: new Map([['a', { version: '2', endpoint: lane }]]) }],
    ]),
  };
  dir = await mkdtemp(join(tmpdir(), 'yardmaster-planes-'));
});

afterAll(async () => {
  await Promise.all([baselineInstance.close(), laneInstance.close()]);
  await rm(dir, { recursive: true, force: true });
});

/** One GET through a kept-alive agent: its status, and whether it went on a connection the agent had kept. */
function throughAgent(agent: Agent, url: string): Promise<{ status: number; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { agent }, (response) => {
      response.resume();
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, reused: outgoing.reusedSocket });
      });
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

const engines: { name: string; skip: string | undefined; start(): Promise<DataPlane> }[] = [
  { name: 'node', skip: undefined, start: () => startNodeDataPlane({ port: 0, domain: DOMAIN }) },
  {
    name: 'haproxy',
    skip: HAPROXY_INSTALLED ? undefined : `${HAPROXY_BINARY} is not installed (apt-get install haproxy)`,
    start: () => startHaproxyDataPlane({ port: 0, dir: join(dir, 'haproxy'), domain: DOMAIN }),
  },
  {
    name: 'nginx',
    skip: NGINX_INSTALLED ? undefined : `${NGINX_BINARY} is not installed (apt-get install nginx-light)`,
    start: () => startNginxDataPlane({ port: 0, dir: join(dir, 'nginx'), domain: DOMAIN }),
  },
];

for (const engine of engines) {
  describe.skipIf(engine.skip !== undefined)(
    `the ${engine.name} data plane${engine.skip === undefined ? '' : ` (skipped: ${engine.skip})`}`,
    () => {
      let plane: DataPlane;
      beforeAll(async () => {
        plane = await engine.start();
        await plane.apply(table);
      });
      afterAll(async () => {
        await plane.close();
      });

      it('sends a lane member to the lane, says so, and passes the lane and the next hop count on', async () => {
        const answer = await sendThrough(plane.url, '/a/echo?x=1', {
          headers: { 'x-yardmaster-lane': 'feature-1', 'x-custom': 'kept' },
        });
        expect(answer.status).toBe(200);
        expect(answer.headers['x-yardmaster-route']).toBe('a@2 (lane)');
        const seen = echoedOf(answer);
        expect(seen).toMatchObject({ instance: 'lane', method: 'GET', path: '/echo?x=1' });
        expect(seen.headers).toMatchObject({
          host: `127.0.0.1:${laneInstance.port}`,
          'x-custom': 'kept',
          'x-yardmaster-lane': 'feature-1',
          'x-yardmaster-hops': '1',
        });
      });

      it('falls back to the baseline for a service the lane does not have, keeping the lane on the request', async () => {
        const answer = await sendThrough(plane.url, '/b', { headers: { 'x-yardmaster-lane': 'feature-1' } });
        expect(answer.headers['x-yardmaster-route']).toBe('b@1 (baseline)');
        expect(echoedOf(answer)).toMatchObject({ instance: 'baseline', path: '/' });
        expect(echoedOf(answer).headers['x-yardmaster-lane']).toBe('feature-1');
      });

      it('sends a request without a lane to the baseline, with no lane header', async () => {
        const answer = await sendThrough(plane.url, '/a?q');
        expect(answer.headers['x-yardmaster-route']).toBe('a@1 (baseline)');
        expect(echoedOf(answer)).toMatchObject({ instance: 'baseline', path: '/?q' });
        expect(echoedOf(answer).headers['x-yardmaster-lane']).toBeUndefined();
      });

      it('reads a lane from W3C baggage alone (percent-encoded) and passes it on as the header too', async () => {
        const answer = await sendThrough(plane.url, '/b/x', {
          headers: { baggage: 'k=v, yardmaster-lane=acme%2Fshop%2Fpr-7;p=1' },
        });
        expect(answer.headers['x-yardmaster-route']).toBe('b@3 (lane)');
        expect(echoedOf(answer).headers).toMatchObject({
          'x-yardmaster-lane': 'acme/shop/pr-7',
          baggage: 'k=v, yardmaster-lane=acme%2Fshop%2Fpr-7;p=1',
        });
      });

      it('takes a malformed lane id as no lane and passes the header on as it came', async () => {
        const answer = await sendThrough(plane.url, '/a', { headers: { 'x-yardmaster-lane': 'Feature_1' } });
        expect(answer.headers['x-yardmaster-route']).toBe('a@1 (baseline)');
        expect(echoedOf(answer).headers['x-yardmaster-lane']).toBe('Feature_1');
        const badBaggage = await sendThrough(plane.url, '/a', { headers: { baggage: 'yardmaster-lane=feature%' } });
        expect(badBaggage.headers['x-yardmaster-route']).toBe('a@1 (baseline)');
      });

      it('answers 503 for a service a strict lane does not have, with no route header', async () => {
        const answer = await sendThrough(plane.url, '/b', { headers: { 'x-yardmaster-lane': 'strict-1' } });
        expect(answer.status).toBe(503);
        expect(answer.headers['x-yardmaster-route']).toBeUndefined();
        expect(answer.body).toContain('strict');
        const member = await sendThrough(plane.url, '/a', { headers: { 'x-yardmaster-lane': 'strict-1' } });
        expect(member.headers['x-yardmaster-route']).toBe('a@2 (lane)');
        const unknown = await sendThrough(plane.url, '/c');
        expect(unknown.status).toBe(503);
      });

      it('passes hop 15 on as 16 and answers 508 at 16 hops or a count that is not one', async () => {
        const fifteen = await sendThrough(plane.url, '/a', { headers: { 'x-yardmaster-hops': '15' } });
        expect(fifteen.status).toBe(200);
        expect(echoedOf(fifteen).headers['x-yardmaster-hops']).toBe('16');
        for (const hops of ['16', '99', 'garbage', '-1']) {
          const looped = await sendThrough(plane.url, '/a', { headers: { 'x-yardmaster-hops': hops } });
          expect([hops, looped.status, looped.headers['x-yardmaster-route']]).toEqual([hops, 508, undefined]);
        }
      });

      it('takes the service from <service>.<domain> in Host, passing the whole path on', async () => {
        const answer = await sendThrough(plane.url, '/a/echo', {
          headers: { host: `B.${DOMAIN}:8088`, 'x-yardmaster-lane': 'acme/shop/pr-7' },
        });
        expect(answer.headers['x-yardmaster-route']).toBe('b@3 (lane)');
        expect(echoedOf(answer)).toMatchObject({ instance: 'lane', path: '/a/echo' });
      });

      it('answers 502 with no route header when the instance does not answer', async () => {
        const answer = await sendThrough(plane.url, '/gone/x');
        expect(answer.status).toBe(502);
        expect(answer.headers['x-yardmaster-route']).toBeUndefined();
      });

      it('answers 404 when the request names no service', async () => {
        for (const path of ['/', '/not!a-service/x', '//a', '/-a/x', `/${'a'.repeat(64)}/x`]) {
          const answer = await sendThrough(plane.url, path, { headers: { 'x-yardmaster-lane': 'feature-1' } });
          expect([path, answer.status, answer.headers['x-yardmaster-route']]).toEqual([path, 404, undefined]);
        }
      });

      it('takes a service named in Host that is no service name as a service without an instance', async () => {
        const answer = await sendThrough(plane.url, '/a/x', {
          headers: { host: `no_such!.${DOMAIN}`, 'x-yardmaster-lane': 'feature-1' },
        });
        expect([answer.status, answer.headers['x-yardmaster-route']]).toEqual([503, undefined]);
      });

      it("passes an instance's own 503 and 504 on as they came, with the route header", async () => {
        for (const status of ['503', '504']) {
          const answer = await sendThrough(plane.url, '/a/x', {
            headers: { 'x-yardmaster-lane': 'feature-1', 'x-echo-status': status },
          });
          expect([answer.status, answer.headers['x-yardmaster-route']]).toEqual([Number(status), 'a@2 (lane)']);
        }
      });

      it('passes chunked request bodies on whole', async () => {
        const pieces = ['a'.repeat(70_000), 'b', 'c'];
        const answer = await sendThrough(plane.url, '/a/upload', {
          method: 'POST',
          headers: { 'x-yardmaster-lane': 'feature-1' },
          body: pieces,
        });
        expect(answer.headers['x-yardmaster-route']).toBe('a@2 (lane)');
        expect(echoedOf(answer)).toMatchObject({ method: 'POST', path: '/upload', body: pieces.join('') });
      });

      it('answers HEAD with the instance headers, the route header and no body', async () => {
        const answer = await sendThrough(plane.url, '/a/echo', { method: 'HEAD' });
        expect(answer.status).toBe(200);
        expect(answer.headers['x-yardmaster-route']).toBe('a@1 (baseline)');
        expect(Number(answer.headers['content-length'])).toBeGreaterThan(0);
        expect(answer.body).toBe('');
      });

      it("keeps an idle client connection open past Node's default of 5 s, as every engine does", async () => {
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        try {
          expect(await throughAgent(agent, `${plane.url}/a`)).toEqual({ status: 200, reused: false });
          // Node's own server closes an idle connection after 5 s (and 1 s of grace): a client reusing it then
          // races the close.
          await sleep(7_000);
          expect(await throughAgent(agent, `${plane.url}/a`)).toEqual({ status: 200, reused: true });
        } finally {
          agent.destroy();
        }
      }, 20_000);

      it('routes by a new table once apply resolves, and back', async () => {
        const moved: RouteTable = {
          baseline: table.baseline,
          lanes: new Map([
            [
              'feature-1',
              {
                mode: 'fallback',
                services: new Map([['b', { version: '4', endpoint: `http://127.0.0.1:${laneInstance.port}` }]]),
              },
            ],
          ]),
        };
        await plane.apply(moved);
        const after = await sendThrough(plane.url, '/b', { headers: { 'x-yardmaster-lane': 'feature-1' } });
        expect(after.headers['x-yardmaster-route']).toBe('b@4 (lane)');
        const gone = await sendThrough(plane.url, '/a', { headers: { 'x-yardmaster-lane': 'feature-1' } });
        expect(gone.headers['x-yardmaster-route']).toBe('a@1 (baseline)');
        await plane.apply(table);
        const back = await sendThrough(plane.url, '/a', { headers: { 'x-yardmaster-lane': 'feature-1' } });
        expect(back.headers['x-yardmaster-route']).toBe('a@2 (lane)');
      });
    },
  );
}

describe.skipIf(!NGINX_INSTALLED)(
  `the nginx data plane's reloads${NGINX_INSTALLED ? '' : ` (skipped: ${NGINX_BINARY} is not installed)`}`,
  () => {
    it('applies route changes by graceful reload: the master process stays', async () => {
      const plane = await startNginxDataPlane({ port: 0, dir: join(dir, 'reloads') });
      try {
        const master = plane.masterPid();
        await plane.apply(table);
        const before = await sendThrough(plane.url, '/a', { headers: { 'x-yardmaster-lane': 'feature-1' } });
        expect(before.headers['x-yardmaster-route']).toBe('a@2 (lane)');
        const lanes = new Map(table.lanes);
        lanes.delete('feature-1');
        await plane.apply({ baseline: table.baseline, lanes });
        const after = await sendThrough(plane.url, '/a', { headers: { 'x-yardmaster-lane': 'feature-1' } });
        expect(after.headers['x-yardmaster-route']).toBe('a@1 (baseline)');
        expect(plane.masterPid()).toBe(master);
        expect(plane.pids()[0]).toBe(master);
      } finally {
        await plane.close();
      }
    });

    it('keeps the routes in force when nginx refuses a config, and never writes values that are not what they claim', async () => {
      const skipped: string[] = [];
      const planeDir = join(dir, 'refused');
      const plane = await startNginxDataPlane({
        port: 0,
        dir: planeDir,
        onSkipped: (problems) => skipped.push(...problems),
      });
      try {
        await plane.apply(table);
        // A host name nginx cannot resolve: `nginx -t` refuses the config, the old one stays.
        const unresolvable = new Map(table.baseline);
        unresolvable.set('c', { version: '1', endpoint: 'http://no-such-host.invalid:8080' });
        await expect(plane.apply({ baseline: unresolvable, lanes: table.lanes })).rejects.toThrow(/no-such-host/);
        const still = await sendThrough(plane.url, '/a', { headers: { 'x-yardmaster-lane': 'feature-1' } });
        expect(still.headers['x-yardmaster-route']).toBe('a@2 (lane)');

        const endpoint = `http://127.0.0.1:${laneInstance.port}`;
        const evil = '} server { listen 127.0.0.1:1; } map $x $y {';
        await plane.apply({
          baseline: new Map([
            ...table.baseline,
            [evil, { version: '1', endpoint }],
            ['d', { version: '1"; return 200 "x', endpoint }],
            ['e', { version: '$host', endpoint }],
            ['f', { version: '1', endpoint: `http://127.0.0.1:${laneInstance.port}/;include /etc/passwd;` }],
            ['g', { version: '1', endpoint: 'http://a;b:1' }],
          ]),
          lanes: new Map([
            ...table.lanes,
            ['x;\n}', { mode: 'strict', services: new Map() }],
            ['feature-2', { mode: 'fallback', services: new Map([['a b', { version: '1', endpoint }]]) }],
          ]),
        });
        const config = await readFile(join(planeDir, 'nginx.conf'), 'utf8');
        for (const text of [evil, 'return 200 "x', '$host (', 'include', 'a;b', 'x;\n}', 'a b'])
          expect([text, config.includes(text)]).toEqual([text, false]);
        expect(skipped).toEqual(
          expect.arrayContaining([
            expect.stringContaining('is not a service name'),
            expect.stringContaining('version "1\\"; return 200 \\"x" is not a version'),
            expect.stringContaining('version "$host" is not a version'),
            expect.stringContaining('lane "x;\\n}" is not a lane id'),
          ]),
        );
        // The path of an endpoint is not used (as in the router); a host nginx may not be given is a 502.
        const withPath = await sendThrough(plane.url, '/f/p');
        expect(withPath.headers['x-yardmaster-route']).toBe('f@1 (baseline)');
        expect(echoedOf(withPath).path).toBe('/p');
        expect((await sendThrough(plane.url, '/g')).status).toBe(502);
        const good = await sendThrough(plane.url, '/a', { headers: { 'x-yardmaster-lane': 'feature-1' } });
        expect(good.headers['x-yardmaster-route']).toBe('a@2 (lane)');
      } finally {
        await plane.close();
      }
    });
  },
);
