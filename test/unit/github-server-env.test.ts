import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerEnv } from '../../src/server/env.ts';
import { loadPrivateKey } from '../../src/server/private-key.ts';
import { generateAppPrivateKey } from '../helpers/github-app-server.ts';

describe('parseServerEnv', () => {
  it('runs the setup flow when there is no APP_ID (empty counts as unset)', () => {
    expect(parseServerEnv({ APP_ID: '', PORT: '' })).toEqual({
      ok: true,
      config: { mode: 'setup', port: 3000, host: undefined, logLevel: 'info' },
    });
  });

  it('reads a configured App', () => {
    const result = parseServerEnv({
      APP_ID: '42',
      PRIVATE_KEY_PATH: '/run/secrets/app.pem',
      WEBHOOK_SECRET: 's',
      PORT: '8080',
      HOST: '0.0.0.0',
      GITHUB_API_URL: 'https://ghe.example.com/api/v3/',
    });
    expect(result).toEqual({
      ok: true,
      config: {
        mode: 'app',
        port: 8080,
        host: '0.0.0.0',
        logLevel: 'info',
        appId: 42,
        privateKey: { kind: 'file', path: '/run/secrets/app.pem' },
        webhookSecret: 's',
        webhookPath: '/api/github/webhooks',
        githubApiUrl: 'https://ghe.example.com/api/v3',
      },
    });
  });

  it('says what is wrong, all at once', () => {
    expect(parseServerEnv({ APP_ID: 'abc', PORT: '70000', GITHUB_API_URL: 'ftp://x' })).toEqual({
      ok: false,
      problems: [
        expect.stringMatching(/^PORT: /),
        expect.stringMatching(/^APP_ID: must be the App's numeric id/),
        expect.stringMatching(/^GITHUB_API_URL: /),
      ],
    });
    expect(parseServerEnv({ APP_ID: '1', PRIVATE_KEY: 'k', PRIVATE_KEY_PATH: 'p', WEBHOOK_SECRET: 's' })).toEqual({
      ok: false,
      problems: ['PRIVATE_KEY, PRIVATE_KEY_PATH: set one of them, not both'],
    });
  });
});

describe('loadPrivateKey', () => {
  const pem = generateAppPrivateKey();
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ym-key-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('takes PEM as is, with its newlines escaped, or in base64', async () => {
    for (const text of [pem, pem.replaceAll('\n', '\\n'), `"${pem}"`, Buffer.from(pem).toString('base64')]) {
      expect(await loadPrivateKey({ kind: 'inline', text })).toEqual({ ok: true, pem: pem.trim() });
    }
  });

  it('reads a key file', async () => {
    const path = join(dir, 'app.pem');
    await writeFile(path, pem, { mode: 0o600 });
    expect(await loadPrivateKey({ kind: 'file', path })).toMatchObject({ ok: true });
  });

  it('refuses what is not a usable key, naming the variable', async () => {
    expect(await loadPrivateKey({ kind: 'inline', text: 'hunter2' })).toEqual({
      ok: false,
      problem: 'PRIVATE_KEY: not a PEM private key (nor base64 of one)',
    });
    const broken = pem.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAA');
    expect(await loadPrivateKey({ kind: 'inline', text: broken })).toEqual({
      ok: false,
      problem: 'PRIVATE_KEY: the PEM does not hold a usable private key',
    });
    expect(await loadPrivateKey({ kind: 'file', path: join(dir, 'missing.pem') })).toEqual({
      ok: false,
      problem: `PRIVATE_KEY_PATH (${join(dir, 'missing.pem')}): cannot be read (ENOENT)`,
    });
  });
});
