/**
 * A notify webhook's signing key comes from the secret store for the event's repository and environment, never from
 * the server's environment (src/notify/deliver-notification.ts), even when the config names a server variable.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifyDeliverer } from '../../src/notify/deliver-notification.ts';
import { verifyWebhookSignature } from '../../src/notify/webhook-sender.ts';
import type { SecretReadResult, SecretSource } from '../../src/policy/index.ts';
import { keyEvent } from '../helpers/key-events.ts';

const SERVER_ENV = { PRIVATE_KEY: 'server-private-key', SMTP_URL: '' };

let server: Server;
let url: string;
const signatures: { body: string; signature: string }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const header = request.headers['x-yardmaster-signature-256'];
      signatures.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: typeof header === 'string' ? header : '',
      });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  url = `http://127.0.0.1:${address.port}/hook`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
});

/** A store holding `values` for Codertocat/Hello-World production, recording what was asked. */
function store(values: Record<string, string>, asked: string[][]): SecretSource {
  return {
    read(repo, environment, names): Promise<SecretReadResult> {
      asked.push([repo, environment, ...names]);
      const missing = names.filter(
        (name) => values[name] === undefined || repo !== 'Codertocat/Hello-World' || environment !== 'production',
      );
      if (missing.length > 0) return Promise.resolve({ ok: false, reason: 'missing', missing });
      return Promise.resolve({ ok: true, values: Object.fromEntries(names.map((name) => [name, values[name] ?? ''])) });
    },
  };
}

describe('webhook signing keys', () => {
  it('are read from the store for the event repository and environment, and sign the delivery', async () => {
    const asked: string[][] = [];
    const warnings: string[] = [];
    const deliver = createNotifyDeliverer({
      env: SERVER_ENV,
      secrets: store({ PRIVATE_KEY: 'stored-hook-key' }, asked),
      log: { warn: (_fields, message) => void warnings.push(message) },
    });
    signatures.length = 0;
    await deliver({ event: keyEvent(), target: { kind: 'webhook', url, secretEnv: 'PRIVATE_KEY' } });
    expect(asked).toEqual([['Codertocat/Hello-World', 'production', 'PRIVATE_KEY']]);
    expect(signatures).toHaveLength(1);
    const [delivery] = signatures;
    expect(verifyWebhookSignature('stored-hook-key', delivery?.body ?? '', delivery?.signature)).toBe(true);
    expect(verifyWebhookSignature(SERVER_ENV.PRIVATE_KEY, delivery?.body ?? '', delivery?.signature)).toBe(false);
    expect(warnings).toEqual([]);
  });

  it('missing from the store: the delivery is dropped with a warning, the server variable of that name is never used', async () => {
    const asked: string[][] = [];
    const warnings: { fields: object; message: string }[] = [];
    const deliver = createNotifyDeliverer({
      env: SERVER_ENV,
      secrets: store({}, asked),
      log: { warn: (fields, message) => void warnings.push({ fields, message }) },
    });
    signatures.length = 0;
    await deliver({ event: keyEvent(), target: { kind: 'webhook', url, secretEnv: 'PRIVATE_KEY' } });
    await deliver({
      event: keyEvent({ environment: null }),
      target: { kind: 'webhook', url, secretEnv: 'PRIVATE_KEY' },
    });
    expect(signatures).toEqual([]);
    expect(warnings.map((warning) => warning.message)).toEqual([
      'webhook notification dropped: its key is not in the secret store',
      'webhook notification dropped: the order has no environment to take its key from',
    ]);
    expect(JSON.stringify(warnings)).not.toContain(SERVER_ENV.PRIVATE_KEY);
  });
});
