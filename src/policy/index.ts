/** The operator's side of the trust boundary: what a repository may touch. Used from outside through this file. */
export { parseSecretsKey, secretsKeyFromEnv, SecretsKey, SECRETS_KEY_VARIABLE, type SecretsKeyResult } from './secret-key.ts';
export { missingSecretIssues, requiredSecrets, type MissingSecrets, type SecretReference } from './secret-requirements.ts';
export { describeSecretReadFailure, storeSecretSource } from './secret-source.ts';
export { deleteSecret, listSecrets, putSecret, readSecrets, SECRET_AUDIT_ACTIONS, storedSecretNames } from './secret-store.ts';
export { MAX_SECRET_BYTES, parseListScope, parseSecretScope, parseSecretValue } from './secret-scope.ts';
export type { SecretListing, SecretReadResult, SecretScope, SecretSource } from './secret-types.ts';
