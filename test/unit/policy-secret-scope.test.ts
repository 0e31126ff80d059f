/** What names a secret and what value it may hold (src/policy/secret-scope.ts), and which secrets a config needs. */
import { describe, expect, it } from 'vitest';
import { requiredSecrets } from '../../src/policy/secret-requirements.ts';
import { MAX_SECRET_BYTES, parseListScope, parseSecretScope, parseSecretValue } from '../../src/policy/secret-scope.ts';

describe('parseSecretScope', () => {
  it('keys the repository in lower case, as GitHub compares it', () => {
    expect(parseSecretScope({ repo: 'Acme/Shop.API', environment: 'production', name: 'DB_PASSWORD' })).toEqual({
      ok: true,
      scope: { repo: 'acme/shop.api', environment: 'production', name: 'DB_PASSWORD' },
    });
  });

  it('refuses names the config could never use, and says which argument is wrong', () => {
    const bad = parseSecretScope({ repo: 'acme', environment: 'prod uction', name: '1ABC' });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.message).toMatch(/^--repo: expected a repository as owner\/name/m);
    expect(bad.message).toMatch(/^--env: /m);
    expect(bad.message).toMatch(/^NAME: expected a variable name/m);
    expect(parseSecretScope({ repo: 'acme/shop', environment: 'prod', name: 'YM_VERSION' }).ok).toBe(false);
    expect(parseSecretScope({ repo: 'acme/..', environment: 'prod', name: 'A' }).ok).toBe(false);
    expect(parseSecretScope({ repo: 'acme/shop/x', environment: 'prod', name: 'A' }).ok).toBe(false);
  });

  it('lists one repository, with or without an environment', () => {
    expect(parseListScope('Acme/Shop', undefined)).toEqual({ ok: true, repo: 'acme/shop', environment: undefined });
    expect(parseListScope('Acme/Shop', 'staging')).toEqual({ ok: true, repo: 'acme/shop', environment: 'staging' });
    expect(parseListScope('acme', undefined).ok).toBe(false);
  });
});

describe('parseSecretValue', () => {
  it('drops one trailing newline and keeps everything else', () => {
    expect(parseSecretValue(Buffer.from('hunter2\n'))).toEqual({ ok: true, value: 'hunter2' });
    expect(parseSecretValue(Buffer.from('hunter2\r\n'))).toEqual({ ok: true, value: 'hunter2' });
    expect(parseSecretValue(Buffer.from('line 1\nline 2\n\n'))).toEqual({ ok: true, value: 'line 1\nline 2\n' });
  });

  it('refuses empty, oversized, non-UTF-8 and NUL-holding values', () => {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest's asymmetric matchers are typed any
    expect(parseSecretValue(Buffer.from('\n'))).toMatchObject({ ok: false, message: expect.stringMatching(/empty/) });

    expect(parseSecretValue(Buffer.alloc(MAX_SECRET_BYTES + 1, 'a'))).toMatchObject({
      ok: false,
      // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest's asymmetric matchers are typed any
      message: expect.stringMatching(/larger than 65536 bytes/),
    });
    expect(parseSecretValue(Buffer.alloc(MAX_SECRET_BYTES, 'a')).ok).toBe(true);

    expect(parseSecretValue(Buffer.from([0xff, 0xfe, 0x41]))).toMatchObject({
      ok: false,
      // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest's asymmetric matchers are typed any
      message: expect.stringMatching(/UTF-8/),
    });
    // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- vitest's asymmetric matchers are typed any
    expect(parseSecretValue(Buffer.from('a\0b'))).toMatchObject({ ok: false, message: expect.stringMatching(/NUL/) });
  });
});

describe('requiredSecrets', () => {
  it('lists secret_env names and notify webhook keys with the config field naming each', () => {
    const environment = {
      secretEnv: ['DB_PASSWORD', 'API_TOKEN'],
      notify: {
        events: [],
        slack: [],
        email: [],
        webhooks: [{ url: 'https://hooks.example.com/a', secretEnv: 'HOOK_KEY' }],
      },
    };
    expect(requiredSecrets('shop', 'production', environment)).toEqual([
      { name: 'DB_PASSWORD', path: 'apps.shop.environments.production.secret_env[0]' },
      { name: 'API_TOKEN', path: 'apps.shop.environments.production.secret_env[1]' },
      { name: 'HOOK_KEY', path: 'apps.shop.environments.production.notify.webhooks[0].secret_env' },
    ]);
    expect(requiredSecrets('shop', 'staging', { secretEnv: [] })).toEqual([]);
  });

  it('lists the Twilio account SID and token secrets of notify.sms', () => {
    const sms = { to: ['+15550001111'], from: '+15557654321', accountSidEnv: 'TW_SID', authTokenEnv: 'TW_TOKEN' };
    expect(
      requiredSecrets('shop', 'production', {
        secretEnv: ['DB_PASSWORD'],
        notify: { events: [], slack: [], email: [], webhooks: [], sms },
      }),
    ).toEqual([
      { name: 'DB_PASSWORD', path: 'apps.shop.environments.production.secret_env[0]' },
      { name: 'TW_SID', path: 'apps.shop.environments.production.notify.sms.account_sid_env' },
      { name: 'TW_TOKEN', path: 'apps.shop.environments.production.notify.sms.auth_token_env' },
    ]);
  });

  it("adds the keys of the app's project's notify webhooks, each environment of its apps needing them", () => {
    const project = {
      name: 'store',
      notify: {
        events: [],
        slack: [],
        email: [],
        webhooks: [{ url: 'https://hooks.example.com/store', secretEnv: 'STORE_HOOK_KEY' }],
      },
    };
    expect(requiredSecrets('shop', 'staging', { secretEnv: ['DB_PASSWORD'] }, project)).toEqual([
      { name: 'DB_PASSWORD', path: 'apps.shop.environments.staging.secret_env[0]' },
      { name: 'STORE_HOOK_KEY', path: 'projects.store.notify.webhooks[0].secret_env' },
    ]);
    expect(requiredSecrets('shop', 'staging', { secretEnv: [] }, { name: 'store' })).toEqual([]);
  });
});
