/**
 * Finding 7, Slack bodies: the Slack route (Bolt's HTTP receiver on the server's one HTTP server) read bodies up to
 * Bolt's own 4 MB before checking the signature. Now the server reads them first, at most 1 MiB: a correctly signed
 * Events API request padded to 3 MiB was answered (its challenge echoed) before the fix and is refused with 413 now,
 * by its Content-Length and as a chunked body; an ordinary request still gets its answer.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry } from '../../src/config/types.ts';
import { SLACK_MAX_BYTES } from '../../src/http/body-limit.ts';
import { repoConfigYaml, startHarness, type Harness } from '../helpers/github-workorder-harness.ts';
import { rawPost } from '../helpers/raw-post.ts';
import { startSlackApiRecorder, type SlackApiRecorder } from '../helpers/slack-api-recorder.ts';
import { postEvent, slackSignature } from '../helpers/slack-requests.ts';

const HOSTS: HostEntry[] = [{ name: 'web-1', address: '127.0.0.1', port: 22, executor: 'ssh' }];
const SECRET = randomBytes(16).toString('hex');
const CHALLENGE = { token: 'legacy-verification-token', challenge: 'c0ffee-challenge', type: 'url_verification' };

let recorder: SlackApiRecorder;
let harness: Harness;

beforeAll(async () => {
  recorder = await startSlackApiRecorder();
  harness = await startHarness({
    configYaml: repoConfigYaml(HOSTS, 'production: { hosts: [web], approvals: 1 }'),
    workDir: '/nonexistent',
    slack: { apiUrl: recorder.url, signingSecret: SECRET },
  });
}, 60_000);

afterAll(async () => {
  await harness?.close();
  await recorder?.close();
});

/** The url_verification challenge padded with spaces to `size` bytes, signed now. */
function padded(size: number): { body: Buffer; headers: Record<string, string> } {
  const body = Buffer.alloc(size, ' ');
  body.write(JSON.stringify(CHALLENGE), 0, 'utf8');
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(SECRET, timestamp, body.toString('utf8')),
    },
  };
}

describe('finding 7: Slack bodies above 1 MiB', () => {
  it('refuses a signed 3 MiB request with 413, by Content-Length and chunked', async () => {
    const url = new URL('/slack/events', harness.app.server.url);
    const { body, headers } = padded(3 * 1024 * 1024);
    for (const chunked of [false, true]) {
      const answer = await rawPost(url, headers, body, chunked);
      expect(answer.response).toMatch(/^HTTP\/1\.1 413 /);
      expect(answer.response).toContain(`at most ${SLACK_MAX_BYTES} bytes`);
      expect(answer.response).not.toContain('c0ffee-challenge');
    }
  });

  it('still answers ordinary signed requests, padded to just under the limit too', async () => {
    const events = new URL('/slack/events', harness.app.server.url);
    const answered = await postEvent(events.toString(), SECRET, CHALLENGE);
    expect(answered.status).toBe(200);
    expect(await answered.text()).toContain('c0ffee-challenge');
    const { body, headers } = padded(SLACK_MAX_BYTES - 1024);
    const answer = await rawPost(events, headers, body, true);
    expect(answer.response).toMatch(/^HTTP\/1\.1 200 /);
  });
});
