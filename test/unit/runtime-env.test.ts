/** The process settings of the server and `yardmaster worker` (src/runtime/runtime-env.ts). */
import { describe, expect, it } from 'vitest';
import { parseRuntimeEnv } from '../../src/runtime/runtime-env.ts';

describe('parseRuntimeEnv', () => {
  it('defaults to the embedded database, one worker, pinned host keys only', () => {
    const result = parseRuntimeEnv({ HOME: '/home/ym', YARDMASTER_WORKERS: '' }, '/srv');
    expect(result).toEqual({
      ok: true,
      config: {
        database: { kind: 'pglite', dataDir: '/home/ym/.local/share/yardmaster/pglite' },
        workers: 1,
        configFile: undefined,
        acceptNewHostKeys: false,
        artifactsDir: '/home/ym/.cache/yardmaster/artifacts',
        cacheDir: '/home/ym/.cache/yardmaster/packages',
        publicUrl: undefined,
        pollSeconds: 2,
        policyFile: undefined,
        leaseMs: 30_000,
      },
    });
  });

  it('reads the lease of claims (YARDMASTER_LEASE_SECONDS) and refuses one out of bounds', () => {
    const result = parseRuntimeEnv({ HOME: '/home/ym', YARDMASTER_LEASE_SECONDS: '2.5' }, '/srv');
    expect(result.ok && result.config.leaseMs).toBe(2500);
    const refused = parseRuntimeEnv({ HOME: '/home/ym', YARDMASTER_LEASE_SECONDS: '0.2' }, '/srv');
    expect(refused.ok ? [] : refused.problems.join('\n')).toMatch(/YARDMASTER_LEASE_SECONDS/);
  });

  it('reads PostgreSQL, worker count, config file (relative to cwd), host-key policy and public URL', () => {
    const result = parseRuntimeEnv(
      {
        DATABASE_URL: 'postgres://ym@db:5432/ym',
        YARDMASTER_WORKERS: '0',
        YARDMASTER_CONFIG: 'conf/yardmaster.yml',
        YARDMASTER_ACCEPT_NEW_HOST_KEYS: 'true',
        YARDMASTER_PUBLIC_URL: 'https://ym.example.com/',
        YARDMASTER_DATA_DIR: '/ignored/with/a/url',
      },
      '/srv',
    );
    expect(result).toMatchObject({
      ok: true,
      config: {
        database: { kind: 'postgres', url: 'postgres://ym@db:5432/ym' },
        workers: 0,
        configFile: '/srv/conf/yardmaster.yml',
        acceptNewHostKeys: true,
        publicUrl: 'https://ym.example.com',
      },
    });
  });

  it('reads the policy file path, relative to cwd', () => {
    expect(parseRuntimeEnv({ HOME: '/home/ym', YARDMASTER_POLICY: 'etc/policy.yml' }, '/srv')).toMatchObject({
      ok: true,
      config: { policyFile: '/srv/etc/policy.yml' },
    });
    expect(
      parseRuntimeEnv({ HOME: '/home/ym', YARDMASTER_POLICY: '/etc/yardmaster/policy.yml' }, '/srv'),
    ).toMatchObject({ ok: true, config: { policyFile: '/etc/yardmaster/policy.yml' } });
  });

  it('names every bad setting', () => {
    const result = parseRuntimeEnv({
      DATABASE_URL: 'mysql://x',
      YARDMASTER_WORKERS: '-1',
      YARDMASTER_DATA_DIR: 'relative',
      YARDMASTER_ACCEPT_NEW_HOST_KEYS: 'maybe',
    });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems.map((problem) => problem.split(':')[0]);
    expect(problems.sort()).toEqual([
      'DATABASE_URL',
      'YARDMASTER_ACCEPT_NEW_HOST_KEYS',
      'YARDMASTER_DATA_DIR',
      'YARDMASTER_WORKERS',
    ]);
  });

  it('reads YARDMASTER_SECRETS_KEY (32 bytes, hex or base64) and stops on a bad one without repeating it', () => {
    const hex = 'ab'.repeat(32);
    const good = parseRuntimeEnv({ HOME: '/home/ym', YARDMASTER_SECRETS_KEY: hex }, '/srv');
    expect(good.ok && good.config.secretsKey?.bytes().toString('hex')).toBe(hex);
    const none = parseRuntimeEnv({ HOME: '/home/ym', YARDMASTER_SECRETS_KEY: '' }, '/srv');
    expect(none.ok && none.config.secretsKey).toBeUndefined();
    const bad = parseRuntimeEnv({ HOME: '/home/ym', YARDMASTER_SECRETS_KEY: 'hunter2-passphrase' }, '/srv');
    expect(bad).toEqual({
      ok: false,
      problems: [
        expect.stringMatching(/^YARDMASTER_SECRETS_KEY: must be 32 random bytes written as 64 hex digits or as base64/),
      ],
    });
    expect(JSON.stringify(bad)).not.toContain('hunter2');
  });
});
