import { describe, expect, it } from 'vitest';
import { parseSlackEnv } from '../../src/slack/slack-env.ts';

describe('Slack settings from the environment', () => {
  it('is off without a token and a signing secret', () => {
    expect(parseSlackEnv({})).toEqual({ ok: true, settings: { enabled: false } });
    expect(parseSlackEnv({ SLACK_BOT_TOKEN: '  ', SLACK_SIGNING_SECRET: '' })).toEqual({
      ok: true,
      settings: { enabled: false },
    });
  });

  it('needs both, and says which is missing without showing any value', () => {
    const missingSecret = parseSlackEnv({ SLACK_BOT_TOKEN: 'xoxb-secret-value' });
    expect(missingSecret).toEqual({
      ok: false,
      problems: [
        'SLACK_SIGNING_SECRET: required when SLACK_BOT_TOKEN is set without SLACK_APP_TOKEN (requests are verified with it)',
      ],
    });
    expect(parseSlackEnv({ SLACK_SIGNING_SECRET: 's' })).toEqual({
      ok: false,
      problems: ['SLACK_BOT_TOKEN: required when SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set'],
    });
    expect(parseSlackEnv({ SLACK_APP_TOKEN: 'xapp-1' })).toEqual({
      ok: false,
      problems: ['SLACK_BOT_TOKEN: required when SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set'],
    });
    const wrongKind = parseSlackEnv({ SLACK_BOT_TOKEN: 'xoxp-user-token-value', SLACK_SIGNING_SECRET: 's' });
    expect(wrongKind.ok).toBe(false);
    expect(JSON.stringify(wrongKind)).not.toContain('user-token-value');
  });

  it('runs over HTTP, or Socket Mode with an app token, against slack.com unless told otherwise', () => {
    expect(parseSlackEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' })).toEqual({
      ok: true,
      settings: {
        enabled: true,
        botToken: 'xoxb-1',
        signingSecret: 's',
        appToken: undefined,
        apiUrl: 'https://slack.com/api/',
      },
    });
    const socket = parseSlackEnv({
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_APP_TOKEN: 'xapp-1',
      SLACK_API_URL: 'http://127.0.0.1:9/api',
    });
    expect(socket).toMatchObject({
      ok: true,
      settings: { appToken: 'xapp-1', signingSecret: '', apiUrl: 'http://127.0.0.1:9/api/' },
    });
  });
});
