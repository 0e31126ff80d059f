/** The store as a server process reads it: the release worker's and the notification sender's source of secrets. */
import type { DbExecutor } from '../db/types.ts';
import { SECRETS_KEY_VARIABLE, type SecretsKey } from './secret-key.ts';
import { readSecrets } from './secret-store.ts';
import type { SecretReadResult, SecretSource } from './secret-types.ts';

/** A source reading `db` with `key`; without a key only environments that name no secret can run. */
export function storeSecretSource(db: DbExecutor, key: SecretsKey | undefined): SecretSource {
  const keyProblem = `${SECRETS_KEY_VARIABLE} is not set on this server, so no stored secret can be opened`;
  return {
    read: (repoFullName, environment, names) => readSecrets(db, key, keyProblem, repoFullName, environment, names),
  };
}

/** A failed read as one sentence for people (a release's refusal, a log line): names only, never values. */
export function describeSecretReadFailure(
  result: Exclude<SecretReadResult, { ok: true }>,
  repoFullName: string,
  environment: string,
): string {
  switch (result.reason) {
    case 'missing':
      return `the secret store holds no ${result.missing.join(', ')} for ${repoFullName} (${environment}); an operator adds each with \`yardmaster secrets set --repo ${repoFullName} --env ${environment} NAME\``;
    case 'no-key':
      return result.problem;
    case 'unreadable':
      return `the stored ${result.names.join(', ')} of ${repoFullName} (${environment}) do not open with this server's ${SECRETS_KEY_VARIABLE} (sealed with another key, or changed in the database); set them again`;
  }
}
