/**
 * One secret value at rest: sealed text (AES-256-GCM with a random 12-byte nonce per value, src/lib/sealed-text.ts).
 * The repository, environment and name are the additional authenticated data, so a sealed value copied to another row
 * (another repository, environment or name) does not open: a database writer cannot hand one repository's secret to
 * another.
 */
import { canonicalJson } from '../lib/canonical-json.ts';
import { openText, sealText } from '../lib/sealed-text.ts';
import type { SecretsKey } from './secret-key.ts';
import type { SecretScope } from './secret-types.ts';

/** The bytes the seal is bound to: a labelled, unambiguous encoding of the scope. */
function additionalData(scope: SecretScope): Buffer {
  return Buffer.from(
    canonicalJson({ purpose: 'yardmaster secret', repo: scope.repo, environment: scope.environment, name: scope.name }),
  );
}

/** Seals `value` for `scope`: `v1.<nonce>.<ciphertext>.<tag>`, base64url parts. */
export function sealSecret(key: SecretsKey, scope: SecretScope, value: string): string {
  return sealText(key.bytes(), additionalData(scope), value);
}

/**
 * The value sealed by {@link sealSecret} for `scope`, or undefined when it does not open: another key, another
 * scope, or changed bytes (GCM authenticates all three).
 */
export function openSecret(key: SecretsKey, scope: SecretScope, sealed: string): string | undefined {
  return openText(key.bytes(), additionalData(scope), sealed);
}
