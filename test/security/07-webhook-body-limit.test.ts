/**
 * Finding 7, webhook bodies: Probot's middleware buffers a whole request body before it checks the signature, so
 * anyone who can reach the webhook port made the server hold whatever they sent. Through the real App server (Probot,
 * the routed node:http server) with a correctly signed, whitespace-padded example payload: before the fix a 30 MB
 * delivery (Content-Length) and a 48 MB chunked one were read to the last byte and handed to the app; now both are
 * refused with 413 before the client has even finished sending, and nothing reaches the app. Ordinary deliveries
 * still arrive.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_MAX_BYTES } from '../../src/http/body-limit.ts';
import { startTestApp, type TestApp } from '../helpers/github-app-server.ts';
import { startFakeGitHubApi, type FakeGitHubApi } from '../helpers/github-fake-api.ts';
import { deliver, examplePayload, signDelivery } from '../helpers/github-webhooks.ts';
import { rawPost, type RawAnswer } from '../helpers/raw-post.ts';

let fake: FakeGitHubApi;
let app: TestApp;
const received: string[] = [];

beforeAll(async () => {
  fake = await startFakeGitHubApi();
  app = await startTestApp(fake, {
    app: (probot) => {
      probot.onAny((context) => {
        received.push(context.id);
        return Promise.resolve();
      });
    },
  });
});

afterAll(async () => {
  await app?.close();
  await fake?.close();
});

/** A signed `issues.opened` example padded with spaces to `size` bytes (still valid JSON). */
function paddedDelivery(size: number): { body: Buffer; signature: string } {
  const json = JSON.stringify(examplePayload('issues', 'opened'));
  const body = Buffer.alloc(size, ' ');
  body.write(json, 0, 'utf8');
  return { body, signature: signDelivery(body.toString('utf8'), app.secret) };
}

/** POSTs a padded delivery over a plain socket (see rawPost). */
function post(id: string, signature: string, body: Buffer, chunked: boolean): Promise<RawAnswer> {
  const headers = {
    'content-type': 'application/json',
    'x-github-event': 'issues',
    'x-github-delivery': id,
    'x-hub-signature-256': signature,
  };
  return rawPost(new URL('/api/github/webhooks', app.server.url), headers, body, chunked);
}

describe('finding 7: webhook bodies above GitHub’s 25 MB', () => {
  it('refuses a 30 MB delivery by its Content-Length with 413, before the body is sent', async () => {
    const { body, signature } = paddedDelivery(30 * 1024 * 1024);
    const answer = await post('too-large-declared', signature, body, false);
    expect(answer.response).toMatch(/^HTTP\/1\.1 413 /);
    // The server answered without waiting for the body: most of it was never handed over.
    expect(answer.sentAtAnswer).toBeLessThan(answer.total);
    expect(received).not.toContain('too-large-declared');
  });

  it('refuses a chunked delivery with 413 once 25 MB have come in, without reading the rest', async () => {
    const { body, signature } = paddedDelivery(48 * 1024 * 1024);
    const answer = await post('too-large-chunked', signature, body, true);
    expect(answer.response).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.sentAtAnswer).toBeGreaterThan(WEBHOOK_MAX_BYTES - 16 * 1024 * 1024);
    expect(answer.sentAtAnswer).toBeLessThan(answer.total);
    expect(received).not.toContain('too-large-chunked');
  });

  it('still takes an ordinary signed delivery, and one padded to just under the limit', async () => {
    const small = await deliver(
      { url: app.server.url },
      { event: 'issues', payload: examplePayload('issues', 'opened'), secret: app.secret, id: 'ordinary' },
    );
    expect(small.status).toBe(200);
    const { body, signature } = paddedDelivery(WEBHOOK_MAX_BYTES - 1024);
    const answer = await post('just-under', signature, body, true);
    expect(answer.response).toMatch(/^HTTP\/1\.1 200 /);
    expect(received).toEqual(expect.arrayContaining(['ordinary', 'just-under']));
  });
});
