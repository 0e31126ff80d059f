/**
 * Finding 9 (Slack): `/yardmaster status` listed every repository Yardmaster knows to anyone in any workspace the
 * Slack app answers. Two repositories map two workspaces in their `.github/yardmaster.yml` (`slack.team`); signed
 * slash commands go through Bolt's HTTP receiver to the real command handler.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { defaultPolicySource } from '../../src/policy/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRepoConfig } from '../../src/config/parse-config.ts';
import { createSlackApp, type SlackApp } from '../../src/slack/create-slack-app.ts';
import type { ConfigLoader } from '../../src/dispatch/worker-context.ts';
import { HIDDEN_REPO, READABLE_REPO, seedDashboardHistory } from '../helpers/dashboard-seed.ts';
import { openTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startSlackApiRecorder, type SlackApiRecorder } from '../helpers/slack-api-recorder.ts';
import { postSlashCommand } from '../helpers/slack-requests.ts';

const SECRET = randomBytes(16).toString('hex');
/** acme/shop is run from workspace TSHOP, acme/secret-ledger from workspace TLEDGER. */
const CONFIGS: Record<string, string> = {
  [READABLE_REPO]: 'slack: { team: TSHOP, channel: C0SHOP, users: { pam: U0PAM } }\n',
  [HIDDEN_REPO]: 'slack: { team: TLEDGER, channel: C0LEDGER }\n',
};
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
let test: TestDatabase;
let slack: SlackApp;
let http: Server;
let events: string;
let recorder: SlackApiRecorder;

const loadConfig: ConfigLoader = ({ repoFullName }) => {
  const text = CONFIGS[repoFullName];
  if (text === undefined) return Promise.resolve({ ok: false, message: `no config for ${repoFullName}` });
  const parsed = parseRepoConfig(text);
  return Promise.resolve(
    parsed.ok ? { ok: true, config: parsed.value } : { ok: false, message: JSON.stringify(parsed.issues) },
  );
};

async function status(fields: { team: string; channel: string; user: string }): Promise<string> {
  const response = await postSlashCommand(events, SECRET, { ...fields, text: 'status' });
  expect(response.status).toBe(200);
  const answer = (await response.json()) as { response_type?: string; text?: string; blocks?: unknown };
  expect(answer.response_type).toBe('ephemeral');
  return JSON.stringify(answer);
}

beforeAll(async () => {
  test = await openTestDatabase('postgres');
  await seedDashboardHistory(test.database.db);
  recorder = await startSlackApiRecorder();
  slack = createSlackApp(
    { enabled: true, botToken: 'xoxb-test', signingSecret: SECRET, appToken: undefined, apiUrl: recorder.url },
    quiet,
  );
  await slack.start(
    {
      service: {
        db: test.database.db,
        queue: {
          send: () => Promise.reject(new Error('no queue')),
          cancel: () => Promise.reject(new Error('no queue')),
        },
        policy: defaultPolicySource({ artifactsDir: '/nonexistent' }),
      },
      slack: slack.client,
      githubFor: () => Promise.reject(new Error('no GitHub in this test')),
      loadConfig,
      publicUrl: 'http://yardmaster.test',
      githubWebUrl: 'https://github.com',
      log: quiet,
    },
    () => undefined,
  );
  const listener = slack.requestListener;
  if (listener === undefined) throw new Error('not in HTTP mode');
  http = createServer(listener);
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  events = `http://127.0.0.1:${(http.address() as AddressInfo).port}/slack/events`;
});

afterAll(async () => {
  http?.close();
  await slack?.stop();
  await recorder?.close();
  await test?.cleanup();
});

describe('finding 9: /yardmaster status lists only the repositories mapped to the asking workspace', () => {
  it("answers workspace TSHOP about acme/shop and never about workspace TLEDGER's acme/secret-ledger", async () => {
    const answer = await status({ team: 'TSHOP', channel: 'C0SHOP', user: 'U0PAM' });
    expect(answer).toContain(`${READABLE_REPO} shop/production`);
    expect(answer).not.toContain(HIDDEN_REPO);
    expect(answer).not.toContain('ledger');
  });

  it('answers a workspace no repository names with no repository at all', async () => {
    const answer = await status({ team: 'TOTHER', channel: 'C0SHOP', user: 'U0PAM' });
    expect(answer).not.toContain(READABLE_REPO);
    expect(answer).not.toContain(HIDDEN_REPO);
  });

  it('within the right workspace, answers only in a channel the config names or to a member it maps', async () => {
    const stranger = await status({ team: 'TSHOP', channel: 'C0RANDOM', user: 'U0STRANGER' });
    expect(stranger).not.toContain(READABLE_REPO);
    expect(stranger).toContain('slack: { team: TSHOP, channel: <channel id> }');
    expect(await status({ team: 'TSHOP', channel: 'C0RANDOM', user: 'U0PAM' })).toContain(READABLE_REPO);
  });

  it("answers in workspace TLEDGER's channel about acme/secret-ledger only", async () => {
    const answer = await status({ team: 'TLEDGER', channel: 'C0LEDGER', user: 'U0LEDGERCLERK' });
    expect(answer).toContain(HIDDEN_REPO);
    expect(answer).not.toContain(READABLE_REPO);
  });
});
