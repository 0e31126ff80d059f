/**
 * The lanes API and registry over HTTP: bearer token, tasks and lanes, hand-made instances, and instances that
 * register themselves and heartbeat (silent ones go down, and the router falls back to the baseline). Real
 * PostgreSQL, the real router and API servers, small real HTTP services.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawPost } from '../helpers/raw-post.ts';
import { createProcessRuntime } from '../../src/lanes/process-runtime.ts';
import { startLanesServer, type LanesServer } from '../../src/lanes/start-lanes-server.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { waitFor } from '../helpers/workorder-fixtures.ts';

const TOKEN = 'lanes-test-token-0123456789';
let test: TestDatabase;
let lanes: LanesServer;
const services: Server[] = [];

/** A service that answers with its name. */
async function tinyService(name: string): Promise<string> {
  const server = createServer((_request, response) =>
    response.writeHead(200, { 'content-type': 'text/plain' }).end(name),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  services.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function api(path: string, init: RequestInit = {}, token = TOKEN): Promise<Response> {
  return fetch(`${lanes.apiUrl}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...Object.fromEntries(new Headers(init.headers)),
    },
  });
}

/** Waits until the router sends a request in `lane` to `expected` (routes reload on NOTIFY). */
function answersWith(lane: string, expected: string): Promise<true> {
  return waitFor(
    `lane ${lane} to reach ${expected}`,
    async () => ((await through(lane)).body === expected ? true : undefined),
    5_000,
  );
}

async function through(lane?: string): Promise<{ body: string; route: string | null }> {
  const response = await fetch(`${lanes.routerUrl}/pay/charge`, {
    headers: lane === undefined ? {} : { 'x-yardmaster-lane': lane },
  });
  return { body: await response.text(), route: response.headers.get('x-yardmaster-route') };
}

beforeAll(async () => {
  test = await openTestDatabase('postgres');
  let routerUrl = '';
  const runtime = createProcessRuntime({ catalog: {}, routerUrl: () => routerUrl });
  lanes = await startLanesServer({
    database: test.database,
    deps: { db: test.database.db, runtime, actor: 'api-test' },
    routerPort: 0,
    apiPort: 0,
    token: TOKEN,
    sweepMs: 60_000,
    log: { warn: () => undefined },
  });
  routerUrl = lanes.routerUrl;
}, 60_000);

afterAll(async () => {
  await lanes?.close();
  for (const server of services) server.close();
  await test?.cleanup();
});

describe('the lanes API', () => {
  it('refuses requests without the bearer token', async () => {
    expect((await api('/v1/library', {}, 'wrong')).status).toBe(401);
    expect((await fetch(`${lanes.apiUrl}/v1/library`)).status).toBe(401);
  });

  it('answers 413 to a body over 256 KiB before the client has sent it all, with or without Content-Length', async () => {
    const body = Buffer.alloc(4 * 1024 * 1024, 0x20);
    for (const chunked of [false, true]) {
      const answer = await rawPost(
        new URL('/v1/lanes', lanes.apiUrl),
        { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/yaml' },
        body,
        chunked,
      );
      expect(answer.response).toMatch(/^HTTP\/1\.1 413 /);
      expect(answer.response).toContain('bodies are limited to 262144 bytes');
      expect(answer.sentAtAnswer).toBeLessThan(answer.total);
    }
  });

  it('adds a baseline instance, opens a lane, takes a registered instance into it, and follows its heartbeats', async () => {
    const baseline = await tinyService('pay@0');
    expect(
      (
        await api('/v1/instances', {
          method: 'PUT',
          body: JSON.stringify({ service: 'pay', version: '0', endpoint: baseline, baseline: true }),
        })
      ).status,
    ).toBe(200);
    const opened = await api('/v1/lanes', {
      method: 'POST',
      headers: { 'content-type': 'text/yaml' },
      body: 'lane: pr-7\nservices: { pay: baseline }\n',
    });
    expect(opened.status).toBe(200);
    expect(await opened.json()).toMatchObject({
      ok: true,
      lane: 'pr-7',
      services: [{ service: 'pay', how: 'baseline', version: '0', endpoint: baseline }],
    });

    const candidate = await tinyService('pay@7');
    const registered = await api('/v1/register', {
      method: 'POST',
      body: JSON.stringify({ service: 'pay', version: '7', endpoint: candidate, lanes: ['pr-7', 'no-such-lane'] }),
    });
    expect(await registered.json()).toEqual({ registered: 'pay@7', unknownLanes: ['no-such-lane'] });
    await answersWith('pr-7', 'pay@7');
    expect(await through('pr-7')).toEqual({ body: 'pay@7', route: 'pay@7 (lane)' });
    expect(await through()).toEqual({ body: 'pay@0', route: 'pay@0 (baseline)' });

    // Silence: the instance goes down and the lane falls back to the baseline; a heartbeat brings it back.
    await test.database.db.execute(
      `update lane_instances set heartbeat_at = now() - interval '1 hour' where version = '7'`,
    );
    await lanes.sweep();
    await answersWith('pr-7', 'pay@0');
    expect(
      (await api('/v1/heartbeat', { method: 'POST', body: JSON.stringify({ service: 'pay', version: '7' }) })).status,
    ).toBe(200);
    await answersWith('pr-7', 'pay@7');
    expect(
      (await api('/v1/heartbeat', { method: 'POST', body: JSON.stringify({ service: 'pay', version: '99' }) })).status,
    ).toBe(404);

    const library = (await (await api('/v1/library')).json()) as {
      instances: { service: string; version: string; lanes: string[]; baseline: boolean }[];
    };
    expect(library.instances.map((entry) => [entry.version, entry.baseline, entry.lanes])).toEqual([
      ['0', true, []],
      ['7', false, ['pr-7']],
    ]);

    expect((await api('/v1/lanes/pr-7', { method: 'DELETE' })).status).toBe(200);
    expect((await api('/v1/lanes/pr-7', { method: 'DELETE' })).status).toBe(404);
    // Nothing uses pay@7 any more: reclaimed.
    const after = (await (await api('/v1/library')).json()) as { instances: { version: string }[] };
    expect(after.instances.map((entry) => entry.version)).toEqual(['0']);
  });

  it('answers a bad spec with its problems by line, and bad bodies with what is wrong', async () => {
    const bad = await api('/v1/lanes', { method: 'POST', body: 'services: { pay: "1/2" }\nmode: loose\n' });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { text: string };
    expect(body.text).toMatch(/line 1.*services\.pay/);
    expect(body.text).toMatch(/line 2.*mode/);
    const wrong = await api('/v1/instances', {
      method: 'PUT',
      body: JSON.stringify({ service: 'pay', version: '1', endpoint: 'file:///etc/passwd' }),
    });
    expect(wrong.status).toBe(400);
    expect((await api('/v1/instances/pay/404', { method: 'DELETE' })).status).toBe(404);
    expect((await api('/v1/nothing')).status).toBe(404);
  });
});
