/**
 * Webhook deliveries against a real HTTP receiver on 127.0.0.1: a signed delivery, refusals by the receiver (500,
 * a redirect), URLs that are not http(s), and a receiver too slow to answer.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventJson } from '../../src/notify/event-text.ts';
import type { KeyEvent } from '../../src/notify/types.ts';
import { keyEvent } from '../helpers/key-events.ts';
import { sendWebhook, verifyWebhookSignature, webhookSignature } from '../../src/notify/webhook-sender.ts';

const SECRET = 'hook-secret-Zq7';

const event: KeyEvent = keyEvent({
  id: 901,
  kind: 'failed',
  workOrderId: 33,
  number: 5,
  title: 'Ship api 2.0.1',
  app: 'api',
  environment: 'staging',
  version: '2.0.1',
  reason: 'health check of web-2 failed',
  at: new Date('2026-05-01T12:00:00.000Z'),
  url: 'https://yardmaster.example.com/orders/33',
});

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  signatureValid: boolean;
}

/** What the receiver does with a request, chosen by its path. */
const answers: Record<string, (respond: (status: number, headers?: Record<string, string>) => void) => void> = {
  '/ok': (respond) => {
    respond(204);
  },
  '/broken': (respond) => {
    respond(500);
  },
  '/moved': (respond) => {
    respond(302, { location: '/ok' });
  },
  '/slow': () => undefined, // never answers
};

let server: Server;
let base: string;
const received: Received[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const path = request.url ?? '';
      received.push({
        method: request.method ?? '',
        path,
        headers: request.headers,
        body: raw.toString('utf8'),
        signatureValid: verifyWebhookSignature(SECRET, raw, request.headers['x-yardmaster-signature-256']),
      });
      const answer =
        answers[path] ??
        ((respond) => {
          respond(404);
        });
      answer((status, headers = {}) => {
        response.writeHead(status, headers);
        response.end('receiver says hello');
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  base = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
});

beforeEach(() => {
  received.length = 0;
});

/** The rejection of a delivery that must fail. */
async function failure(promise: Promise<void>): Promise<Error> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof Error)) throw new Error(`expected the delivery to fail with an Error, got ${String(error)}`);
  return error;
}

describe('sendWebhook', () => {
  it('posts the signed event JSON with the delivery headers', async () => {
    await sendWebhook({ url: `${base}/ok`, secret: SECRET }, event);

    expect(received).toHaveLength(1);
    const [delivery] = received;
    expect(delivery?.method).toBe('POST');
    expect(delivery?.signatureValid).toBe(true);
    expect(delivery?.headers['content-type']).toBe('application/json');
    expect(delivery?.headers['user-agent']).toBe('Yardmaster');
    expect(delivery?.headers['x-yardmaster-event']).toBe('failed');
    expect(delivery?.headers['x-yardmaster-delivery']).toBe('901');
    expect(delivery?.headers['x-yardmaster-signature-256']).toBe(webhookSignature(SECRET, delivery?.body ?? ''));
    const body: unknown = JSON.parse(delivery?.body ?? 'null');
    expect(body).toEqual(eventJson(event));
    expect(body).toMatchObject({
      id: 901,
      event: 'failed',
      work_order: { id: 33, repo: 'Codertocat/Hello-World', number: 5 },
      at: '2026-05-01T12:00:00.000Z',
    });
  });

  it('rejects with the status, and without the secret, when the receiver answers 500', async () => {
    const error = await failure(sendWebhook({ url: `${base}/broken`, secret: SECRET }, event));

    expect(error.message).toContain('500');
    expect(error.message).not.toContain(SECRET);
    expect(received.map((delivery) => delivery.path)).toEqual(['/broken']);
  });

  it('does not follow a redirect', async () => {
    const error = await failure(sendWebhook({ url: `${base}/moved`, secret: SECRET }, event));

    expect(error.message).toContain('302');
    expect(received.map((delivery) => delivery.path)).toEqual(['/moved']);
  });

  it('refuses URLs that are not http or https, and URLs with credentials, without sending', async () => {
    const file = await failure(sendWebhook({ url: 'file:///etc/passwd', secret: SECRET }, event));
    expect(file.message).toMatch(/http: or https:/);
    expect(file.message).toContain('file:');

    const credentials = await failure(
      sendWebhook({ url: `http://alice:pa55word@127.0.0.1:1/ok`, secret: SECRET }, event),
    );
    expect(credentials.message).toMatch(/credentials/);
    expect(credentials.message).not.toContain('pa55word');

    const empty = await failure(sendWebhook({ url: `${base}/ok`, secret: '' }, event));
    expect(empty.message).toMatch(/empty secret/);

    expect(received).toEqual([]);
  });

  it('gives up on a receiver that does not answer in time', async () => {
    const error = await failure(sendWebhook({ url: `${base}/slow`, secret: SECRET }, event, { timeoutMs: 200 }));

    expect(error.message).toMatch(/timed out after 200 ms/);
    expect(received.map((delivery) => delivery.path)).toEqual(['/slow']);
  });

  it('names the network error when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address = closed.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    await new Promise<void>((resolve) =>
      closed.close(() => {
        resolve();
      }),
    );

    const error = await failure(
      sendWebhook({ url: `http://127.0.0.1:${address.port}/hook?token=${SECRET}`, secret: SECRET }, event),
    );

    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain(SECRET);
  });
});

describe('verifyWebhookSignature', () => {
  it('accepts only the signature of the exact body under the same secret', () => {
    const body = JSON.stringify(eventJson(event));
    const header = webhookSignature(SECRET, body);

    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(SECRET, body, header)).toBe(true);
    expect(verifyWebhookSignature(SECRET, Buffer.from(body), header)).toBe(true);
    expect(verifyWebhookSignature('other-secret', body, header)).toBe(false);
    expect(verifyWebhookSignature(SECRET, `${body} `, header)).toBe(false);
    expect(verifyWebhookSignature(SECRET, body, header.slice(0, -1))).toBe(false);
    expect(verifyWebhookSignature(SECRET, body, undefined)).toBe(false);
    expect(verifyWebhookSignature(SECRET, body, [header, header])).toBe(false);
  });

  it('matches a known HMAC-SHA256 value', () => {
    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    expect(webhookSignature('Jefe', 'what do ya want for nothing?')).toBe(
      'sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });
});
