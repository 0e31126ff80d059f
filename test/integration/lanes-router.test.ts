/**
 * The lane router as an HTTP proxy, against instances that answer in every framing HTTP/1.1 allows: Content-Length,
 * chunked (split across packets), until close, no body (HEAD, 204, 304), interim 100; request bodies with a length
 * and chunked; an instance that closes idle kept-alive sockets; one that answers garbage; one that is gone; a client
 * that goes away mid-answer. No database: a fixed route table.
 */
import { once } from 'node:events';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLaneRouter } from '../../src/lanes/lane-router.ts';
import type { RouteTable } from '../../src/lanes/route-table.ts';

let router: Server;
let routerUrl: string;
let instance: Server;
let raw: NetServer;
const rawSockets = new Set<Socket>();
let rawHandler: (socket: Socket, head: string) => void = () => undefined;

function portOf(server: Server | NetServer): number {
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  instance = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      if (path === '/echo') {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ method: req.method, path, headers: req.headers, body }));
      } else if (path === '/chunked') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('one ');
        setTimeout(() => {
          res.write('two ');
          res.end('three');
        }, 20);
      } else if (path === '/big') {
        res
          .writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 4 * 1024 * 1024 })
          .end(Buffer.alloc(4 * 1024 * 1024, 7));
      } else if (path === '/empty') {
        res.writeHead(204).end();
      } else if (path === '/not-modified') {
        res.writeHead(304, { etag: '"x"' }).end();
      } else if (path === '/slow') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('start ');
        const timer = setInterval(() => res.write('.'), 10);
        res.on('close', () => {
          clearInterval(timer);
        });
      } else {
        res
          .writeHead(200, {
            'content-type': 'text/plain',
            'x-instance': 'yes',
            connection: 'x-private',
            'x-private': 'dropped',
          })
          .end(`ok ${path}`);
      }
    });
  });
  // Closes idle kept-alive sockets quickly (its Keep-Alive hint says timeout=0).
  instance.keepAliveTimeout = 150;
  instance.listen(0, '127.0.0.1');
  raw = createNetServer((socket) => {
    rawSockets.add(socket);
    socket.on('close', () => rawSockets.delete(socket));
    let text = '';
    socket.on('data', (data: Buffer) => {
      text += data.toString('latin1');
      if (text.includes('\r\n\r\n')) {
        const head = text;
        text = '';
        rawHandler(socket, head);
      }
    });
  });
  raw.listen(0, '127.0.0.1');
  await Promise.all([once(instance, 'listening'), once(raw, 'listening')]);
  const table: RouteTable = {
    baseline: new Map([
      ['svc', { version: '1', endpoint: `http://127.0.0.1:${portOf(instance)}` }],
      ['raw', { version: '1', endpoint: `http://127.0.0.1:${portOf(raw)}` }],
      ['gone', { version: '1', endpoint: 'http://127.0.0.1:9' }],
      ['tls', { version: '1', endpoint: 'https://127.0.0.1:9' }],
    ]),
    lanes: new Map([
      [
        'l1',
        {
          mode: 'fallback' as const,
          services: new Map([['svc', { version: '2', endpoint: `http://localhost:${portOf(instance)}` }]]),
        },
      ],
    ]),
  };
  router = createLaneRouter({ routes: () => table, maxSockets: 4 });
  router.listen(0, '127.0.0.1');
  await once(router, 'listening');
  routerUrl = `http://127.0.0.1:${portOf(router)}`;
});

afterAll(async () => {
  for (const server of [router, instance]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  for (const socket of rawSockets) socket.destroy();
  await new Promise((resolve) => raw.close(resolve));
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function send(
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string[] } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${routerUrl}${path}`,
      { method: init.method ?? 'GET', headers: init.headers ?? {} },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) });
        });
      },
    );
    outgoing.on('error', reject);
    for (const piece of init.body ?? []) outgoing.write(piece);
    outgoing.end();
  });
}

describe('the lane router as a proxy', () => {
  it('passes method, path, query, headers and the lane on; says where it went; drops hop-by-hop headers both ways', async () => {
    const answer = await send('/svc/echo', {
      headers: {
        'x-yardmaster-lane': 'l1',
        'x-custom': 'a',
        connection: 'keep-alive, x-secret',
        'x-secret': 's',
        baggage: 'k=v',
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['x-yardmaster-route']).toBe('svc@2 (lane)');
    const seen = JSON.parse(answer.body.toString()) as { method: string; path: string; headers: IncomingHttpHeaders };
    expect(seen.path).toBe('/echo');
    expect(seen.headers).toMatchObject({
      host: expect.stringMatching(/^localhost:\d+$/) as unknown,
      'x-custom': 'a',
      'x-yardmaster-lane': 'l1',
      'x-yardmaster-hops': '1',
      baggage: 'k=v',
    });
    expect(seen.headers['x-secret']).toBeUndefined();
    const query = await send('/svc?x=1');
    expect(query.body.toString()).toBe('ok /?x=1');
    expect(query.headers['x-instance']).toBe('yes');
    expect(query.headers['x-private']).toBeUndefined();
    // A lane that came as baggage goes on as the header too; a malformed one goes on as it came, to the baseline.
    const viaBaggage = JSON.parse(
      (await send('/svc/echo', { headers: { baggage: 'a=b, yardmaster-lane=l1' } })).body.toString(),
    ) as { headers: IncomingHttpHeaders };
    expect(viaBaggage.headers['x-yardmaster-lane']).toBe('l1');
    const malformed = await send('/svc/echo', {
      headers: { 'x-yardmaster-lane': 'Not_A_Lane', 'x-yardmaster-hops': '3' },
    });
    expect(malformed.headers['x-yardmaster-route']).toBe('svc@1 (baseline)');
    expect((JSON.parse(malformed.body.toString()) as { headers: IncomingHttpHeaders }).headers).toMatchObject({
      'x-yardmaster-lane': 'Not_A_Lane',
      'x-yardmaster-hops': '4',
    });
  });

  it('passes request bodies on, with a length and chunked', async () => {
    const sized = await send('/svc/echo', {
      method: 'POST',
      headers: { 'content-length': '11' },
      body: ['hello', ' world'],
    });
    expect(JSON.parse(sized.body.toString())).toMatchObject({ method: 'POST', body: 'hello world' });
    const chunked = await send('/svc/echo', { method: 'PUT', body: ['a'.repeat(70_000), 'b', 'c'] });
    expect(JSON.parse(chunked.body.toString())).toMatchObject({ method: 'PUT', body: `${'a'.repeat(70_000)}bc` });
  });

  it('passes answers on in every framing: chunked, large, none (HEAD, 204, 304)', async () => {
    expect((await send('/svc/chunked')).body.toString()).toBe('one two three');
    const big = await send('/svc/big');
    expect(big.body.length).toBe(4 * 1024 * 1024);
    expect(big.body.every((byte) => byte === 7)).toBe(true);
    const head = await send('/svc/big', { method: 'HEAD' });
    expect([head.status, head.headers['content-length'], head.body.length]).toEqual([200, String(4 * 1024 * 1024), 0]);
    expect((await send('/svc/empty')).status).toBe(204);
    const notModified = await send('/svc/not-modified');
    expect([notModified.status, notModified.headers.etag]).toEqual([304, '"x"']);
  });

  it('keeps answering when the instance closes idle kept-alive sockets, and under more requests than sockets', async () => {
    for (let round = 0; round < 3; round++) {
      expect((await send('/svc/a')).body.toString()).toBe('ok /a');
      await sleep(200);
    }
    const many = await Promise.all(Array.from({ length: 40 }, (_, index) => send(`/svc/n${index}`)));
    expect(many.map((answer) => answer.body.toString())).toEqual(
      Array.from({ length: 40 }, (_, index) => `ok /n${index}`),
    );
  });

  it('answers until close, skips 100 Continue, and refuses what an instance should not say (502)', async () => {
    rawHandler = (socket) =>
      socket.end('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil the end');
    const untilClose = await send('/raw/x');
    expect([untilClose.status, untilClose.body.toString(), untilClose.headers['x-yardmaster-route']]).toEqual([
      200,
      'until the end',
      'raw@1 (baseline)',
    ]);
    rawHandler = (socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 3\r\ncontent-length: 4\r\n\r\nabcd');
    expect((await send('/raw/x')).status).toBe(502);
    rawHandler = (socket) => socket.end('HTTP/1.1 200 OK\r\nbad header\r\n\r\n');
    expect((await send('/raw/x')).status).toBe(502);
    rawHandler = (socket) => socket.end('SMTP ready\r\n\r\n');
    const garbage = await send('/raw/x');
    expect([garbage.status, garbage.body.toString()]).toEqual([
      502,
      'raw@1 (baseline): malformed answer from the instance\n',
    ]);
    rawHandler = (socket) =>
      socket.end('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-length: 99\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
    const both = await send('/raw/x');
    expect([both.status, both.body.toString(), both.headers['content-length']]).toEqual([200, 'abc', undefined]);
    rawHandler = (socket) => socket.destroy();
    expect((await send('/raw/x')).status).toBe(502);
  });

  it('says 502 for an instance that is gone or not plain http, and drops the instance socket when the client goes away', async () => {
    const gone = await send('/gone/x');
    expect(gone.status).toBe(502);
    expect(gone.body.toString()).toMatch(/^gone@1 \(baseline\): connect ECONNREFUSED/);
    expect((await send('/tls/x')).body.toString()).toBe(
      'tls@1 (baseline): instance endpoint https://127.0.0.1:9: only http: is routed\n',
    );
    const closed = new Promise<void>((resolve) =>
      instance.once('request', (_req, res) =>
        res.once('close', () => {
          resolve();
        }),
      ),
    );
    await new Promise<void>((resolve) => {
      const outgoing = request(`${routerUrl}/svc/slow`, (response) => {
        response.once('data', () => {
          outgoing.destroy();
          resolve();
        });
      });
      outgoing.end();
    });
    await closed;
    expect((await send('/svc/after')).body.toString()).toBe('ok /after');
  });
});
