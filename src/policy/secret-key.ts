/**
 * `YARDMASTER_SECRETS_KEY`: the key that seals the secret store. Exactly 32 random bytes, written as 64 hex digits
 * or as base64 (standard or URL-safe, padding optional), e.g. `openssl rand -base64 32` or `openssl rand -hex 32`.
 * A passphrase is refused rather than stretched: a key with less than 256 bits of entropy would make every sealed
 * value as weak as the guess of one word.
 */
import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';

/** The name of the variable the server, the workers and `yardmaster secrets` read the key from. */
export const SECRETS_KEY_VARIABLE = 'YARDMASTER_SECRETS_KEY';

const KEY_BYTES = 32;

/**
 * A parsed key. Its bytes are kept out of JSON, `util.inspect` and string conversion, so that a key passed around in
 * a settings object never lands in a log line by accident.
 */
export class SecretsKey {
  readonly #bytes: Buffer;
  /** Names the key without revealing it (the first 8 bytes of an HMAC of a fixed label): stored with each value. */
  readonly id: string;

  constructor(bytes: Buffer) {
    if (bytes.length !== KEY_BYTES) throw new RangeError(`a secrets key is ${KEY_BYTES} bytes, not ${bytes.length}`);
    this.#bytes = Buffer.from(bytes);
    this.id = createHmac('sha256', this.#bytes).update('yardmaster secrets key id').digest('hex').slice(0, 16);
  }

  /** The raw key, for the cipher only. */
  bytes(): Buffer {
    return this.#bytes;
  }

  toJSON(): string {
    return `[secrets key ${this.id}]`;
  }

  toString(): string {
    return `[secrets key ${this.id}]`;
  }

  [inspect.custom](): string {
    return `[secrets key ${this.id}]`;
  }
}

export type SecretsKeyResult = { ok: true; key: SecretsKey } | { ok: false; message: string };

const HEX = /^[0-9a-fA-F]{64}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Parses the key as written in the environment. The message of a refusal says what is expected and never repeats
 * the value.
 */
export function parseSecretsKey(raw: string): SecretsKeyResult {
  const text = raw.trim();
  const expected = `${SECRETS_KEY_VARIABLE} must be ${KEY_BYTES} random bytes written as 64 hex digits or as base64 (e.g. \`openssl rand -base64 32\`)`;
  if (HEX.test(text)) return { ok: true, key: new SecretsKey(Buffer.from(text, 'hex')) };
  if (!BASE64.test(text)) return { ok: false, message: `${expected}; it holds characters that are neither` };
  const bytes = Buffer.from(text.replaceAll('-', '+').replaceAll('_', '/'), 'base64');
  if (bytes.length !== KEY_BYTES) return { ok: false, message: `${expected}; it decodes to ${bytes.length} bytes` };
  return { ok: true, key: new SecretsKey(bytes) };
}

/** The key from `env`, `undefined` when the variable is unset or empty (no store: no secrets), or why it is unusable. */
export function secretsKeyFromEnv(env: Readonly<Record<string, string | undefined>>): SecretsKeyResult | undefined {
  const raw = env[SECRETS_KEY_VARIABLE];
  if (raw === undefined || raw.trim() === '') return undefined;
  return parseSecretsKey(raw);
}
