/** Sealing secret values (src/policy/secret-seal.ts) and parsing YARDMASTER_SECRETS_KEY (src/policy/secret-key.ts). */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseSecretsKey, SecretsKey, secretsKeyFromEnv } from '../../src/policy/secret-key.ts';
import { openSecret, sealSecret } from '../../src/policy/secret-seal.ts';

const key = new SecretsKey(randomBytes(32));
const other = new SecretsKey(randomBytes(32));
const scope = { repo: 'acme/shop', environment: 'production', name: 'DATABASE_PASSWORD' };

/** Flips one bit of one base64url part of a sealed value. */
function flipBit(sealed: string, part: 1 | 2 | 3): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[part] ?? '', 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe('sealSecret / openSecret', () => {
  it('round-trips a value, multi-line and non-ASCII included', () => {
    for (const value of [
      'hunter2',
      '-----BEGIN KEY-----\nabc\n-----END KEY-----',
      'pässwörd ✓',
      'x'.repeat(64 * 1024),
    ]) {
      const sealed = sealSecret(key, scope, value);
      expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{22}$/);
      expect(sealed).not.toContain(value.slice(0, 6));
      expect(openSecret(key, scope, sealed)).toBe(value);
    }
  });

  it('uses a fresh nonce for every value: the same value seals differently', () => {
    const sealed = new Set(Array.from({ length: 20 }, () => sealSecret(key, scope, 'same')));
    expect(sealed.size).toBe(20);
    expect(new Set([...sealed].map((text) => text.split('.')[1])).size).toBe(20);
  });

  it('does not open with another key', () => {
    expect(openSecret(other, scope, sealSecret(key, scope, 'hunter2'))).toBeUndefined();
  });

  it('does not open once the nonce, the ciphertext or the tag is changed, or the tag is cut short', () => {
    const sealed = sealSecret(key, scope, 'hunter2');
    expect(openSecret(key, scope, flipBit(sealed, 1))).toBeUndefined();
    expect(openSecret(key, scope, flipBit(sealed, 2))).toBeUndefined();
    expect(openSecret(key, scope, flipBit(sealed, 3))).toBeUndefined();
    const parts = sealed.split('.');
    const shortTag = [
      parts[0],
      parts[1],
      parts[2],
      Buffer.from(parts[3] ?? '', 'base64url')
        .subarray(0, 12)
        .toString('base64url'),
    ].join('.');
    expect(openSecret(key, scope, shortTag)).toBeUndefined();
    expect(openSecret(key, scope, `v2${sealed.slice(2)}`)).toBeUndefined();
    expect(openSecret(key, scope, `${sealed}.extra`)).toBeUndefined();
    expect(openSecret(key, scope, 'hunter2')).toBeUndefined();
  });

  it('is bound to its repository, environment and name: a row moved elsewhere does not open', () => {
    const sealed = sealSecret(key, scope, 'hunter2');
    expect(openSecret(key, { ...scope, repo: 'evil/shop' }, sealed)).toBeUndefined();
    expect(openSecret(key, { ...scope, environment: 'staging' }, sealed)).toBeUndefined();
    expect(openSecret(key, { ...scope, name: 'API_TOKEN' }, sealed)).toBeUndefined();
    // The binding is unambiguous: shifting text between the fields does not make the same data.
    const split = sealSecret(key, { repo: 'a/b', environment: 'cd', name: 'E' }, 'v');
    expect(openSecret(key, { repo: 'a/bc', environment: 'd', name: 'E' }, split)).toBeUndefined();
  });
});

describe('parseSecretsKey', () => {
  const bytes = randomBytes(32);

  it('accepts 32 bytes as 64 hex digits, standard base64 or URL-safe base64 (padding optional), the same key', () => {
    const forms = [
      bytes.toString('hex'),
      bytes.toString('hex').toUpperCase(),
      bytes.toString('base64'),
      bytes.toString('base64url'),
      `${bytes.toString('base64')}\n`,
    ];
    const ids = forms.map((form) => {
      const parsed = parseSecretsKey(form);
      if (!parsed.ok) throw new Error(parsed.message);
      expect(parsed.key.bytes().equals(bytes)).toBe(true);
      return parsed.key.id;
    });
    expect(new Set(ids).size).toBe(1);
  });

  it('refuses other lengths and passphrases with a message that says what is expected and not the value', () => {
    for (const raw of [
      randomBytes(16).toString('base64'),
      randomBytes(33).toString('hex'),
      'correct horse battery staple',
      'short',
    ]) {
      const parsed = parseSecretsKey(raw);
      expect(parsed.ok).toBe(false);
      if (parsed.ok) continue;
      expect(parsed.message).toMatch(
        /YARDMASTER_SECRETS_KEY must be 32 random bytes written as 64 hex digits or as base64/,
      );
      expect(parsed.message).not.toContain(raw.trim());
    }
  });

  it('reads the variable from an environment: unset or empty is no key', () => {
    expect(secretsKeyFromEnv({})).toBeUndefined();
    expect(secretsKeyFromEnv({ YARDMASTER_SECRETS_KEY: ' ' })).toBeUndefined();
    expect(secretsKeyFromEnv({ YARDMASTER_SECRETS_KEY: bytes.toString('hex') })?.ok).toBe(true);
    expect(secretsKeyFromEnv({ YARDMASTER_SECRETS_KEY: 'nope' })?.ok).toBe(false);
  });

  it('never shows the key bytes in JSON, util.inspect or a template string', () => {
    const parsed = parseSecretsKey(bytes.toString('hex'));
    if (!parsed.ok) throw new Error(parsed.message);
    const shown = [JSON.stringify({ key: parsed.key }), inspect({ key: parsed.key }), String(parsed.key)].join('\n');
    for (const encoding of ['hex', 'base64', 'base64url'] as const)
      expect(shown).not.toContain(bytes.toString(encoding).slice(0, 12));
    expect(shown).toContain(parsed.key.id);
  });
});
