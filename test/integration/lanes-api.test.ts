/**
 * The lanes API and registry over HTTP: bearer token, tasks and lanes, hand-made instances, and instances that
 * register themselves and heartbeat (silent ones go down, and the router falls back to the baseline). Real
 * PostgreSQL, the real router and API servers, small real HTTP services.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../src/db/schema.ts';
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

  it('edits the metadata of an instance by a merge patch, bounded like the CLI, and moves the baseline when told', async () => {
    const five = await tinyService('pay@5');
    expect(
      (
        await api('/v1/instances', {
          method: 'PUT',
          body: JSON.stringify({ service: 'pay', version: '5', endpoint: five }),
        })
      ).status,
    ).toBe(200);
    const patch = (version: string, body: unknown) =>
      api(`/v1/instances/pay/${version}`, {
        method: 'PATCH',
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });

    const first = await patch('5', {
      description: 'tax rules v2',
      owner: 'team-pay',
      labels: { ticket: 'PAY-1', env: 'qa' },
    });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({
      service: 'pay',
      version: '5',
      build: '',
      baseline: false,
      labels: { ticket: 'PAY-1', env: 'qa' },
      changed: ['description', 'owner', 'labels'],
    });
    const second = await patch('5', { labels: { env: null, team: 'pay' } });
    expect(await second.json()).toMatchObject({ labels: { ticket: 'PAY-1', team: 'pay' }, changed: ['labels'] });
    expect(await (await patch('5', { owner: 'team-pay' })).json()).toMatchObject({ changed: [] });

    const refused: [unknown, RegExp][] = [
      [{}, /nothing to change/],
      [{ description: 'x'.repeat(501) }, /description is limited to 500 characters/],
      [{ owner: 'a\nb' }, /owner must be one line/],
      [{ owner: 'x'.repeat(101) }, /owner is limited to 100/],
      [{ labels: { '-x': '1' } }, /label key/],
      [{ labels: { ok: 'v\u2028w' } }, /one line/],
      [
        { labels: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) },
        /at most 64 labels in one change/,
      ],
      [{ colour: 'red' }, /colour/],
      [{ baseline: 'yes' }, /baseline/],
      ['not json', /expected a JSON body/],
    ];
    for (const [body, message] of refused) {
      const answer = await patch('5', body);
      expect(answer.status).toBe(400);
      expect(((await answer.json()) as { error: string }).error).toMatch(message);
    }
    // 30 labels stored, then 3 more in a patch: over the bound after merging.
    const thirty = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`n${i}`, 'v']));
    expect((await patch('5', { labels: thirty })).status).toBe(200);
    const over = await patch('5', { labels: { x1: 'v', x2: 'v', x3: 'v' } });
    expect(over.status).toBe(409);
    expect(((await over.json()) as { error: string }).error).toBe('an instance has at most 32 labels');
    expect(
      (await patch('5', { labels: Object.fromEntries(Object.keys(thirty).map((key) => [key, null])) })).status,
    ).toBe(200);
    expect((await patch('404', { owner: 'x' })).status).toBe(404);
    expect((await api('/v1/instances/pay%2Fx/5', { method: 'PATCH', body: '{"owner":"x"}' })).status).toBe(400);
    expect((await api('/v1/instances/pay/a%20b', { method: 'PATCH', body: '{"owner":"x"}' })).status).toBe(400);

    // The baseline moves to pay@5 (the router follows), and back.
    expect(await (await patch('5', { baseline: true })).json()).toMatchObject({
      baseline: true,
      changed: ['baseline'],
    });
    await waitFor('the baseline to move', async () => ((await through()).body === 'pay@5' ? true : undefined), 5_000);
    expect((await patch('0', { baseline: true })).status).toBe(200);
    await waitFor(
      'the baseline to move back',
      async () => ((await through()).body === 'pay@0' ? true : undefined),
      5_000,
    );
    await test.database.db.execute(`update lane_instances set state = 'down' where version = '5'`);
    const notUp = await patch('5', { baseline: true });
    expect(notUp.status).toBe(409);
    expect(((await notUp.json()) as { error: string }).error).toMatch(/only an instance that is up/);

    const library = (await (await api('/v1/library')).json()) as {
      instances: { version: string; baseline: boolean; owner: string; labels: Record<string, string> }[];
    };
    expect(library.instances.map((entry) => [entry.version, entry.baseline, entry.owner, entry.labels])).toEqual([
      ['0', true, '', {}],
      ['5', false, 'team-pay', { ticket: 'PAY-1', team: 'pay' }],
    ]);
    const [changed] = await test.database.db
      .select({ data: auditLog.data, actor: auditLog.actor })
      .from(auditLog)
      .where(and(eq(auditLog.action, 'lane.instance_changed'), eq(auditLog.reason, 'the baseline of pay is now 5')));
    expect(changed).toEqual({
      actor: 'api-test',
      data: { service: 'pay', version: '0', changes: { baseline: { from: true, to: false } } },
    });
    expect((await api('/v1/instances/pay/5', { method: 'DELETE' })).status).toBe(200);
  });

  it('replaces only what a runtime of its own started, and says what is wrong with a replacement', async () => {
    const replace = (path: string, body: unknown) =>
      api(`/v1/instances/${path}/replace`, { method: 'POST', body: JSON.stringify(body) });
    const digest = 'c'.repeat(64);
    const cases: [string, unknown, number, RegExp][] = [
      ['pay/0', { digest: 'C'.repeat(64) }, 400, /sha256 in hex/],
      ['pay/0', { digest: 'c'.repeat(63) }, 400, /sha256 in hex/],
      ['pay/0', { digest, drainMs: 300_001 }, 400, /drainMs/],
      ['pay/0', { digest, colour: 1 }, 400, /colour/],
      ['pay/404', { digest }, 404, /no instance pay@404/],
      ['pay/0', { digest }, 409, /not started by a runtime of this process \(registered\)/],
    ];
    for (const [path, body, status, message] of cases) {
      const answer = await replace(path, body);
      expect([path, answer.status]).toEqual([path, status]);
      expect(JSON.stringify(await answer.json())).toMatch(message);
    }
    expect((await api('/v1/instances/pay/0/other', { method: 'POST', body: '{}' })).status).toBe(404);
  });
});
