/** Shared types of the secret store. */

/** Where a secret lives: one repository (lower case, as GitHub compares names), one environment, one name. */
export interface SecretScope {
  repo: string;
  environment: string;
  name: string;
}

/** What a reader of the store gets for a list of names: every value, or why not. */
export type SecretReadResult =
  | { ok: true; values: Record<string, string> }
  /** Names the store does not hold for the repository and environment. */
  | { ok: false; reason: 'missing'; missing: string[] }
  /** The process has no `YARDMASTER_SECRETS_KEY` (or a bad one) and the environment names secrets. */
  | { ok: false; reason: 'no-key'; problem: string }
  /** Stored values that do not open with this key: sealed with another key, moved between rows, or changed. */
  | { ok: false; reason: 'unreadable'; names: string[] };

/** Where a server process takes the values of secrets from: the store, for the order's repository and environment. */
export interface SecretSource {
  read(repoFullName: string, environment: string, names: readonly string[]): Promise<SecretReadResult>;
}

/** One stored secret as `yardmaster secrets list` shows it: never its value. */
export interface SecretListing {
  environment: string;
  name: string;
  setBy: string;
  updatedAt: Date;
}
