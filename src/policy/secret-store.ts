/**
 * The secret store in the database: sealed values per repository + environment + name (table `secrets`). Writes
 * come from the operator's `yardmaster secrets` only, each with an audit row naming the secret (never its value);
 * the server only reads names (to check a plan) and values (to run a release).
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { appendAudit, secrets } from '../db/index.ts';
import type { DbExecutor, Db } from '../db/types.ts';
import type { SecretsKey } from './secret-key.ts';
import { storeRepoKey } from './secret-scope.ts';
import { openSecret, sealSecret } from './secret-seal.ts';
import type { SecretListing, SecretReadResult, SecretScope } from './secret-types.ts';

/** Audit actions of the store. */
export const SECRET_AUDIT_ACTIONS = { set: 'secret.set', deleted: 'secret.deleted' } as const;

function auditData(scope: SecretScope): Record<string, string> {
  return { repo: scope.repo, environment: scope.environment, name: scope.name };
}

/**
 * Seals `value` for `scope` and stores it, replacing an earlier value of the same name. `scope` must come from
 * `parseSecretScope` (repository in lower case). Resolves to whether the name was new.
 */
export async function putSecret(
  db: Db,
  key: SecretsKey,
  scope: SecretScope,
  value: string,
  actor: string,
): Promise<{ created: boolean }> {
  const sealed = sealSecret(key, scope, value);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(secrets)
      .values({
        repoFullName: scope.repo,
        environment: scope.environment,
        name: scope.name,
        sealed,
        keyId: key.id,
        setBy: actor,
      })
      .onConflictDoUpdate({
        target: [secrets.repoFullName, secrets.environment, secrets.name],
        set: { sealed, keyId: key.id, setBy: actor, updatedAt: sql`now()` },
      })
      // xmax is 0 for a freshly inserted row, the updating transaction's id for an upsert that updated.
      .returning({ inserted: sql<boolean>`(xmax = 0)` });
    const created = row?.inserted === true;
    await appendAudit(tx, {
      actor,
      action: SECRET_AUDIT_ACTIONS.set,
      reason: `${created ? 'added' : 'replaced'} secret ${scope.name} of ${scope.repo} (${scope.environment})`,
      data: { ...auditData(scope), keyId: key.id },
    });
    return { created };
  });
}

/** Removes the secret; resolves to whether there was one. */
export async function deleteSecret(db: Db, scope: SecretScope, actor: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const removed = await tx
      .delete(secrets)
      .where(
        and(
          eq(secrets.repoFullName, scope.repo),
          eq(secrets.environment, scope.environment),
          eq(secrets.name, scope.name),
        ),
      )
      .returning({ id: secrets.id });
    if (removed.length === 0) return false;
    await appendAudit(tx, {
      actor,
      action: SECRET_AUDIT_ACTIONS.deleted,
      reason: `deleted secret ${scope.name} of ${scope.repo} (${scope.environment})`,
      data: auditData(scope),
    });
    return true;
  });
}

/** The secrets of a repository (one environment, or all), by environment and name; never their values. */
export async function listSecrets(
  db: DbExecutor,
  repoFullName: string,
  environment?: string,
): Promise<SecretListing[]> {
  const repo = storeRepoKey(repoFullName);
  return db
    .select({
      environment: secrets.environment,
      name: secrets.name,
      setBy: secrets.setBy,
      updatedAt: secrets.updatedAt,
    })
    .from(secrets)
    .where(
      environment === undefined
        ? eq(secrets.repoFullName, repo)
        : and(eq(secrets.repoFullName, repo), eq(secrets.environment, environment)),
    )
    .orderBy(asc(secrets.environment), asc(secrets.name));
}

/** Which of `names` the store holds for the repository and environment (no key needed: names are not secret). */
export async function storedSecretNames(
  db: DbExecutor,
  repoFullName: string,
  environment: string,
  names: readonly string[],
): Promise<Set<string>> {
  if (names.length === 0) return new Set();
  const rows = await db
    .select({ name: secrets.name })
    .from(secrets)
    .where(
      and(
        eq(secrets.repoFullName, storeRepoKey(repoFullName)),
        eq(secrets.environment, environment),
        inArray(secrets.name, [...names]),
      ),
    );
  return new Set(rows.map((row) => row.name));
}

/**
 * The values of `names` for the repository and environment, opened with `key`. All or nothing: a release without
 * one of its secrets would fail half-way. No names needs no key.
 */
export async function readSecrets(
  db: DbExecutor,
  key: SecretsKey | undefined,
  keyProblem: string,
  repoFullName: string,
  environment: string,
  names: readonly string[],
): Promise<SecretReadResult> {
  const wanted = [...new Set(names)];
  if (wanted.length === 0) return { ok: true, values: {} };
  const repo = storeRepoKey(repoFullName);
  const rows = await db
    .select({ name: secrets.name, sealed: secrets.sealed })
    .from(secrets)
    .where(and(eq(secrets.repoFullName, repo), eq(secrets.environment, environment), inArray(secrets.name, wanted)));
  const sealedByName = new Map(rows.map((row) => [row.name, row.sealed]));
  const missing = wanted.filter((name) => !sealedByName.has(name));
  if (missing.length > 0) return { ok: false, reason: 'missing', missing };
  if (key === undefined) return { ok: false, reason: 'no-key', problem: keyProblem };
  const values: Record<string, string> = {};
  const unreadable: string[] = [];
  for (const name of wanted) {
    const value = openSecret(key, { repo, environment, name }, sealedByName.get(name) ?? '');
    if (value === undefined) unreadable.push(name);
    else values[name] = value;
  }
  return unreadable.length > 0 ? { ok: false, reason: 'unreadable', names: unreadable } : { ok: true, values };
}
