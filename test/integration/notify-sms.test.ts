/**
 * Text messages through Twilio's Messages API, against a local stand-in that checks each request as Twilio does
 * (test/helpers/twilio-stand-in.ts): the sender alone (sent, refused for good, retried when busy), and key events
 * end to end — the account's SID and token read from the secret store for the order's repository and environment,
 * each event texted once to each number, a busy answer retried, and a plan refused while the credentials are missing.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HostEntry } from '../../src/config/types.ts';
import { createNotifyDeliverer } from '../../src/notify/deliver-notification.ts';
import { sendSms, SMS_MAX_CHARS, type TwilioAccount } from '../../src/notify/sms-sender.ts';
import { putSecret, SecretsKey, type SecretSource } from '../../src/policy/index.ts';
import {
  commentsMatching,
  formBody,
  githubRequestCheck,
  issueComment,
  issueOpened,
  repoConfigYaml,
  REPO_FULL_NAME,
  send,
  startHarness,
  type Harness,
} from '../helpers/github-workorder-harness.ts';
import { keyEvent } from '../helpers/key-events.ts';
import { startTwilioStandIn, twilioAccountSid, type TwilioStandIn } from '../helpers/twilio-stand-in.ts';
import { planComment, waitFor } from '../helpers/workorder-fixtures.ts';

const ACCOUNT_SID = twilioAccountSid();
const AUTH_TOKEN = randomBytes(16).toString('hex');
const SECRETS_KEY = new SecretsKey(randomBytes(32));
const HOSTS: HostEntry[] = [{ name: 'web-1', address: '10.0.0.1', port: 22, executor: 'ssh' }];

let twilio: TwilioStandIn;
let harness: Harness;
let nextComment = 70_000;

beforeAll(async () => {
  twilio = await startTwilioStandIn(new Map([[ACCOUNT_SID, AUTH_TOKEN]]));
  const sms = 'sms: { to: ["+15550001111", "+15550002222"], from: "+15557654321" }';
  harness = await startHarness({
    configYaml: repoConfigYaml(
      HOSTS,
      [
        `production: { hosts: [web], approvals: 1, approvers: [team:ops], notify: { events: [submitted, approved], ${sms} } }`,
        `staging: { hosts: [web], approvals: 1, approvers: [team:ops], notify: { ${sms} } }`,
      ].join('\n'),
    ),
    workDir: '/nonexistent',
    notify: { env: { TWILIO_API_URL: twilio.url } },
    secretsKey: SECRETS_KEY,
  });
  // Only production has the account in the store.
  for (const [name, value] of [
    ['TWILIO_ACCOUNT_SID', ACCOUNT_SID],
    ['TWILIO_AUTH_TOKEN', AUTH_TOKEN],
  ] as const) {
    await putSecret(
      harness.deps.db,
      SECRETS_KEY,
      { repo: REPO_FULL_NAME.toLowerCase(), environment: 'production', name },
      value,
      'cli:test',
    );
  }
}, 60_000);

afterAll(async () => {
  await harness?.close();
  await twilio?.close();
});

const account = (): TwilioAccount => ({ apiUrl: twilio.url, accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });

describe('sendSms', () => {
  it('sends To, From and Body with the account in Basic auth, and returns the message SID', async () => {
    const before = twilio.messages.length;
    const sent = await sendSms(account(), { to: '+15550003333', from: '+15557654321', body: 'shop: approved' });
    const message = twilio.messages.at(-1);
    expect(twilio.messages).toHaveLength(before + 1);
    expect(sent).toEqual({ ok: true, sid: message?.sid });
    expect(message).toMatchObject({
      account: ACCOUNT_SID,
      to: '+15550003333',
      from: '+15557654321',
      body: 'shop: approved',
    });
  });

  it('sends a Messaging Service SID as MessagingServiceSid, and cuts a long body to what Twilio takes', async () => {
    const service = `MG${'a'.repeat(32)}`;
    const sent = await sendSms(account(), { to: '+15550003333', from: service, body: 'x'.repeat(5_000) });
    expect(sent.ok).toBe(true);
    const message = twilio.messages.at(-1);
    expect(message?.messagingServiceSid).toBe(service);
    expect(message?.from).toBeUndefined();
    expect(message?.body).toHaveLength(SMS_MAX_CHARS);
    expect(message?.body.endsWith('…')).toBe(true);
  });

  it('comes back refused, with Twilio’s code and without the token, when Twilio refuses for good', async () => {
    const wrongToken = await sendSms(
      { ...account(), authToken: 'not-the-token' },
      { to: '+15550003333', from: '+15557654321', body: 'hello' },
    );
    expect(wrongToken.ok).toBe(false);
    expect(!wrongToken.ok && wrongToken.refused).toContain('HTTP 401 (Twilio error 20003)');
    expect(JSON.stringify(wrongToken)).not.toContain('not-the-token');

    const badNumber = await sendSms(account(), { to: '+1', from: '+15557654321', body: 'hello' });
    expect(!badNumber.ok && badNumber.refused).toMatch(/HTTP 400 \(Twilio error 21211\): The 'To' number \+1 is not/);

    const badSid = await sendSms(
      { ...account(), accountSid: 'nonsense' },
      { to: '+15550003333', from: 'x', body: 'y' },
    );
    expect(!badSid.ok && badSid.refused).toMatch(/account SID/);
  });

  it('throws on 429 and 503 so that the queue retries, and names the answer', async () => {
    twilio.failNext(1, 429);
    await expect(sendSms(account(), { to: '+15550003333', from: '+15557654321', body: 'a' })).rejects.toThrow(
      /HTTP 429 \(Twilio error 20429\)/,
    );
    twilio.failNext(1, 503);
    await expect(sendSms(account(), { to: '+15550003333', from: '+15557654321', body: 'a' })).rejects.toThrow(
      /HTTP 503/,
    );
  });
});

describe('the deliverer', () => {
  /** A store that holds `values` for any repository and environment, and records the names asked for. */
  function store(values: Record<string, string>, asked: string[][]): SecretSource {
    return {
      read(_repo, _environment, names) {
        asked.push([...names]);
        const missing = names.filter((name) => values[name] === undefined);
        if (missing.length > 0) return Promise.resolve({ ok: false, reason: 'missing', missing });
        return Promise.resolve({
          ok: true,
          values: Object.fromEntries(names.map((name) => [name, values[name] ?? ''])),
        });
      },
    };
  }
  const target = {
    kind: 'sms' as const,
    to: '+15550004444',
    from: '+15557654321',
    accountSidEnv: 'TWILIO_ACCOUNT_SID',
    authTokenEnv: 'TWILIO_AUTH_TOKEN',
  };

  it('drops the message, with a warning, when the credentials are not in the store, and never reads the server’s', async () => {
    const warnings: string[] = [];
    const asked: string[][] = [];
    const deliver = createNotifyDeliverer({
      env: { TWILIO_API_URL: twilio.url, TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN },
      secrets: store({ TWILIO_ACCOUNT_SID: ACCOUNT_SID }, asked),
      log: { warn: (_fields, message) => void warnings.push(message) },
    });
    const before = twilio.statuses.length;
    await deliver({ event: keyEvent(), target });
    expect(asked).toEqual([['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN']]);
    expect(warnings).toEqual(['text message dropped: Twilio credentials are not in the secret store']);
    expect(twilio.statuses).toHaveLength(before);
  });

  it('drops a message Twilio refuses for good, with a warning, instead of retrying it', async () => {
    const warnings: { fields: object; message: string }[] = [];
    const deliver = createNotifyDeliverer({
      env: { TWILIO_API_URL: twilio.url },
      secrets: store({ TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: 'wrong' }, []),
      log: { warn: (fields, message) => void warnings.push({ fields, message }) },
    });
    await deliver({ event: keyEvent(), target });
    expect(warnings.map((warning) => warning.message)).toEqual(['text message dropped']);
    expect(JSON.stringify(warnings)).toContain('Twilio error 20003');
    expect(twilio.statuses.at(-1)).toBe(401);
  });
});

describe('key events by text message', () => {
  afterEach(githubRequestCheck(() => harness));

  const plan = (environment: string, version: string): string =>
    planComment({
      environment,
      version,
      url: `https://artifacts.example.com/shop-${version}.tar.gz`,
      sha256: 'd'.repeat(64),
    });
  const textsAbout = (number: number): string[] =>
    twilio.messages
      .filter((message) => message.body.includes(`#${number})`))
      .map((message) => `${message.to} ${message.body.split('\n')[0] ?? ''}`);

  it('reach every number once per event, with the account from the secret store, retried while Twilio is busy', async () => {
    const answered = twilio.statuses.length;
    twilio.failNext(2, 429);
    await send(
      harness,
      'issues',
      issueOpened(
        401,
        'pam',
        formBody({ requirement: 'Ship', planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' }),
      ),
    );
    await send(harness, 'issue_comment', issueComment(401, nextComment++, 'carol', plan('production', '4.0.0')));
    await send(harness, 'issue_comment', issueComment(401, nextComment++, 'dave', '/approve'));
    await harness.notifications?.drain();

    await waitFor('four texts', () => Promise.resolve(textsAbout(401).length >= 4 ? true : undefined), 20_000);
    const subject = (kind: string): string => `[Yardmaster] shop 4.0.0 to production: ${kind} (${REPO_FULL_NAME}#401)`;
    expect(textsAbout(401).sort()).toEqual(
      [
        `+15550001111 ${subject('approved')}`,
        `+15550001111 ${subject('submitted')}`,
        `+15550002222 ${subject('approved')}`,
        `+15550002222 ${subject('submitted')}`,
      ].sort(),
    );
    const texts = twilio.messages.filter((message) => message.body.includes(`#401)`));
    expect(texts.every((message) => message.account === ACCOUNT_SID && message.from === '+15557654321')).toBe(true);
    expect(texts[0]?.body.split('\n')[1]).toMatch(/^https:\/\/yardmaster\.example\.com\//);
    expect(twilio.statuses.slice(answered).filter((status) => status === 429)).toHaveLength(2);
    // Once each, even after more passes of the fan-out.
    await harness.notifications?.drain();
    expect(textsAbout(401)).toHaveLength(4);
  });

  it('cannot be set up without the account in the store: the plan is refused and names both secrets', async () => {
    await send(
      harness,
      'issues',
      issueOpened(
        402,
        'pam',
        formBody({ requirement: 'Ship', planAuthor: 'carol', deployer: 'dave', acceptor: 'pam' }),
      ),
    );
    await send(harness, 'issue_comment', issueComment(402, nextComment++, 'carol', plan('staging', '4.1.0')));
    const [reply] = await commentsMatching(harness, 402, /TWILIO_AUTH_TOKEN/);
    expect(reply).toContain('apps.shop.environments.staging.notify.sms.account_sid_env');
    expect(reply).toContain(
      `secret TWILIO_ACCOUNT_SID is not in Yardmaster's secret store for ${REPO_FULL_NAME} (staging)`,
    );
    expect(reply).toContain('apps.shop.environments.staging.notify.sms.auth_token_env');
    expect(reply).not.toContain(AUTH_TOKEN);
  });
});
